import type { ActorRef, EventDraft, Origin } from '../events/index.js'

export type AgentRole = 'admin' | 'agent'

/** An agent signed in through a session (later also SSO or API tokens). */
export interface AgentContext {
  kind: 'agent'
  tenantId: string
  agentId: string
  role: AgentRole
  name: string
  /** Hash of the session id, so a sign-out can end this exact session's sockets. */
  sessionHash: string
  origin: Origin
}

/** A website visitor, identified by a signed visitor token issued for one site. */
export interface VisitorContext {
  kind: 'visitor'
  tenantId: string
  visitorId: string
  siteId: string
  origin: Origin
}

/**
 * Who is asking, established at the edge from a session, token or widget key: never from a
 * request body. Every handler and every chat rule takes one.
 */
export type AuthContext = AgentContext | VisitorContext

export function actorOf(ctx: AuthContext): ActorRef {
  return ctx.kind === 'agent'
    ? { kind: 'agent', id: ctx.agentId, role: ctx.role }
    : { kind: 'visitor', id: ctx.visitorId }
}

export type AdminResource = Extract<EventDraft, { type: 'admin.change' }>['resource']

/** The `admin.change` event for an admin's action on a resource (every admin route emits one). */
export function adminChangeEvent(
  ctx: AgentContext,
  resource: AdminResource,
  action: 'create' | 'update' | 'delete',
  resourceId: string,
): EventDraft {
  return {
    type: 'admin.change',
    tenant: ctx.tenantId,
    actor: actorOf(ctx),
    origin: ctx.origin,
    resource,
    action,
    resourceId,
  }
}
