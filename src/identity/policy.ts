import { ParleyError } from '../errors/index.js'
import type { AgentContext, AuthContext } from './context.js'

/** What a conversation looks like to the policy: only the fields that decide access. */
export interface ConversationAccessView {
  tenant_id: string
  visitor_id: string
  agent_id: string | null
  team_id: string | null
}

export type ConversationAction = 'read' | 'write' | 'note' | 'manage'

/**
 * Who may do what with a conversation. Admins: everything in their tenant. Agents: their own
 * conversations, unassigned ones and their teams'. Visitors: read and write their own.
 * Another tenant's conversation is reported as not found, so ids cannot be probed.
 */
export function canAccessConversation(
  ctx: AuthContext,
  action: ConversationAction,
  conv: ConversationAccessView,
  agentTeams: readonly string[] = [],
): boolean {
  if (conv.tenant_id !== ctx.tenantId) return false
  if (ctx.kind === 'visitor')
    return (action === 'read' || action === 'write') && conv.visitor_id === ctx.visitorId
  if (ctx.role === 'admin') return true
  return (
    conv.agent_id === ctx.agentId ||
    conv.agent_id === null ||
    (conv.team_id !== null && agentTeams.includes(conv.team_id))
  )
}

export function requireAdmin(ctx: AuthContext): asserts ctx is AgentContext & { role: 'admin' } {
  if (ctx.kind !== 'agent' || ctx.role !== 'admin') {
    throw new ParleyError('PARLEY_ERR_AUTH_FORBIDDEN', 'this action needs the admin role')
  }
}

export function requireAgent(ctx: AuthContext): asserts ctx is AgentContext {
  if (ctx.kind !== 'agent')
    throw new ParleyError('PARLEY_ERR_AUTH_FORBIDDEN', 'this action is for agents only')
}
