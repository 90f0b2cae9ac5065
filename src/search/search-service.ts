import { randomBytes } from 'node:crypto'
import { ParleyError } from '../errors/index.js'
import type { EventStream } from '../events/index.js'
import { type AgentContext, actorOf, canAccessConversation } from '../identity/index.js'
import type { SearchHit, Store, StoreOptions } from '../store/index.js'
import { SearchIndexer } from './indexer.js'
import { IndexerThread } from './indexer-thread.js'
import { snippetAround } from './snippet.js'
import { blindTerm, secretFingerprint, tenantSearchKeys, tokenizeForIndex } from './terms.js'

/** Quiet rate reports in a row (one a second in the server) before paused indexing resumes. */
export const CALM_REPORTS = 5

/** At most this many words in a query: each one is a lookup. */
export const MAX_QUERY_WORDS = 8

export interface SearchResult {
  conversationId: string
  messageId: string
  seq: number
  senderKind: 'visitor' | 'agent' | 'system'
  sentAt: string
  snippet: string
}

export interface SearchServiceOptions {
  store: Store
  events: EventStream
  nodeId: string
  /** SEARCH_KEY: the search secret from outside the database; generated and stored in it when absent. */
  configuredSecret?: string | undefined
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void }
  indexer?: { intervalMs?: number; batch?: number; settleMs?: number; restRatio?: number }
  /**
   * Run the indexer on a thread of its own that opens the database with these options (the
   * server does); without it the indexer runs on the caller's thread (tests drive it directly).
   */
  indexerThread?: StoreOptions
}

/**
 * Transcript search over keyed blind indexes: words become per-tenant HMACs, a query is
 * blinded the same way and matched by equality, and hits are checked against the decoded
 * text before anyone sees them. The plaintext of a message is never read with LIKE and
 * never stored anywhere but its (future: sealed) body.
 */
export class SearchService {
  readonly indexer: SearchIndexer
  readonly #store: Store
  readonly #events: EventStream
  readonly #secret: Buffer
  readonly #keyOf: (tenantId: string) => Buffer
  readonly #opts: SearchServiceOptions
  #thread: IndexerThread | null = null
  #paused = false
  #calm = 0

  private constructor(opts: SearchServiceOptions, secret: Buffer) {
    this.#store = opts.store
    this.#events = opts.events
    this.#secret = secret
    this.#keyOf = tenantSearchKeys(secret)
    this.#opts = opts
    this.indexer = new SearchIndexer(opts.store, this.#keyOf, {
      nodeId: opts.nodeId,
      ...opts.indexer,
      onError: (err) => opts.log?.error({ err }, 'search indexer pass failed'),
    })
  }

  /**
   * Finds the search secret (SEARCH_KEY, or the one generated on first start) and makes
   * sure the stored index was built with it; a different secret empties the index, which
   * the indexer then rebuilds from the first message.
   */
  static async open(opts: SearchServiceOptions): Promise<SearchService> {
    const configured = opts.configuredSecret ? Buffer.from(opts.configuredSecret, 'base64url') : null
    const generated = randomBytes(32)
    const initialSecret = configured ?? generated
    const state = await opts.store.search.state({
      keySecret: configured ? null : generated.toString('base64url'),
      keyFingerprint: secretFingerprint(initialSecret),
    })
    let secret: Buffer
    if (configured) {
      secret = configured
      if (state.keyFingerprint !== secretFingerprint(configured)) {
        opts.log?.warn({}, 'SEARCH_KEY differs from the key the search index was built with: rebuilding it')
        await opts.store.search.reset({ keySecret: null, keyFingerprint: secretFingerprint(configured) })
      }
    } else if (state.keySecret) {
      secret = Buffer.from(state.keySecret, 'base64url')
    } else {
      // The index was built with a SEARCH_KEY that is no longer set: it cannot be queried any more.
      opts.log?.warn({}, 'SEARCH_KEY is no longer set: rebuilding the search index with a generated key')
      secret = generated
      await opts.store.search.reset({
        keySecret: generated.toString('base64url'),
        keyFingerprint: secretFingerprint(generated),
      })
    }
    return new SearchService(opts, secret)
  }

  /** The blind terms of a query under the tenant's key (what the index is asked for). */
  blindQuery(tenantId: string, query: string): { words: string[]; hashes: Buffer[] } {
    const words = tokenizeForIndex(query)
    if (words.length === 0 || words.length > MAX_QUERY_WORDS) {
      throw new ParleyError(
        'PARLEY_ERR_SEARCH_QUERY_INVALID',
        words.length === 0
          ? 'the query has no word of two or more letters or digits'
          : `the query has more than ${MAX_QUERY_WORDS} words`,
        { maxWords: MAX_QUERY_WORDS },
      )
    }
    const key = this.#keyOf(tenantId)
    // Longer words tend to be rarer: the rarest list drives the lookup, the others are probes.
    const ordered = [...words].sort((a, b) => b.length - a.length)
    return { words, hashes: ordered.map((w) => blindTerm(key, w)) }
  }

  /**
   * Messages of conversations the agent may read that contain every word of `query`, newest
   * first. Emits `transcript.search` with the query's length and the result count, never its text.
   */
  async search(
    ctx: AgentContext,
    query: string,
    page: { limit: number; before?: string | undefined },
  ): Promise<{ results: SearchResult[]; nextCursor: string | null }> {
    const { words, hashes } = this.blindQuery(ctx.tenantId, query)
    const teams =
      ctx.role === 'admin' ? [] : await this.#store.directory.teamsOfAgent(ctx.tenantId, ctx.agentId)
    const visibleTo = ctx.role === 'admin' ? undefined : { agentId: ctx.agentId, teamIds: teams }
    const results: SearchResult[] = []
    let before = page.before
    let more = false
    // Hits that fail verification (a stale term, a hash collision) are dropped, so a page may
    // need more than one round; each round asks for what is still missing, plus one to know
    // whether a next page exists.
    for (let round = 0; round < 5 && results.length < page.limit; round++) {
      const want = page.limit - results.length + 1
      const hits = await this.#store.search.find({
        tenantId: ctx.tenantId,
        termHashes: hashes,
        visibleTo,
        beforeMessageId: before,
        limit: want,
      })
      more = hits.length === want
      const usable = hits.slice(0, page.limit - results.length)
      results.push(...(await this.#verified(ctx, teams, usable, words)))
      before = usable.at(-1)?.messageId
      if (!more) break
    }
    this.#events.emit({
      type: 'transcript.search',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      queryLength: query.length,
      words: words.length,
      results: results.length,
    })
    return {
      results,
      nextCursor: more && before !== undefined ? Buffer.from(before).toString('base64url') : null,
    }
  }

  async #verified(
    ctx: AgentContext,
    teams: readonly string[],
    hits: readonly SearchHit[],
    words: readonly string[],
  ): Promise<SearchResult[]> {
    const allowed = hits.filter((h) => canAccessConversation(ctx, 'read', h.conversation, teams))
    const messages = new Map(
      (
        await this.#store.search.messages(
          allowed.map((h) => h.messageId),
          ctx.tenantId,
        )
      ).map((m) => [m.id, m]),
    )
    const out: SearchResult[] = []
    for (const hit of allowed) {
      const m = messages.get(hit.messageId)
      if (!m) continue
      const present = new Set(tokenizeForIndex(m.text))
      if (!words.every((w) => present.has(w))) continue
      out.push({
        conversationId: m.conversationId,
        messageId: m.id,
        seq: m.seq,
        senderKind: m.senderKind,
        sentAt: new Date(m.createdAt).toISOString(),
        snippet: snippetAround(m.text, words),
      })
    }
    return out
  }

  /** Starts indexing, on its own thread when `indexerThread` was given. */
  async start(): Promise<void> {
    const opts = this.#opts
    if (!opts.indexerThread) return this.indexer.start()
    this.#thread = new IndexerThread(
      {
        store: opts.indexerThread,
        secret: this.#secret.toString('base64url'),
        nodeId: opts.nodeId,
        indexer: opts.indexer ?? {},
      },
      (message) => opts.log?.error({ err: { message } }, 'search indexer pass failed'),
    )
    await this.#thread.started()
  }

  /**
   * Tells the indexer how busy the message path is: above `pauseAbove` messages a second it
   * pauses, and it resumes once the rate has stayed under half of that for CALM_REPORTS
   * reports (no flapping at the edge).
   */
  reportMessageRate(perSecond: number, pauseAbove: number): void {
    // Paused, it waits for CALM_REPORTS quiet reports in a row: a lull inside a peak (a
    // reconnect wave, a pause between bursts) must not restart indexing for a second.
    this.#calm = this.#paused && perSecond < pauseAbove / 2 ? this.#calm + 1 : 0
    const paused = this.#paused ? this.#calm < CALM_REPORTS : perSecond > pauseAbove
    if (paused === this.#paused) return
    this.#paused = paused
    if (this.#thread) this.#thread.setPaused(paused)
    else this.indexer.setPaused(paused)
    this.#opts.log?.warn(
      { messagesPerSecond: Math.round(perSecond) },
      paused ? 'search indexing paused: message peak' : 'search indexing resumed',
    )
  }

  /** Indexes everything there is right now (where the indexer runs); for callers that must see fresh results. */
  catchUp(): Promise<void> {
    return this.#thread ? this.#thread.catchUp() : this.indexer.catchUp()
  }

  async stop(): Promise<void> {
    if (this.#thread) await this.#thread.stop()
    else await this.indexer.stop()
  }
}
