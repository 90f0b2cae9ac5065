import type { ServerFrame } from './protocol.schema.js'

/**
 * Who may receive a frame. Visitors get frames of their own conversation (`visitor` or
 * `everyone`); agents get frames whose scope they can see: admins always, others when the
 * conversation is theirs, their team's, or unassigned.
 */
export interface Delivery {
  audience: 'everyone' | 'agents' | 'visitor'
  conversationId: string | null
  scope: DeliveryScope | null
  /** Skip the socket that caused it (e.g. a typing echo); null to send to all. */
  exceptConnection: string | null
  frame: ServerFrame
}

export interface DeliveryScope {
  agentIds: string[]
  teamIds: string[]
  unassigned: boolean
}

/** Whether an agent with `teams` may see a frame of this scope. */
export function agentSeesScope(
  agent: { agentId: string; role: string; teamIds: readonly string[] },
  scope: DeliveryScope | null,
): boolean {
  if (scope === null || agent.role === 'admin') return true
  if (scope.unassigned || scope.agentIds.includes(agent.agentId)) return true
  return scope.teamIds.some((t) => agent.teamIds.includes(t))
}
