import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Origin } from '../events/index.js'
import { type AnyRoute, defineRoute, idParam, okResponse } from '../server/routes.js'
import type { Store } from '../store/index.js'
import { agentMe, meView, setSessionCookie } from './identity.plugin.js'
import type { IdentityService } from './identity-service.js'
import { agentOf } from './request-auth.js'

/** A 6-digit TOTP code or a recovery code (`xxxxx-xxxxx`); spaces and dashes are ignored. */
const code = z.string().trim().min(6).max(32)
const challenge = z.string().min(20).max(200)
const enrolment = z.object({
  /** Base32, for typing into an authenticator app. */
  secret: z.string(),
  /** `otpauth://totp/…` for apps that read a link or a QR code made from it. */
  uri: z.string(),
})
const recoveryCodes = z.object({ recoveryCodes: z.array(z.string()) })

export interface MfaRouteDeps {
  identity: IdentityService
  store: Store
  originOf: (req: FastifyRequest) => Origin
}

/**
 * Routes of multi-factor sign-in (docs/mfa.md): the second sign-in step and enrolment inside
 * sign-in (by challenge, before any session), the agent's own enrolment, step-up, and the
 * admin's policy switch and reset.
 */
export function mfaRoutes({ identity, store, originOf }: MfaRouteDeps): AnyRoute[] {
  const { mfa } = identity
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/mfa',
      tag: 'auth',
      summary:
        'Second sign-in step: the challenge from /auth/login and a TOTP or recovery code; sets the session cookie.',
      auth: 'none',
      body: z.object({ challenge, code }),
      response: meView,
      handler: async (req, { body }, reply) => {
        const session = await identity.completeMfaSignIn(body.challenge, body.code, originOf(req))
        setSessionCookie(reply, session)
        return agentMe(store, session.tenantId, session.agentId)
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/mfa/enrol',
      tag: 'auth',
      summary:
        'Enrolment inside sign-in (the tenant requires MFA): a new TOTP secret for the `enrol` challenge.',
      auth: 'none',
      body: z.object({ challenge }),
      response: enrolment,
      handler: async (req, { body }, reply) => {
        reply.header('cache-control', 'no-store')
        return identity.startSignInEnrolment(body.challenge, originOf(req))
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/mfa/enrol/confirm',
      tag: 'auth',
      summary:
        'Confirms enrolment inside sign-in with a current code: sets the session cookie and returns the 10 recovery codes, once.',
      auth: 'none',
      body: z.object({ challenge, code }),
      response: meView.extend(recoveryCodes.shape),
      handler: async (req, { body }, reply) => {
        const r = await identity.confirmSignInEnrolment(body.challenge, body.code, originOf(req))
        setSessionCookie(reply, r.session)
        return {
          ...(await agentMe(store, r.session.tenantId, r.session.agentId)),
          recoveryCodes: r.recoveryCodes,
        }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/step-up',
      tag: 'auth',
      summary:
        'Verify a current code for this session: lifts PARLEY_ERR_STEP_UP_REQUIRED and counts as a recent factor for 15 minutes.',
      auth: 'agent',
      body: z.object({ code }),
      response: okResponse,
      handler: async (req, { body }) => {
        await identity.stepUp(agentOf(req), body.code)
        return { ok: true as const }
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/account/mfa',
      tag: 'account',
      summary:
        "The signed-in agent's second factor: enrolled, recovery codes left, whether the tenant requires it.",
      auth: 'agent',
      response: z.object({
        enrolled: z.boolean(),
        enrolledAt: z.string().nullable(),
        recoveryCodesLeft: z.number(),
        required: z.boolean(),
      }),
      handler: async (req) => {
        const ctx = agentOf(req)
        const s = await mfa.status(ctx.tenantId, ctx.agentId)
        return { ...s, enrolledAt: s.enrolledAt === null ? null : new Date(s.enrolledAt).toISOString() }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/account/mfa/enrol',
      tag: 'account',
      summary:
        'Start enrolling an authenticator app (with the password again): a new TOTP secret, counted once a code confirms it.',
      auth: 'agent',
      body: z.object({ password: z.string().max(1024) }),
      response: enrolment,
      handler: async (req, { body }, reply) => {
        reply.header('cache-control', 'no-store')
        return identity.startAccountEnrolment(agentOf(req), body.password)
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/account/mfa/confirm',
      tag: 'account',
      summary:
        "Confirm enrolment with a current code: returns the 10 recovery codes, once; the agent's other sessions end.",
      auth: 'agent',
      body: z.object({ code }),
      response: recoveryCodes,
      handler: async (req, { body }) => ({
        recoveryCodes: await mfa.confirmForSession(agentOf(req), body.code),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/account/mfa/recovery-codes',
      tag: 'account',
      summary: 'Ten new recovery codes for a current code (shown once); the old ones stop working.',
      auth: 'agent',
      body: z.object({ code }),
      response: recoveryCodes,
      handler: async (req, { body }) => ({
        recoveryCodes: await identity.renewRecoveryCodes(agentOf(req), body.code),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/account/mfa/disable',
      tag: 'account',
      summary: 'Turn MFA off with a current code (refused while the tenant requires MFA).',
      auth: 'agent',
      body: z.object({ code }),
      response: okResponse,
      handler: async (req, { body }) => {
        await identity.disableMfa(agentOf(req), body.code)
        return { ok: true as const }
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/security/mfa-policy',
      tag: 'security',
      summary: 'Whether every agent of the tenant needs MFA (admin).',
      auth: 'admin',
      response: z.object({ required: z.boolean() }),
      handler: async (req) => ({ required: await mfa.required(agentOf(req).tenantId) }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/security/mfa-policy',
      tag: 'security',
      summary:
        'Require MFA of every agent, or not (admin, who needs MFA first). Turning it on ends the sessions of agents without MFA; they enrol at their next sign-in.',
      auth: 'admin',
      body: z.object({ required: z.boolean() }),
      response: z.object({ required: z.boolean() }),
      handler: async (req, { body }) => {
        await mfa.setRequired(agentOf(req), body.required)
        return { required: body.required }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/agents/:id/mfa/reset',
      tag: 'agents',
      summary:
        "Remove an agent's second factor, e.g. after a lost phone (admin, audited); their sessions end.",
      auth: 'admin',
      params: idParam,
      response: okResponse,
      handler: async (req, { params }) => {
        await mfa.reset(agentOf(req), params.id)
        return { ok: true as const }
      },
    }),
  ]
}
