import { randomUUID } from 'node:crypto'
import { ParleyError } from '../errors/index.js'
import type { EventStream } from '../events/index.js'
import { type AgentContext, actorOf } from '../identity/index.js'
import type { RevealRequestRow, RevealRequestWithToken, Store } from '../store/index.js'
import { checkRevealable, decide, openRequest, type RevealRules } from './reveal.js'
import type { TokenVault } from './token-vault.js'

export interface RevealServiceDeps {
  store: Store
  tokens: TokenVault
  events: EventStream
  /** The tenant's reveal rules (from its protect policy). */
  rules: (tenantId: string) => Promise<RevealRules>
  /** Whether the agent may read the conversation a token was typed in. */
  canReadConversation: (ctx: AgentContext, conversationId: string) => Promise<boolean>
  now?: () => number
}

const requester = (ctx: AgentContext) => ({ agentId: ctx.agentId, role: ctx.role })
const grantOf = (row: RevealRequestRow) => ({
  requesterId: row.requester_id,
  state: row.state,
  expiresAt: row.expires_at,
})

/**
 * Reveal of tokenized values: asked for with a reason, by a role the tenant's policy names,
 * for a token of a conversation the asker may read; granted by a second admin when the policy
 * says so; shown only to the asker and only inside the window. Every step is an event.
 */
export class RevealService {
  readonly #now: () => number

  constructor(private readonly deps: RevealServiceDeps) {
    this.#now = deps.now ?? Date.now
  }

  async request(ctx: AgentContext, tokenId: string, reason: string): Promise<RevealRequestWithToken> {
    const { store, tokens, events } = this.deps
    const token = await tokens.describe(ctx.tenantId, tokenId)
    // A token the asker could not see in a transcript is answered like one that does not exist.
    const visible =
      token &&
      (token.conversationId === null
        ? ctx.role === 'admin'
        : await this.deps.canReadConversation(ctx, token.conversationId))
    if (!token || !visible)
      throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'token not found', { resource: 'token' })
    const now = this.#now()
    const opened = openRequest(await this.deps.rules(ctx.tenantId), requester(ctx), now)
    const row: Omit<RevealRequestRow, 'reveals'> = {
      id: randomUUID(),
      tenant_id: ctx.tenantId,
      token_id: token.tokenId,
      requester_id: ctx.agentId,
      reason,
      state: opened.state,
      decided_by: null,
      created_at: now,
      decided_at: opened.state === 'approved' ? now : null,
      expires_at: opened.expiresAt,
    }
    await store.vault.insertRevealRequest(row)
    events.emit({
      type: 'protect.reveal_requested',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      requestId: row.id,
      tokenId: token.tokenId,
      category: token.type,
      conversationId: token.conversationId,
      reason,
      state: opened.state,
    })
    return { ...row, reveals: 0, type: token.type, conversation_id: token.conversationId }
  }

  async decide(
    ctx: AgentContext,
    requestId: string,
    decision: 'approved' | 'denied',
  ): Promise<RevealRequestWithToken> {
    const { store, events } = this.deps
    const row = await this.#find(ctx.tenantId, requestId)
    const now = this.#now()
    const next = decide(await this.deps.rules(ctx.tenantId), grantOf(row), requester(ctx), decision, now)
    const changed = await store.vault.decideRevealRequest(ctx.tenantId, row.id, {
      state: next.state,
      decidedBy: ctx.agentId,
      at: now,
      expiresAt: next.expiresAt,
    })
    if (!changed) throw new ParleyError('PARLEY_ERR_CONFLICT', 'the reveal request was decided meanwhile')
    events.emit({
      type: 'protect.reveal_decided',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      requestId: row.id,
      tokenId: row.token_id,
      requesterId: row.requester_id,
      decision,
    })
    const token = await this.deps.tokens.describe(ctx.tenantId, row.token_id)
    return {
      ...row,
      state: next.state,
      decided_by: ctx.agentId,
      decided_at: now,
      expires_at: next.expiresAt,
      type: token?.type ?? null,
      conversation_id: token?.conversationId ?? null,
    }
  }

  /** The value, for the asker inside the granted window; each call is counted and an event. */
  async reveal(ctx: AgentContext, requestId: string) {
    const { store, tokens, events } = this.deps
    const row = await this.#find(ctx.tenantId, requestId)
    checkRevealable(grantOf(row), requester(ctx), this.#now())
    const opened = await tokens.open(ctx.tenantId, row.token_id)
    if (!opened) throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'token not found', { resource: 'token' })
    await store.vault.countReveal(ctx.tenantId, row.id)
    events.emit({
      type: 'protect.revealed',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      requestId: row.id,
      tokenId: row.token_id,
      category: opened.type,
      conversationId: opened.conversationId,
    })
    return { ...opened, expiresAt: row.expires_at! }
  }

  /** Admins see the tenant's requests; anyone else only their own. */
  list(ctx: AgentContext, state: RevealRequestRow['state'] | undefined, limit: number) {
    return this.deps.store.vault.revealRequests(ctx.tenantId, {
      limit,
      ...(state ? { state } : {}),
      ...(ctx.role === 'admin' ? {} : { requesterId: ctx.agentId }),
    })
  }

  async #find(tenantId: string, id: string): Promise<RevealRequestRow> {
    const row = await this.deps.store.vault.revealRequest(tenantId, id)
    if (!row)
      throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'reveal request not found', {
        resource: 'reveal_request',
      })
    return row
  }
}
