import { z } from 'zod'
import type { EventStream } from '../events/index.js'
import { adminChangeEvent, agentOf } from '../identity/index.js'
import { type AnyRoute, defineRoute } from '../server/routes.js'
import type { Store } from '../store/index.js'
import { responsePolicySchema } from './responses.js'
import type { WatchService } from './watch-service.js'

const alertView = z.object({
  id: z.string(),
  state: z.enum(['open', 'acknowledged', 'escalated', 'resolved']),
  record: z.record(z.string(), z.unknown()),
  alert: z.record(z.string(), z.unknown()),
})
// Alert ids are longer than UUIDs (tenant:group:subject:time), hence their own bound.
const idParam = z.object({ id: z.string().min(1).max(100) })

/** Routes of watch: the tenant's anomaly alerts and their lifecycle (admins). */
export function watchRoutes({
  watch,
  store,
  events,
}: {
  watch: WatchService
  store: Store
  events: EventStream
}): AnyRoute[] {
  const act = (step: 'acknowledge' | 'escalate' | 'resolve', summary: string, body: z.ZodType) =>
    defineRoute({
      method: 'POST',
      url: `/api/v1/alerts/:id/${step}`,
      tag: 'alerts',
      summary,
      auth: 'admin',
      params: idParam,
      body,
      response: alertView,
      handler: async (req, { params, body: input }) => {
        const ctx = agentOf(req)
        const fields = input as Record<string, unknown>
        const action =
          step === 'acknowledge'
            ? {
                type: 'acknowledge' as const,
                actor: ctx.agentId,
                expectedAs: fields.expectedAs as 'campaign' | 'test' | 'other',
                note: String(fields.note),
                expiresAt: Date.parse(String(fields.expiresAt)),
              }
            : step === 'escalate'
              ? {
                  type: 'escalate' as const,
                  actor: ctx.agentId,
                  incident: String(fields.incident),
                  ...(fields.note ? { note: String(fields.note) } : {}),
                }
              : {
                  type: 'resolve' as const,
                  actor: ctx.agentId,
                  ...(fields.note ? { note: String(fields.note) } : {}),
                }
        const stored = await watch.act(ctx, params.id, action)
        return {
          id: stored.id,
          state: stored.state,
          record: { ...stored.record },
          alert: { ...stored.alert },
        }
      },
    })
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/alerts/policy',
      tag: 'alerts',
      summary: 'Automatic responses to alerts that the tenant turned on (all off by default).',
      auth: 'admin',
      response: responsePolicySchema,
      handler: async (req) =>
        responsePolicySchema.parse((await store.content.watchPolicy(agentOf(req).tenantId)) ?? {}),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/alerts/policy',
      tag: 'alerts',
      summary:
        'Turn automatic responses on or off: throttle the widget on a bot flood, suspend an agent or require an MFA step-up of their sessions on likely exfiltration, lock sign-in on credential stuffing, suspend an API token on token abuse.',
      auth: 'admin',
      body: responsePolicySchema,
      response: responsePolicySchema,
      handler: async (req, { body }) => {
        const ctx = agentOf(req)
        await store.content.setWatchPolicy(ctx.tenantId, body)
        events.emit(adminChangeEvent(ctx, 'watch_policy', 'update', ctx.tenantId))
        return body
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/alerts',
      tag: 'alerts',
      summary:
        'Anomaly alerts of the tenant, newest first: signal, diagnosis with evidence, recommendation, lifecycle.',
      auth: 'admin',
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: z.object({ items: z.array(alertView) }),
      handler: async (req, { query }) => {
        const items = await watch.list(agentOf(req).tenantId, query.limit)
        return {
          items: items.map((a) => ({
            id: a.id,
            state: a.state,
            record: { ...a.record },
            alert: { ...a.alert },
          })),
        }
      },
    }),
    act(
      'acknowledge',
      'Mark an alert expected (a campaign or a test) until `expiresAt`; similar alerts meanwhile are folded into it.',
      z.object({
        expectedAs: z.enum(['campaign', 'test', 'other']),
        note: z.string().min(1).max(2000),
        expiresAt: z.iso.datetime(),
      }),
    ),
    act(
      'escalate',
      'Escalate an alert to an incident.',
      z.object({ incident: z.string().min(1).max(200), note: z.string().max(2000).optional() }),
    ),
    act('resolve', 'Resolve an alert.', z.object({ note: z.string().max(2000).optional() })),
  ]
}
