import { z } from 'zod'
import { agentOf } from '../identity/index.js'
import { type AnyRoute, defineRoute } from '../server/routes.js'
import type { RevealRequestWithToken } from '../store/index.js'
import type { RevealService } from './reveal-service.js'
import { TOKEN_ID_PATTERN } from './token-vault.js'

const requestView = z.object({
  id: z.string(),
  tokenId: z.string(),
  /** The token's category and the conversation it was typed in (null: outside one); never the value. */
  category: z.string().nullable(),
  conversationId: z.string().nullable(),
  requesterId: z.string(),
  reason: z.string(),
  state: z.enum(['pending', 'approved', 'denied']),
  decidedBy: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  reveals: z.number(),
})
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const present = (r: RevealRequestWithToken): z.infer<typeof requestView> => ({
  id: r.id,
  tokenId: r.token_id,
  category: r.type,
  conversationId: r.conversation_id,
  requesterId: r.requester_id,
  reason: r.reason,
  state: r.state,
  decidedBy: r.decided_by,
  createdAt: new Date(r.created_at).toISOString(),
  decidedAt: iso(r.decided_at),
  expiresAt: iso(r.expires_at),
  reveals: r.reveals,
})
const requestId = z.object({ id: z.uuid() })

/** Routes of the vault: asking to see a tokenized value, approving it, and seeing it. */
export function vaultRoutes({ reveals }: { reveals: RevealService }): AnyRoute[] {
  const decision = (step: 'approve' | 'deny', state: 'approved' | 'denied') =>
    defineRoute({
      method: 'POST',
      url: `/api/v1/vault/reveals/:id/${step}`,
      tag: 'vault',
      summary: `${step === 'approve' ? 'Approve' : 'Deny'} a pending reveal (an admin other than the requester; with MFA, a code from the last 15 minutes).`,
      auth: 'admin',
      factor: 'recent',
      params: requestId,
      response: requestView,
      handler: async (req, { params }) => present(await reveals.decide(agentOf(req), params.id, state)),
    })
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/vault/reveals',
      tag: 'vault',
      summary:
        "Ask to see a tokenized value, with a reason. Allowed roles, approval and window come from the tenant's protect policy (`reveal`).",
      auth: 'agent',
      body: z.object({
        token: z.string().regex(TOKEN_ID_PATTERN, 'a token id: tok_ and 22 characters'),
        reason: z.string().trim().min(10, 'say why you need the value (at least 10 characters)').max(500),
      }),
      status: 201,
      response: requestView,
      handler: async (req, { body }) => present(await reveals.request(agentOf(req), body.token, body.reason)),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/vault/reveals',
      tag: 'vault',
      summary: "Reveal requests, newest first: the tenant's for admins, your own otherwise.",
      auth: 'agent',
      query: z.object({
        state: z.enum(['pending', 'approved', 'denied']).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: z.object({ requests: z.array(requestView) }),
      handler: async (req, { query }) => ({
        requests: (await reveals.list(agentOf(req), query.state, query.limit)).map(present),
      }),
    }),
    decision('approve', 'approved'),
    decision('deny', 'denied'),
    defineRoute({
      method: 'POST',
      url: '/api/v1/vault/reveals/:id/value',
      tag: 'vault',
      summary: 'The value of a granted reveal, for its requester, inside its window. Never cached.',
      auth: 'agent',
      factor: 'transcript',
      params: requestId,
      response: z.object({
        tokenId: z.string(),
        type: z.string(),
        value: z.string(),
        expiresAt: z.string(),
      }),
      handler: async (req, { params }, reply) => {
        const shown = await reveals.reveal(agentOf(req), params.id)
        reply.header('cache-control', 'no-store')
        return {
          tokenId: shown.tokenId,
          type: shown.type,
          value: shown.value,
          expiresAt: new Date(shown.expiresAt).toISOString(),
        }
      },
    }),
  ]
}
