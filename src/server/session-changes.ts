import { z } from 'zod'
import type { ParleyEvent, ParleyEventType } from '../events/index.js'

/**
 * What an agent's open sockets depend on, as one node tells the others: a session ended, an
 * agent or team changed, a tenant's MFA rule changed, an agent's second factor changed. Each
 * node's gateway rechecks its own sockets on it, so a sign-out, a disabled agent or a required
 * step-up on one node also ends or pauses that agent's live transcripts on every other node.
 * Only ids travel: no actor, address or note.
 */
export const sessionChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth.logout'), sessionId: z.string().min(1).max(200) }),
  z.object({
    type: z.literal('admin.change'),
    tenant: z.string().max(100),
    resource: z.enum(['agent', 'team', 'mfa_policy']),
    resourceId: z.string().max(200),
  }),
  z.object({ type: z.literal('auth.mfa_change'), tenant: z.string().max(100), agentId: z.string().max(100) }),
])
export type SessionChange = z.infer<typeof sessionChangeSchema>

/** The bus topic session changes travel on between nodes. */
export const SESSION_CHANGES_TOPIC = 'session-changes'

/** The event types that can carry a session change (filtered further by `sessionChangeOf`). */
export const SESSION_CHANGE_EVENT_TYPES: readonly ParleyEventType[] = [
  'auth.logout',
  'admin.change',
  'auth.mfa_change',
]

/** The session change an event makes, if any. */
export function sessionChangeOf(e: ParleyEvent): SessionChange | null {
  switch (e.type) {
    case 'auth.logout':
      return { type: e.type, sessionId: e.sessionId }
    case 'admin.change':
      return e.resource === 'agent' || e.resource === 'team' || e.resource === 'mfa_policy'
        ? { type: e.type, tenant: e.tenant, resource: e.resource, resourceId: e.resourceId }
        : null
    case 'auth.mfa_change':
      return { type: e.type, tenant: e.tenant, agentId: e.agentId }
    default:
      return null
  }
}
