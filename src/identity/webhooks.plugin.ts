import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { z } from 'zod'
import type { EventStream } from '../events/index.js'
import { type AnyRoute, defineRoute } from '../server/routes.js'
import type { Store } from '../store/index.js'
import { adminDeleteRoute } from './admin-routes.js'
import { adminChangeEvent } from './context.js'
import { agentOf } from './request-auth.js'
import { newSecret } from './secrets.js'
import { checkWebhookUrl, deliverWebhook } from './webhooks.js'

export const WEBHOOK_EVENTS = ['watch.alert'] as const
const RETRY_DELAYS_MS = [0, 1000, 5000]

/** Posts signed notifications to the tenant's webhooks, retrying a failed delivery twice. */
export class WebhookNotifier {
  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
    private readonly allowPrivate: boolean,
  ) {}

  async notify(tenantId: string, event: (typeof WEBHOOK_EVENTS)[number], payload: unknown): Promise<void> {
    const hooks = (await this.store.content.webhooks(tenantId)).filter((w) => w.events.includes(event))
    await Promise.all(hooks.map((hook) => this.#deliver(hook, event, payload)))
  }

  async #deliver(
    hook: { id: string; url: string; secret: string },
    event: string,
    payload: unknown,
  ): Promise<void> {
    for (const delay of RETRY_DELAYS_MS) {
      if (delay) await new Promise((r) => setTimeout(r, delay))
      try {
        const status = await deliverWebhook(hook, event, payload, { allowPrivate: this.allowPrivate })
        if (status >= 200 && status < 300) return
        this.log.warn({ webhookId: hook.id, status }, 'webhook answered with an error status')
      } catch (err) {
        this.log.warn({ webhookId: hook.id, err: (err as Error).message }, 'webhook delivery failed')
      }
    }
  }
}

const webhookView = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  createdAt: z.string(),
})

/** Routes of webhooks (admins): list, create (the signing secret is shown once), delete. */
export function webhookRoutes({
  store,
  events,
  allowPrivate,
}: {
  store: Store
  events: EventStream
  allowPrivate: boolean
}): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/webhooks',
      tag: 'webhooks',
      summary: 'Webhooks of the tenant (their secrets are never shown again).',
      auth: 'admin',
      response: z.object({ items: z.array(webhookView) }),
      handler: async (req) => ({
        items: (await store.content.webhooks(agentOf(req).tenantId)).map((w) => ({
          id: w.id,
          url: w.url,
          events: w.events,
          createdAt: new Date(w.createdAt).toISOString(),
        })),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/webhooks',
      tag: 'webhooks',
      summary:
        'Add a webhook (https, public address). Deliveries carry X-Parley-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>; the secret is returned once.',
      auth: 'admin',
      body: z.object({
        url: z.string().max(2000),
        events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).default(['watch.alert']),
      }),
      response: webhookView.extend({ secret: z.string() }),
      status: 201,
      handler: async (req, { body }) => {
        const ctx = agentOf(req)
        const url = checkWebhookUrl(body.url, allowPrivate).toString()
        const id = randomUUID()
        const secret = `whsec_${newSecret(24)}`
        await store.content.insertWebhook({ id, tenantId: ctx.tenantId, url, secret, events: body.events })
        events.emit(adminChangeEvent(ctx, 'webhook', 'create', id))
        return { id, url, events: body.events, createdAt: new Date().toISOString(), secret }
      },
    }),
    adminDeleteRoute({
      url: '/api/v1/webhooks/:id',
      tag: 'webhooks',
      summary: 'Delete a webhook (admin).',
      resource: 'webhook',
      noun: 'webhook',
      events,
      remove: (tenantId, id) => store.content.deleteWebhook(tenantId, id),
    }),
  ]
}
