import { readFileSync } from 'node:fs'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { ParleyError } from '../errors/index.js'
import type { Origin } from '../events/index.js'
import { agentOf, authOf } from '../identity/index.js'
import { type AnyRoute, defineRoute, idParam } from '../server/routes.js'
import {
  configBody,
  configView,
  FORM_TOKEN_HEADER,
  formView,
  outcomeView,
  pageFormView,
  requestBody,
  savedConfigView,
  submitBody,
} from './secure-form.schema.js'
import type { SecureFormService } from './secure-form-service.js'

/** Calls to the token routes per client address per minute: room for an office behind one NAT, a bound on scraping. */
const PAGE_CALLS_PER_MINUTE = 120

/** A fixed one-minute window per client address; the map is dropped whole when it grows large. */
function perMinuteLimiter(limit: number) {
  const windows = new Map<string, { start: number; count: number }>()
  return (key: string) => {
    const now = Date.now()
    let w = windows.get(key)
    if (!w || now - w.start >= 60_000) {
      if (windows.size >= 50_000) windows.clear()
      w = { start: now, count: 0 }
      windows.set(key, w)
    }
    if (++w.count > limit)
      throw new ParleyError('PARLEY_ERR_RATE_LIMITED', 'too many secure-form requests; wait a minute', {
        retryAfterMs: 60_000 - (now - w.start),
      })
  }
}

/** Routes of secure forms: the tenant's destination (admins), requests (agents), the form page's calls. */
export function secureFormRoutes({
  secureForms,
  nodeId,
}: {
  secureForms: SecureFormService
  nodeId: string
}): AnyRoute[] {
  const limit = perMinuteLimiter(PAGE_CALLS_PER_MINUTE)
  const tokenOf = (req: FastifyRequest) => {
    limit(req.ip)
    const t = req.headers[FORM_TOKEN_HEADER]
    return typeof t === 'string' ? t.slice(0, 128) : undefined
  }
  const originOf = (req: FastifyRequest): Origin => ({
    channel: 'http',
    node: nodeId,
    ip: req.ip,
    userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300),
    requestId: req.id,
  })
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/secure-forms/config',
      tag: 'secure-forms',
      summary:
        "The tenant's secure-form destination and enabled kinds (the signing secret is never shown again).",
      auth: 'admin',
      response: configView,
      handler: async (req) => secureForms.config(agentOf(req).tenantId),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/secure-forms/config',
      tag: 'secure-forms',
      summary:
        'Set where secure forms go (https, public address) and which kinds agents may request. Deliveries carry X-Parley-Signature like webhooks; the secret is returned on the first save and on rotateSecret only.',
      auth: 'admin',
      body: configBody,
      response: savedConfigView,
      handler: async (req, { body }) => secureForms.saveConfig(agentOf(req), body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/conversations/:id/secure-forms',
      tag: 'secure-forms',
      summary:
        'Ask the visitor to fill in a secure form (as the secure_form.request frame does); the transcript shows only that it was requested and how it ended.',
      auth: 'agent',
      params: idParam,
      body: requestBody,
      response: formView,
      status: 201,
      handler: async (req, { params, body }) => secureForms.request(authOf(req), params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/conversations/:id/secure-forms',
      tag: 'secure-forms',
      summary: 'The secure forms requested in a conversation and their status (never a value).',
      auth: 'agent',
      params: idParam,
      response: z.object({ items: z.array(formView) }),
      handler: async (req, { params }) => ({ items: await secureForms.list(authOf(req), params.id) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/secure-forms/:id',
      tag: 'secure-forms',
      summary: `The form page's view of its form; send the form token in ${FORM_TOKEN_HEADER}.`,
      auth: 'none',
      params: idParam,
      response: pageFormView,
      handler: async (req, { params }) => {
        const f = await secureForms.open(params.id, tokenOf(req))
        return { id: f.id, kind: f.kind, label: f.label, expiresAt: new Date(f.expires_at).toISOString() }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/secure-forms/:id/submit',
      tag: 'secure-forms',
      summary: `Submit a secure form once (form token in ${FORM_TOKEN_HEADER}); the values are forwarded to the tenant's endpoint and never kept.`,
      auth: 'none',
      params: idParam,
      body: submitBody,
      response: outcomeView,
      handler: async (req, { params, body }) => {
        await secureForms.submit(params.id, tokenOf(req), body.fields, originOf(req))
        return { status: 'completed' as const }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/secure-forms/:id/cancel',
      tag: 'secure-forms',
      summary: `The visitor declines a secure form (form token in ${FORM_TOKEN_HEADER}).`,
      auth: 'none',
      params: idParam,
      response: outcomeView,
      handler: async (req, { params }) => {
        await secureForms.cancel(params.id, tokenOf(req), originOf(req))
        return { status: 'cancelled' as const }
      },
    }),
  ]
}

/**
 * The page a form is filled in on, `/secure-form/:id`, framed by the widget. It is Parley's
 * own origin, so neither the host page nor the widget can read its fields; its CSP lets only
 * the site's allowed origins frame it, and it loads nothing but its own script and style.
 */
export function secureFormPage({
  secureForms,
  pageFile,
}: {
  secureForms: SecureFormService
  pageFile: string
}): FastifyPluginAsync {
  const html = readFileSync(pageFile, 'utf8')
  return async (app) => {
    app.get(
      '/secure-form/:id',
      {
        // The app sets X-Frame-Options: DENY on every response; this page is meant to be framed
        // (by the origins its CSP names), and route hooks run after the app's.
        onSend: async (_req, reply, payload) => {
          reply.removeHeader('x-frame-options')
          return payload
        },
      },
      async (req, reply) => {
        const parsed = idParam.safeParse(req.params)
        const ancestors = parsed.success ? await secureForms.frameAncestors(parsed.data.id) : null
        if (!ancestors)
          throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'secure form not found', { resource: 'secure_form' })
        reply
          .header(
            'content-security-policy',
            [
              "default-src 'none'",
              "script-src 'self'",
              "style-src 'self'",
              "connect-src 'self'",
              "form-action 'none'",
              "base-uri 'none'",
              `frame-ancestors ${ancestors.length ? ancestors.join(' ') : "'none'"}`,
            ].join('; '),
          )
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
        return html
      },
    )
  }
}
