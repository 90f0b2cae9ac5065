import type { Posting, SearchableMessage, Store } from '../store/index.js'
import { blindTerm, tokenizeForIndex } from './terms.js'

export interface IndexerOptions {
  /** This node's name: the holder of the indexer lease. */
  nodeId: string
  /** Pause between passes once caught up. */
  intervalMs?: number
  /**
   * Messages per transaction (default 100, about 900 postings): on SQLite a transaction holds
   * the one write lock, so short ones keep the message writer's commits flowing.
   */
  batch?: number
  /**
   * How long after its id was minted a message is assumed committed. Ids are minted before the
   * group commit, so a message may become visible after a newer one; the persisted cursor stays
   * this far behind the newest message and the gap is re-read (ids only) until it settles.
   */
  settleMs?: number
  /**
   * After a pass that found work, rest this many times as long as the pass took (default 2:
   * the indexer uses at most a third of its thread and of the database's write lock). Under a
   * peak it falls behind and catches up afterwards, instead of slowing the chat down.
   */
  restRatio?: number
  onError?: (err: unknown) => void
}

export interface IndexerStats {
  /** Messages whose postings were written by the tail (new messages). */
  indexed: number
  /** Messages re-indexed or dropped because their body changed or they were deleted. */
  reindexed: number
  /** Postings written by the tail. */
  postings: number
}

const LEASE_MS = 30_000

/** The UUIDv7 prefix of time `ms`: every id minted before `ms` sorts below it. */
function idFloor(ms: number): string {
  const hex = Math.max(0, ms).toString(16).padStart(12, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}`
}

/**
 * Builds the blind index in the background: tails new messages by their time-ordered id and
 * drains the queue of changed messages (redaction revisions, deletions) that the database
 * triggers fill. The cursor is persisted with each batch, so a restart resumes where it
 * stopped; one node at a time holds the lease and indexes.
 */
export class SearchIndexer {
  readonly stats: IndexerStats = { indexed: 0, reindexed: 0, postings: 0 }
  readonly #store: Store
  readonly #keyOf: (tenantId: string) => Buffer
  readonly #opts: Required<Omit<IndexerOptions, 'onError'>> & Pick<IndexerOptions, 'onError'>
  /** The persisted cursor as this node last read or wrote it (null: read it first). */
  #cursor: string | null = null
  /** Where the tail reads next; runs ahead of the persisted cursor by up to the settle window. */
  #scanFrom: string | null = null
  /** Ids indexed beyond the persisted cursor, so re-reading the settle window writes nothing twice. */
  readonly #ahead = new Set<string>()
  #timer: NodeJS.Timeout | null = null
  #running: Promise<number> | null = null
  #stopped = true
  #paused = false
  #leaseRenewedAt = 0

  constructor(store: Store, keyOf: (tenantId: string) => Buffer, opts: IndexerOptions) {
    this.#store = store
    this.#keyOf = keyOf
    this.#opts = { intervalMs: 250, batch: 100, settleMs: 10_000, restRatio: 2, ...opts }
  }

  /** The postings of one message: its distinct words, blinded under its tenant's key. */
  postingsOf(m: SearchableMessage): Posting[] {
    // System event lines carry no words anyone typed.
    if (m.kind === 'event' || m.senderKind === 'system') return []
    const key = this.#keyOf(m.tenantId)
    return tokenizeForIndex(m.text).map((word) => ({
      tenantId: m.tenantId,
      termHash: blindTerm(key, word),
      messageId: m.id,
      conversationId: m.conversationId,
    }))
  }

  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    this.#schedule(0)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.#running?.catch(() => {})
    await this.#store.search.releaseLease(this.#opts.nodeId)
  }

  /** Runs passes until nothing is left to index right now (tests, and a caller that must see fresh results). */
  async catchUp(): Promise<void> {
    while ((await this.pass()) > 0) {}
  }

  /** One pass: changed messages first, then one batch of new ones. Returns how much it did. */
  pass(): Promise<number> {
    // One pass at a time, whoever asks: passes must not interleave their reads and writes.
    const previous = this.#running ?? Promise.resolve(0)
    const run = previous.catch(() => 0).then(() => this.#pass())
    this.#running = run
    return run
  }

  /**
   * While the node's message path is at a peak, background passes wait (a pass asked for
   * through `pass`/`catchUp` still runs): live chat comes first, the index catches up after.
   */
  setPaused(paused: boolean): void {
    this.#paused = paused
  }

  #schedule(delay: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      if (this.#paused) return this.#schedule(this.#opts.intervalMs)
      const started = performance.now()
      this.pass().then(
        (work) =>
          this.#schedule(
            work > 0 ? (performance.now() - started) * this.#opts.restRatio : this.#opts.intervalMs,
          ),
        (err) => {
          this.#opts.onError?.(err)
          this.#schedule(this.#opts.intervalMs * 4)
        },
      )
    }, delay)
    this.#timer.unref()
  }

  async #pass(): Promise<number> {
    const now = Date.now()
    if (now - this.#leaseRenewedAt > LEASE_MS / 3) {
      if (!(await this.#store.search.acquireLease(this.#opts.nodeId, now, LEASE_MS))) {
        // Another node indexes; start from the persisted cursor if the lease comes back.
        this.#cursor = null
        this.#scanFrom = null
        this.#ahead.clear()
        return 0
      }
      this.#leaseRenewedAt = now
      // Re-read the cursor with each renewal: another node may have indexed while we did not hold the lease.
      this.#cursor = null
    }
    const changed = await this.#store.search.reindexChanged(this.#opts.batch, (m) => this.postingsOf(m))
    this.stats.reindexed += changed
    return changed + (await this.#tail(now))
  }

  async #tail(now: number): Promise<number> {
    const search = this.#store.search
    this.#cursor ??= await search.cursor()
    const cursor = this.#cursor
    const from = this.#scanFrom !== null && this.#scanFrom > cursor ? this.#scanFrom : cursor
    // Ids are cheap to read: a pass looks far ahead (the unsettled window is mostly indexed
    // already) but indexes at most `batch` messages, so its transaction stays short.
    const scanLimit = this.#opts.batch * 40
    const ids = await search.idsAfter(from, scanLimit)
    const unindexed = ids.filter((id) => !this.#ahead.has(id))
    const fresh = unindexed.slice(0, this.#opts.batch)
    const truncated = fresh.length < unindexed.length
    // The ids this pass accounts for: all it read, or up to the last one it indexed.
    const covered = truncated ? ids.slice(0, ids.indexOf(fresh.at(-1)!) + 1) : ids
    const messages = await search.messages(fresh)
    const postings = messages.flatMap((m) => this.postingsOf(m))
    // The cursor may pass only ids old enough to be committed if they exist at all.
    const settled = idFloor(now - this.#opts.settleMs)
    let next: string | null = null
    for (const id of covered) if (id < settled) next = id
    const advance = next !== null && next > cursor ? next : null
    if (postings.length > 0 || advance !== null) await search.addPostings(postings, advance)
    const persisted = advance ?? cursor
    this.#cursor = persisted
    for (const id of fresh) if (id > persisted) this.#ahead.add(id)
    for (const id of this.#ahead) if (id <= persisted) this.#ahead.delete(id)
    this.stats.indexed += messages.length
    this.stats.postings += postings.length
    // Short of the scan limit means the head is reached: next time, re-read the unsettled window (ids only).
    const full = truncated || ids.length === scanLimit
    this.#scanFrom = full ? covered.at(-1)! : persisted
    // A full scan of already-indexed ids is still progress: the pass must go on past them.
    return full ? Math.max(1, fresh.length) : fresh.length
  }
}
