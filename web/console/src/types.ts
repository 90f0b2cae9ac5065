/**
 * What the console receives from the server. Where the server describes a view in a file that
 * needs nothing but zod (the protocol, search, reports), the type comes from there.
 */
import type { z } from 'zod'
import type { SummaryView } from '../../../src/reports/reports.schema.js'
import type { searchResultView } from '../../../src/search/search.schema.js'

export type {
  ConversationView,
  MessageAck,
  MessageView,
  SecureFormView,
  ServerFrame,
  VisitorContextInfo,
} from '../../../src/chat/protocol.schema.js'

export type Role = 'admin' | 'agent'

export interface Me {
  agentId: string
  tenantId: string
  name: string
  email: string
  role: Role
}

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface Agent {
  id: string
  email: string
  name: string
  role: Role
  capacity: number
  status: PresenceStatus
  disabled: boolean
  passwordSet: boolean
  mfaEnrolled: boolean
  teamIds: string[]
}

/** What a correct password answers when a second factor is due instead of a session. */
export interface MfaStep {
  mfa: 'verify' | 'enrol'
  challenge: string
  expiresAt: string
}

/** A new authenticator secret: base32 to type in, and the otpauth:// link. */
export interface MfaEnrolment {
  secret: string
  uri: string
}

export interface MfaStatus {
  enrolled: boolean
  enrolledAt: string | null
  recoveryCodesLeft: number
  required: boolean
}
export type PresenceStatus = 'online' | 'away' | 'offline'

export interface Team {
  id: string
  name: string
  agentIds: string[]
}

export interface Label {
  id: string
  name: string
  color: string
}

export interface Canned {
  id: string
  shortcut: string
  title: string
  body: string
}

export type Day = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat'
export type BusinessHours = { timezone: string; days: Partial<Record<Day, [string, string][]>> } | null

export interface Site {
  id: string
  name: string
  widgetKey: string
  allowedOrigins: string[]
  prechat: {
    enabled: boolean
    fields: { name: string; label: string; type: 'text' | 'email' | 'tel'; required: boolean }[]
  }
  businessHours: BusinessHours
  snippet: string
  createdAt: string
}

export interface SetupLink {
  setupUrl: string
  setupExpiresAt: string
}

/** One transcript search hit, as `/api/v1/search` answers it. */
export type SearchHit = z.infer<typeof searchResultView>

/** `/api/v1/reports/summary`. */
export type ReportSummary = SummaryView
/** A line of the per-agent or per-team breakdown. */
export type ReportRow = Omit<SummaryView['perAgent'][number], 'agentId'>

export interface AlertSummary {
  id: string
  state: 'open' | 'acknowledged' | 'escalated' | 'resolved'
  signal: string
  severity: string
  cause: string
  recommendation: string
}

/** An alert as `/api/v1/alerts` lists it: lifecycle record and the detector's alert. */
export interface StoredAlert {
  id: string
  state: AlertSummary['state']
  record: Record<string, unknown>
  alert: Record<string, unknown>
}

export type SecureFormKind = 'card' | 'bank_account' | 'custom'

/** The tenant's secure-form destination (`/api/v1/secure-forms/config`); the secret only right after it is made. */
export interface SecureFormConfig {
  configured: boolean
  url: string | null
  kinds: SecureFormKind[]
  customLabel: string | null
  updatedAt: string | null
  secret?: string
}

/** A reveal request as `/api/v1/vault/reveals` answers it (`requestView` in `src/vault/vault.plugin.ts`). */
export interface RevealRequest {
  id: string
  tokenId: string
  /** The token's category ("bank_account") and conversation; null when typed outside one. */
  category: string | null
  conversationId: string | null
  requesterId: string
  reason: string
  state: 'pending' | 'approved' | 'denied'
  decidedBy: string | null
  createdAt: string
  decidedAt: string | null
  expiresAt: string | null
  reveals: number
}

/** A granted reveal's value (`POST /api/v1/vault/reveals/:id/value`): only ever held in component state. */
export interface RevealedValue {
  tokenId: string
  type: string
  value: string
  expiresAt: string
}
