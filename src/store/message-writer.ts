import type { BodyCodec } from './body-codec.js'
import type { MessageOps } from './message-ops.js'
import type { MessageTable, NewMessageRow } from './schema.js'

export interface MessageWrite {
  id: string
  tenantId: string
  conversationId: string
  clientMsgId: string
  senderKind: MessageTable['sender_kind']
  senderId: string
  kind: MessageTable['kind']
  text: string
  attachmentId?: string | null
  /** What redaction found in `text` (category → count), stored as metadata beside it. */
  redactions?: Record<string, number>
  createdAt: number
}

export interface MessageWriteResult {
  /** The stored message's id: the draft's own, or the earlier one when this was a resend. */
  id: string
  seq: number
  createdAt: number
  /** True when the same client message id was already stored: nothing new was written. */
  duplicate: boolean
}

/**
 * A write as it reaches the database: the body already turned into bytes by the BodyCodec
 * (on the serving thread, where the vault's keys live), so a commit can run anywhere.
 */
export type EncodedMessageWrite = Omit<MessageWrite, 'text' | 'attachmentId' | 'redactions'> & {
  body: Buffer
  attachmentId: string | null
  /** JSON of the redaction counts, as stored. */
  redactions: string
}

/** Commits a batch in one transaction; one entry per write, in order (an Error fails just that write). */
export type BatchCommit = (writes: EncodedMessageWrite[]) => Promise<(MessageWriteResult | Error)[]>

interface Pending {
  write: EncodedMessageWrite
  resolve: (r: MessageWriteResult) => void
  reject: (err: unknown) => void
}

export class ConversationMissing extends Error {
  constructor(readonly conversationId: string) {
    super(`conversation ${conversationId} not found`)
  }
}

interface Lane {
  queue: Pending[]
  flushing: boolean
  scheduled: boolean
}

/** A stable lane for a conversation id (FNV-1a). */
function laneOf(conversationId: string, lanes: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < conversationId.length; i++) h = Math.imul(h ^ conversationId.charCodeAt(i), 0x01000193)
  return (h >>> 0) % lanes
}

/** SQLite allows 32,766 bound parameters; 11 columns × 500 rows stays well inside. */
const MAX_BATCH = 500

/**
 * Group commit for messages. Writes queued in the same event-loop turn (and while a commit
 * is in flight) share one transaction, so a busy server pays one commit for many messages.
 * A write's promise resolves only after its transaction committed: that is when the sender
 * may be acked. Sequence numbers are assigned inside the transaction from the conversation
 * row, which the transaction holds (row lock on PostgreSQL, the single writer on SQLite),
 * so two nodes never hand out the same seq, and a resend of a stored client message id
 * returns the stored message instead of writing a second one.
 */
export class MessageWriter {
  readonly #lanes: Lane[]
  readonly #commit: BatchCommit
  readonly #codec: () => BodyCodec
  /** Observes each commit (batch size and duration) for metrics. */
  onCommit: (size: number, ms: number) => void = () => {}

  /**
   * `lanes` > 1 lets that many group commits run at once (PostgreSQL, where a commit waits on
   * the network and the disk). A conversation always uses the same lane, so its messages
   * still commit in the order they were queued; lanes never share a conversation row.
   */
  constructor(commit: BatchCommit, codec: () => BodyCodec, lanes = 1) {
    this.#commit = commit
    this.#codec = codec
    this.#lanes = Array.from({ length: Math.max(1, lanes) }, () => ({
      queue: [],
      flushing: false,
      scheduled: false,
    }))
  }

  write(write: MessageWrite): Promise<MessageWriteResult> {
    const lane = this.#lanes[this.#lanes.length === 1 ? 0 : laneOf(write.conversationId, this.#lanes.length)]!
    // The text becomes bytes here; it does not travel on to the commit (or its thread).
    // Fields are listed, not spread: on Node 20's V8 `{ ...rest, body }` mints a new hidden
    // class per object, which at thousands of messages a second fills old space with maps.
    const encoded: EncodedMessageWrite = {
      id: write.id,
      tenantId: write.tenantId,
      conversationId: write.conversationId,
      clientMsgId: write.clientMsgId,
      senderKind: write.senderKind,
      senderId: write.senderId,
      kind: write.kind,
      createdAt: write.createdAt,
      body: this.#codec().encode(
        { tenantId: write.tenantId, conversationId: write.conversationId, recordId: write.id },
        write.text,
      ),
      attachmentId: write.attachmentId ?? null,
      redactions: JSON.stringify(write.redactions ?? {}),
    }
    return new Promise((resolve, reject) => {
      lane.queue.push({ write: encoded, resolve, reject })
      this.#schedule(lane)
    })
  }

  /** Resolves once everything queued so far has been committed or failed. */
  async drain(): Promise<void> {
    while (this.#lanes.some((l) => l.queue.length > 0 || l.flushing))
      await new Promise((r) => setTimeout(r, 2))
  }

  #schedule(lane: Lane): void {
    if (lane.scheduled || lane.flushing) return
    lane.scheduled = true
    setImmediate(() => {
      lane.scheduled = false
      void this.#flush(lane)
    })
  }

  async #flush(lane: Lane): Promise<void> {
    if (lane.flushing || lane.queue.length === 0) return
    lane.flushing = true
    const batch = lane.queue.splice(0, MAX_BATCH)
    const started = performance.now()
    let handedOver = false
    try {
      const results = await this.#commit(batch.map((p) => p.write))
      this.onCommit(batch.length, performance.now() - started)
      // Pipelining: what queued during this commit goes to the database now, before this
      // batch's acks and deliveries run, so the two overlap instead of taking turns (bench:chat
      // gained in most alternating runs). A write is still acked only once its own commit is
      // back, and batches still commit one at a time, in queue order.
      if (lane.queue.length > 0) {
        lane.flushing = false
        handedOver = true
        void this.#flush(lane)
      }
      batch.forEach((p, i) => {
        const r = results[i]!
        if (r instanceof Error) p.reject(r)
        else p.resolve(r)
      })
    } catch (err) {
      // One bad write must not fail its neighbours: retry each on its own.
      if (batch.length === 1) batch[0]!.reject(err)
      else await this.#commitEachAlone(batch)
    } finally {
      if (!handedOver) {
        lane.flushing = false
        if (lane.queue.length > 0) this.#schedule(lane)
      }
    }
  }

  async #commitEachAlone(items: Pending[]): Promise<void> {
    for (const p of items) {
      try {
        const [r] = await this.#commit([p.write])
        if (r instanceof Error) p.reject(r)
        else p.resolve(r!)
      } catch (err) {
        p.reject(err)
      }
    }
  }
}

/**
 * The group commit's algorithm over one engine's statements, inside the caller's transaction:
 * resends are answered with the stored message, sequence numbers are assigned from the
 * conversation row, and a write to a missing (or another tenant's) conversation fails alone.
 */
export async function commitBatch(
  ops: MessageOps,
  batch: EncodedMessageWrite[],
): Promise<(MessageWriteResult | ConversationMissing)[]> {
  const keyOf = (w: EncodedMessageWrite) => `${w.conversationId}\u0000${w.clientMsgId}`
  const tenantOf = await ops.owners([...new Set(batch.map((w) => w.conversationId))])
  const existing = await ops.existing(
    batch.map((w) => ({ conversationId: w.conversationId, clientMsgId: w.clientMsgId })),
  )
  const known = new Map<string, MessageWriteResult>()
  for (const row of existing) {
    known.set(`${row.conversation_id}\u0000${row.client_msg_id}`, {
      id: row.id,
      seq: row.seq,
      createdAt: row.created_at,
      duplicate: true,
    })
  }

  // Fresh writes, first occurrence of each (conversation, client id) only.
  const fresh: EncodedMessageWrite[] = []
  const freshKeys = new Set<string>()
  const perConv = new Map<string, number>()
  for (const w of batch) {
    const key = keyOf(w)
    // A conversation missing, or of another tenant, fails just that write.
    if (known.has(key) || freshKeys.has(key) || tenantOf.get(w.conversationId) !== w.tenantId) continue
    freshKeys.add(key)
    fresh.push(w)
    perConv.set(w.conversationId, (perConv.get(w.conversationId) ?? 0) + 1)
  }

  if (fresh.length > 0) {
    const now = Date.now()
    const nextSeq = new Map<string, number>()
    const lastSeq = await ops.bump([...perConv], now)
    for (const [id, last] of lastSeq) nextSeq.set(id, last - (perConv.get(id) ?? 0) + 1)
    const agentConvs = new Set<string>()
    const rows: NewMessageRow[] = []
    for (const w of fresh) {
      const seq = nextSeq.get(w.conversationId)!
      nextSeq.set(w.conversationId, seq + 1)
      rows.push({
        id: w.id,
        tenant_id: w.tenantId,
        conversation_id: w.conversationId,
        seq,
        client_msg_id: w.clientMsgId,
        sender_kind: w.senderKind,
        sender_id: w.senderId,
        kind: w.kind,
        body: w.body,
        attachment_id: w.attachmentId,
        redactions: w.redactions,
        created_at: w.createdAt,
      })
      known.set(keyOf(w), { id: w.id, seq, createdAt: w.createdAt, duplicate: false })
      if (w.senderKind === 'agent' && w.kind !== 'note') agentConvs.add(w.conversationId)
    }
    await ops.insert(rows)
    if (agentConvs.size > 0) await ops.markFirstResponse([...agentConvs], now)
  }

  const firstWrite = new Map<string, EncodedMessageWrite>()
  return batch.map((w) => {
    const key = keyOf(w)
    const result = tenantOf.get(w.conversationId) === w.tenantId ? known.get(key) : undefined
    if (!result) return new ConversationMissing(w.conversationId)
    // A second copy inside the same batch is a resend of the first.
    const first = firstWrite.get(key)
    if (first && first !== w) return { ...result, duplicate: true }
    firstWrite.set(key, w)
    return result
  })
}
