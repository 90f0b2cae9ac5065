import type { ComponentType, ReactNode } from 'react'
import { SecurityScreen } from '../account/security.js'
import { AgentsScreen } from '../admin/agents.js'
import { AlertsScreen } from '../admin/alerts.js'
import { ApiTokensScreen } from '../admin/api-tokens.js'
import { CannedScreen } from '../admin/canned.js'
import { HoursScreen } from '../admin/hours.js'
import { ProtectScreen } from '../admin/protect.js'
import { SecureFormsScreen } from '../admin/secure-forms.js'
import { SitesScreen } from '../admin/sites.js'
import { InboxScreen } from '../inbox/inbox.js'
import { ReportsScreen } from '../reports/reports.js'
import { SearchScreen } from '../search/search.js'
import type { Role } from '../types.js'
import { ApprovalsBadge, RevealsScreen } from '../vault/reveals.js'

/**
 * The console's screens. The nav is built from this list, filtered by the signed-in agent's
 * role; later capabilities (MFA, SSO, audit, evidence) add an entry here.
 */
export interface Screen {
  /** The path below /console; a screen also owns every path under it. */
  path: string
  label: string
  /** The least role that sees the screen (admins see everything agents see). */
  role: Role
  group: 'work' | 'admin'
  render: (path: string) => ReactNode
  /** Shown after the label in the nav (a count that asks for attention); renders nothing when there is none. */
  badge?: ComponentType
}

export const SCREENS: readonly Screen[] = [
  { path: '/', label: 'Inbox', role: 'agent', group: 'work', render: (path) => <InboxScreen path={path} /> },
  { path: '/search', label: 'Search', role: 'agent', group: 'work', render: () => <SearchScreen /> },
  {
    path: '/reveals',
    label: 'Reveals',
    role: 'agent',
    group: 'work',
    render: () => <RevealsScreen />,
    badge: ApprovalsBadge,
  },
  {
    path: '/account/security',
    label: 'Account security',
    role: 'agent',
    group: 'work',
    render: () => <SecurityScreen />,
  },
  { path: '/reports', label: 'Reports', role: 'admin', group: 'work', render: () => <ReportsScreen /> },
  { path: '/admin/sites', label: 'Sites', role: 'admin', group: 'admin', render: () => <SitesScreen /> },
  {
    path: '/admin/hours',
    label: 'Business hours',
    role: 'admin',
    group: 'admin',
    render: () => <HoursScreen />,
  },
  {
    path: '/admin/agents',
    label: 'Agents and teams',
    role: 'admin',
    group: 'admin',
    render: () => <AgentsScreen />,
  },
  {
    path: '/admin/canned',
    label: 'Canned responses',
    role: 'admin',
    group: 'admin',
    render: () => <CannedScreen />,
  },
  {
    path: '/admin/protect',
    label: 'Redaction policy',
    role: 'admin',
    group: 'admin',
    render: () => <ProtectScreen />,
  },
  {
    path: '/admin/secure-forms',
    label: 'Secure forms',
    role: 'admin',
    group: 'admin',
    render: () => <SecureFormsScreen />,
  },
  { path: '/admin/alerts', label: 'Alerts', role: 'admin', group: 'admin', render: () => <AlertsScreen /> },
  {
    path: '/admin/api-tokens',
    label: 'API tokens',
    role: 'admin',
    group: 'admin',
    render: () => <ApiTokensScreen />,
  },
]

export function allowed(screen: Screen, role: Role): boolean {
  return screen.role === 'agent' || role === 'admin'
}

/** The screen that owns a path: the longest matching prefix; the inbox owns `/` and `/c/…`. */
export function screenFor(path: string): Screen {
  const owner = SCREENS.filter((s) => s.path !== '/' && (path === s.path || path.startsWith(`${s.path}/`)))
  return owner.sort((a, b) => b.path.length - a.path.length)[0] ?? SCREENS[0]!
}
