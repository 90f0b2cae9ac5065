import { randomUUID } from 'node:crypto'
import type {} from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { ParleyError } from '../errors/index.js'
import type { EventStream, Origin } from '../events/index.js'
import { type AnyRoute, defineRoute, idParam, okResponse } from '../server/routes.js'
import type { Store } from '../store/index.js'
import { adminDeleteRoute } from './admin-routes.js'
import { type AdminResource, adminChangeEvent } from './context.js'
import {
  type IdentityService,
  MIN_PASSWORD_LENGTH,
  type NewSession,
  type SignInResult,
} from './identity-service.js'
import { agentOf } from './request-auth.js'

export const SESSION_COOKIE = 'parley_session'

export const meView = z.object({
  agentId: z.string(),
  tenantId: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(['admin', 'agent']),
})
const agentView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'agent']),
  capacity: z.number(),
  status: z.enum(['online', 'away', 'offline']),
  disabled: z.boolean(),
  passwordSet: z.boolean(),
  mfaEnrolled: z.boolean(),
  teamIds: z.array(z.string()),
})
const teamView = z.object({ id: z.string(), name: z.string(), agentIds: z.array(z.string()) })

export interface IdentityRouteDeps {
  identity: IdentityService
  store: Store
  events: EventStream
  originOf: (req: FastifyRequest) => Origin
}

/**
 * The answer to a correct password: the signed-in agent (with the session cookie set), or the
 * second step, `{mfa: 'verify' | 'enrol', challenge, expiresAt}`, and no cookie (docs/mfa.md).
 */
export const signInResponse = z.union([
  meView,
  z.object({ mfa: z.enum(['verify', 'enrol']), challenge: z.string(), expiresAt: z.string() }),
])

export function setSessionCookie(reply: FastifyReply, session: NewSession): void {
  reply.setCookie(SESSION_COOKIE, session.token, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    expires: new Date(session.expiresAt),
  })
}

/** The signed-in agent as `/auth/me` shows them. */
export async function agentMe(store: Store, tenantId: string, agentId: string) {
  const a = (await store.directory.agent(tenantId, agentId))!
  return { agentId: a.id, tenantId: a.tenant_id, name: a.name, email: a.email, role: a.role }
}

/** Routes of identity: setup links, sign-in and out, agents and teams. */
export function identityRoutes({ identity, store, events, originOf }: IdentityRouteDeps): AnyRoute[] {
  const me = (tenantId: string, agentId: string) => agentMe(store, tenantId, agentId)
  const signedIn = async (reply: FastifyReply, result: SignInResult) => {
    if (result.kind === 'mfa')
      return {
        mfa: result.step,
        challenge: result.challenge,
        expiresAt: new Date(result.expiresAt).toISOString(),
      }
    setSessionCookie(reply, result.session)
    return me(result.session.tenantId, result.session.agentId)
  }
  const adminChange = (
    req: FastifyRequest,
    resource: AdminResource,
    action: 'create' | 'update' | 'delete',
    resourceId: string,
  ) => events.emit(adminChangeEvent(agentOf(req), resource, action, resourceId))
  const checkAgents = async (tenantId: string, ids: string[]) => {
    const known = new Set((await store.directory.agents(tenantId)).map((a) => a.id))
    if (!ids.every((id) => known.has(id)))
      throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'one of the agents does not exist', { resource: 'agent' })
  }
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/setup',
      tag: 'auth',
      summary:
        'Use a one-time setup link: set the password and sign in (or, with MFA, go on to the second step).',
      auth: 'none',
      body: z.object({
        token: z.string().min(10).max(200),
        password: z.string().max(1024),
        name: z.string().min(1).max(120).optional(),
        email: z.email().max(254).optional(),
      }),
      response: signInResponse,
      handler: async (req, { body }, reply) =>
        signedIn(
          reply,
          await identity.completeSetup(body.token, body.password, originOf(req), {
            name: body.name,
            email: body.email,
          }),
        ),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/login',
      tag: 'auth',
      summary:
        'Sign in with email and password; sets an HttpOnly, Secure, SameSite=Strict session cookie, or answers `{mfa, challenge}` when a second factor is due (POST /api/v1/auth/mfa).',
      auth: 'none',
      body: z.object({ email: z.string().max(254), password: z.string().max(1024) }),
      response: signInResponse,
      handler: async (req, { body }, reply) =>
        signedIn(reply, await identity.login(body.email, body.password, originOf(req))),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/logout',
      tag: 'auth',
      summary: 'End this session.',
      auth: 'agent',
      response: okResponse,
      handler: async (req, _input, reply) => {
        await identity.logout(agentOf(req))
        reply.clearCookie(SESSION_COOKIE, { path: '/' })
        return { ok: true as const }
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/auth/me',
      tag: 'auth',
      summary: 'The signed-in agent.',
      auth: 'agent',
      response: meView,
      handler: async (req) => {
        const ctx = agentOf(req)
        return me(ctx.tenantId, ctx.agentId)
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/agents',
      tag: 'agents',
      summary: 'Agents of the tenant with their status and teams.',
      auth: 'agent',
      response: z.object({ items: z.array(agentView) }),
      handler: async (req) => {
        const ctx = agentOf(req)
        const [agents, members, enrolled] = await Promise.all([
          store.directory.agents(ctx.tenantId),
          store.directory.teamMembers(ctx.tenantId),
          store.mfa.enrolledAgentIds(ctx.tenantId),
        ])
        return {
          items: agents.map((a) => ({
            id: a.id,
            email: a.email,
            name: a.name,
            role: a.role,
            capacity: a.capacity,
            status: a.status,
            disabled: a.disabled === 1,
            passwordSet: a.password_hash !== null,
            mfaEnrolled: enrolled.has(a.id),
            teamIds: members.filter((m) => m.agent_id === a.id).map((m) => m.team_id),
          })),
        }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/agents',
      tag: 'agents',
      summary: 'Invite an agent (admin): returns a one-time setup link, valid 72 hours.',
      auth: 'admin',
      body: z.object({
        email: z.email().max(254),
        name: z.string().min(1).max(120),
        role: z.enum(['admin', 'agent']).default('agent'),
        capacity: z.number().int().min(1).max(100).default(3),
      }),
      response: z.object({ id: z.string(), setupUrl: z.string(), setupExpiresAt: z.string() }),
      status: 201,
      handler: async (req, { body }) => {
        const ctx = agentOf(req)
        const r = await identity.createAgent({ tenantId: ctx.tenantId, ...body })
        adminChange(req, 'agent', 'create', r.agentId)
        return {
          id: r.agentId,
          setupUrl: r.setupUrl,
          setupExpiresAt: new Date(r.setupExpiresAt).toISOString(),
        }
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/agents/:id',
      tag: 'agents',
      summary: 'Change an agent: name, role, capacity, or disable (admin). Disabling ends their sessions.',
      auth: 'admin',
      params: idParam,
      body: z.object({
        name: z.string().min(1).max(120).optional(),
        role: z.enum(['admin', 'agent']).optional(),
        capacity: z.number().int().min(1).max(100).optional(),
        disabled: z.boolean().optional(),
      }),
      response: okResponse,
      handler: async (req, { params, body }) => {
        const ctx = agentOf(req)
        if (params.id === ctx.agentId && (body.disabled || body.role === 'agent')) {
          throw new ParleyError(
            'PARLEY_ERR_AUTH_FORBIDDEN',
            'you cannot disable or demote yourself; ask another admin',
          )
        }
        const { disabled, ...rest } = body
        const ok = await store.directory.updateAgent(ctx.tenantId, params.id, {
          ...rest,
          ...(disabled !== undefined ? { disabled: disabled ? 1 : 0 } : {}),
        })
        if (!ok) throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'agent not found', { resource: 'agent' })
        if (disabled) await store.directory.deleteAgentSessions(params.id)
        adminChange(req, 'agent', 'update', params.id)
        return { ok: true as const }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/agents/:id/setup-link',
      tag: 'agents',
      summary: `Issue a new one-time setup link, e.g. for a forgotten password (admin). Passwords need ${MIN_PASSWORD_LENGTH}+ characters.`,
      auth: 'admin',
      params: idParam,
      response: z.object({ setupUrl: z.string(), setupExpiresAt: z.string() }),
      handler: async (req, { params }) => {
        const ctx = agentOf(req)
        if (!(await store.directory.agent(ctx.tenantId, params.id)))
          throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'agent not found', { resource: 'agent' })
        const link = await identity.issueSetupLink(ctx.tenantId, params.id)
        adminChange(req, 'agent', 'update', params.id)
        return { setupUrl: link.setupUrl, setupExpiresAt: new Date(link.setupExpiresAt).toISOString() }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/agents/:id/unlock',
      tag: 'agents',
      summary:
        'End a sign-in lock (too many failures, or a credential-stuffing response) on an agent (admin).',
      auth: 'admin',
      params: idParam,
      response: okResponse,
      handler: async (req, { params }) => {
        const ctx = agentOf(req)
        await identity.unlockSignIn(ctx.tenantId, params.id)
        adminChange(req, 'agent', 'update', params.id)
        return { ok: true as const }
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/teams',
      tag: 'teams',
      summary: 'Teams and their members.',
      auth: 'agent',
      response: z.object({ items: z.array(teamView) }),
      handler: async (req) => {
        const ctx = agentOf(req)
        const [teams, members] = await Promise.all([
          store.directory.teams(ctx.tenantId),
          store.directory.teamMembers(ctx.tenantId),
        ])
        return {
          items: teams.map((t) => ({
            id: t.id,
            name: t.name,
            agentIds: members.filter((m) => m.team_id === t.id).map((m) => m.agent_id),
          })),
        }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/teams',
      tag: 'teams',
      summary: 'Create a team (admin).',
      auth: 'admin',
      body: z.object({
        name: z.string().min(1).max(80),
        agentIds: z.array(z.string().max(64)).max(500).default([]),
      }),
      response: teamView,
      status: 201,
      handler: async (req, { body }) => {
        const ctx = agentOf(req)
        await checkAgents(ctx.tenantId, body.agentIds)
        const id = randomUUID()
        await store.directory.insertTeam({ id, tenantId: ctx.tenantId, name: body.name })
        await store.directory.setTeamMembers(ctx.tenantId, id, [...new Set(body.agentIds)])
        adminChange(req, 'team', 'create', id)
        return { id, name: body.name, agentIds: [...new Set(body.agentIds)] }
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/teams/:id',
      tag: 'teams',
      summary: 'Rename a team or replace its members (admin).',
      auth: 'admin',
      params: idParam,
      body: z.object({
        name: z.string().min(1).max(80).optional(),
        agentIds: z.array(z.string().max(64)).max(500).optional(),
      }),
      response: okResponse,
      handler: async (req, { params, body }) => {
        const ctx = agentOf(req)
        if (!(await store.directory.team(ctx.tenantId, params.id)))
          throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'team not found', { resource: 'team' })
        if (body.name) await store.directory.renameTeam(ctx.tenantId, params.id, body.name)
        if (body.agentIds) {
          await checkAgents(ctx.tenantId, body.agentIds)
          await store.directory.setTeamMembers(ctx.tenantId, params.id, [...new Set(body.agentIds)])
        }
        adminChange(req, 'team', 'update', params.id)
        return { ok: true as const }
      },
    }),
    adminDeleteRoute({
      url: '/api/v1/teams/:id',
      tag: 'teams',
      summary: 'Delete a team (admin).',
      resource: 'team',
      noun: 'team',
      events,
      remove: (tenantId, id) => store.directory.deleteTeam(tenantId, id),
    }),
  ]
}
