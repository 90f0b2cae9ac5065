import type { BodyCodec } from './body-codec.js'
import type { MessageOps, MessageTransaction } from './message-ops.js'
import type { MessageTable } from './schema.js'

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

interface Pending {
  write: MessageWrite
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
  readonly #transaction: MessageTransaction
  readonly #codec: () => BodyCodec
  /** Observes each commit (batch size and duration) for metrics. */
  onCommit: (size: number, ms: number) => void = () => {}

  /**
   * `lanes` > 1 lets that many group commits run at once (PostgreSQL, where a commit waits on
   * the network and the disk). A conversation always uses the same lane, so its messages
   * still commit in the order they were queued; lanes never share a conversation row.
   */
  constructor(transaction: MessageTransaction, codec: () => BodyCodec, lanes = 1) {
    this.#transaction = transaction
    this.#codec = codec
    this.#lanes = Array.from({ length: Math.max(1, lanes) }, () => ({
      queue: [],
      flushing: false,
      scheduled: false,
    }))
  }

  write(write: MessageWrite): Promise<MessageWriteResult> {
    const lane = this.#lanes[this.#lanes.length === 1 ? 0 : laneOf(write.conversationId, this.#lanes.length)]!
    return new Promise((resolve, reject) => {
      lane.queue.push({ write, resolve, reject })
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
    try {
      const results = await this.#transaction((ops) => this.#commit(ops, batch))
      this.onCommit(batch.length, performance.now() - started)
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
      lane.flushing = false
      if (lane.queue.length > 0) this.#schedule(lane)
    }
  }

  async #commitEachAlone(items: Pending[]): Promise<void> {
    for (const p of items) {
      try {
        const [r] = await this.#transaction((ops) => this.#commit(ops, [p]))
        if (r instanceof Error) p.reject(r)
        else p.resolve(r!)
      } catch (err) {
        p.reject(err)
      }
    }
  }

  async #commit(ops: MessageOps, batch: Pending[]): Promise<(MessageWriteResult | Error)[]> {
    const convIds = [...new Set(batch.map((p) => p.write.conversationId))]
    const tenantOf = await ops.owners(convIds)
    const existing = await ops.existing(
      batch.map((p) => ({ conversationId: p.write.conversationId, clientMsgId: p.write.clientMsgId })),
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
    const fresh: Pending[] = []
    const freshKeys = new Set<string>()
    const perConv = new Map<string, number>()
    for (const p of batch) {
      const key = `${p.write.conversationId}\u0000${p.write.clientMsgId}`
      // A conversation missing, or of another tenant, fails just that write.
      if (known.has(key) || freshKeys.has(key) || tenantOf.get(p.write.conversationId) !== p.write.tenantId)
        continue
      freshKeys.add(key)
      fresh.push(p)
      perConv.set(p.write.conversationId, (perConv.get(p.write.conversationId) ?? 0) + 1)
    }

    const nextSeq = new Map<string, number>()
    if (fresh.length > 0) {
      const now = Date.now()
      const lastSeq = await ops.bump([...perConv], now)
      for (const [id, last] of lastSeq) nextSeq.set(id, last - (perConv.get(id) ?? 0) + 1)
      const agentConvs = new Set<string>()
      const codec = this.#codec()
      const rows = []
      for (const p of fresh) {
        const w = p.write
        const seq = nextSeq.get(w.conversationId)!
        nextSeq.set(w.conversationId, seq + 1)
        const ref = { tenantId: w.tenantId, conversationId: w.conversationId, recordId: w.id }
        rows.push({
          id: w.id,
          tenant_id: w.tenantId,
          conversation_id: w.conversationId,
          seq,
          client_msg_id: w.clientMsgId,
          sender_kind: w.senderKind,
          sender_id: w.senderId,
          kind: w.kind,
          body: codec.encode(ref, w.text),
          attachment_id: w.attachmentId ?? null,
          redactions: JSON.stringify(w.redactions ?? {}),
          created_at: w.createdAt,
        })
        known.set(`${w.conversationId}\u0000${w.clientMsgId}`, {
          id: w.id,
          seq,
          createdAt: w.createdAt,
          duplicate: false,
        })
        if (w.senderKind === 'agent' && w.kind !== 'note') agentConvs.add(w.conversationId)
      }
      await ops.insert(rows)
      if (agentConvs.size > 0) await ops.markFirstResponse([...agentConvs], now)
    }

    const firstWrite = new Map<string, Pending>()
    return batch.map((p) => {
      const key = `${p.write.conversationId}\u0000${p.write.clientMsgId}`
      const result = tenantOf.get(p.write.conversationId) === p.write.tenantId ? known.get(key) : undefined
      if (!result) return new ConversationMissing(p.write.conversationId)
      // A second copy inside the same batch is a resend of the first.
      const first = firstWrite.get(key)
      if (first && first !== p) return { ...result, duplicate: true }
      firstWrite.set(key, p)
      return result
    })
  }
}
