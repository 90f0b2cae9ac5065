import type { ActorRef, EventDraft, Origin } from '../events/index.js'
import type { ApiScope } from './api-scopes.js'

export type AgentRole = 'admin' | 'agent'

/**
 * An agent signed in through a session, or an API token acting for its tenant. A token has the
 * admin role's reach inside its tenant, narrowed at the edge to the routes its scopes name
 * (`requireTokenScope`); everything it does is attributed to the token, not to a person.
 */
export interface AgentContext {
  kind: 'agent'
  tenantId: string
  /** The agent, or for a token its id (it matches no agent row). */
  agentId: string
  role: AgentRole
  name: string
  /** Hash of the session id, so a sign-out can end this exact session's sockets ('' for a token). */
  sessionHash: string
  origin: Origin
  /** The session's second factor: when last verified, and whether a step-up is required (docs/mfa.md). */
  factor?: { verifiedAt: number | null; stepUpRequired: boolean }
  /** Present when an API token, not a session, authenticated the request. */
  token?: { id: string; scopes: readonly ApiScope[] }
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

/** The actor events name: the agent, the API token, or the visitor. */
export function actorOf(ctx: AuthContext): ActorRef {
  if (ctx.kind === 'visitor') return { kind: 'visitor', id: ctx.visitorId }
  return ctx.token ? { kind: 'token', id: ctx.token.id } : { kind: 'agent', id: ctx.agentId, role: ctx.role }
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
