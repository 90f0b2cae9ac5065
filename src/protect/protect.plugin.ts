import { z } from 'zod'
import { ParleyError } from '../errors/index.js'
import type { EventStream } from '../events/index.js'
import { adminChangeEvent, agentOf } from '../identity/index.js'
import { type AnyRoute, defineRoute } from '../server/routes.js'
import type { Store } from '../store/index.js'
import type { MessageProtector } from './message-protector.js'
import { compilePolicy, DEFAULT_POLICY, policySchema } from './policy.js'
import { scanText } from './scan.js'

const policyView = z.object({ policy: z.unknown(), isDefault: z.boolean() })
const findingView = z.object({ type: z.string(), start: z.number(), end: z.number() })

/** Routes of protect: the tenant's redaction policy, and a dry run of it on sample text. */
export function protectRoutes({
  store,
  protector,
  events,
}: {
  store: Store
  protector: MessageProtector
  events: EventStream
}): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/protect/policy',
      tag: 'protect',
      summary: "The tenant's redaction policy (the strict default until one is saved).",
      auth: 'admin',
      response: policyView,
      handler: async (req) => {
        const saved = await store.directory.protectPolicy(agentOf(req).tenantId)
        return { policy: saved ?? DEFAULT_POLICY, isDefault: saved === null }
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/protect/policy',
      tag: 'protect',
      summary:
        'Replace the redaction policy (docs/protect.md). Custom patterns are checked for safety and against their test string first.',
      auth: 'admin',
      body: z.unknown(),
      response: policyView,
      handler: async (req, { body }) => {
        const ctx = agentOf(req)
        const compiled = compilePolicy(body)
        if (compiled.tokenizes && !protector.canTokenize) {
          throw new ParleyError(
            'PARLEY_ERR_PROTECT_TOKENIZE_UNAVAILABLE',
            'tokenize keeps values in the vault, and this server runs without one; use mask or remove',
          )
        }
        const document = policySchema.parse(body)
        await store.directory.setProtectPolicy(ctx.tenantId, document)
        protector.invalidate(ctx.tenantId)
        events.emit(adminChangeEvent(ctx, 'protect_policy', 'update', ctx.tenantId))
        return { policy: document, isDefault: false }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/protect/test',
      tag: 'protect',
      summary:
        'Dry run: what a policy (the saved one, or `policy` from the body) does to sample text. Nothing is stored.',
      auth: 'admin',
      body: z.object({ text: z.string().max(100_000), policy: z.unknown().optional() }),
      response: z.object({
        text: z.string(),
        findings: z.array(findingView),
        summary: z.record(z.string(), z.number()),
      }),
      handler: async (req, { body }) => {
        const doc =
          body.policy ?? (await store.directory.protectPolicy(agentOf(req).tenantId)) ?? DEFAULT_POLICY
        // A dry run keeps nothing: tokenized values show as a placeholder token.
        const result = scanText(body.text, compilePolicy(doc), {
          tokenizer: { tokenize: ({ type }) => `[${type}:tok_preview]` },
        })
        return {
          text: result.text,
          findings: result.findings,
          summary: result.summary as Record<string, number>,
        }
      },
    }),
  ]
}
