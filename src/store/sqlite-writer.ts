import type { Worker } from 'node:worker_threads'
import {
  type BatchCommit,
  ConversationMissing,
  type EncodedMessageWrite,
  type MessageWriteResult,
} from './message-writer.js'
import { startModuleWorker } from './module-worker.js'

/** What the writer thread answers for one write of a batch, when it is not simply "stored". */
export type WireResult = MessageWriteResult | { missing: string } | { error: string }

/**
 * A batch as it crosses to the writer thread: the other fields as one JSON array
 * (FIELDS_PER_WRITE per write, in packBatch's order) and the bodies end to end in one
 * transferred buffer. Structured clone of 500 objects, each with its own Buffer, cost the
 * serving thread ~2 µs a message.
 */
export interface PackedBatch {
  fields: string
  bodies: Uint8Array<ArrayBuffer>
  /** End offset of each write's body in `bodies`. */
  ends: Uint32Array<ArrayBuffer>
}

/**
 * The answer to a packed batch. A write stored as sent (same id and time, not a resend) is just
 * its seq; any other outcome is listed in `others` by its index in the batch.
 */
export interface PackedResults {
  seqs: Float64Array<ArrayBuffer>
  others: [number, WireResult][]
}

/** id, tenantId, conversationId, clientMsgId, senderKind, senderId, kind, createdAt, attachmentId, redactions. */
const FIELDS_PER_WRITE = 10

export type WriterRequest = { id: number; batch: PackedBatch } | { id: number; close: true }
export type WriterReply = { id: number; results: PackedResults } | { id: number; error: string }

export function packBatch(writes: EncodedMessageWrite[]): PackedBatch {
  const fields: (string | number | null)[] = []
  const ends = new Uint32Array(writes.length)
  let total = 0
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!
    fields.push(w.id, w.tenantId, w.conversationId, w.clientMsgId, w.senderKind, w.senderId, w.kind)
    fields.push(w.createdAt, w.attachmentId, w.redactions)
    total += w.body.byteLength
    ends[i] = total
  }
  const bodies = new Uint8Array(total)
  let at = 0
  for (const w of writes) {
    bodies.set(w.body, at)
    at += w.body.byteLength
  }
  return { fields: JSON.stringify(fields), bodies, ends }
}

export function unpackBatch(batch: PackedBatch): EncodedMessageWrite[] {
  const f = JSON.parse(batch.fields) as (string | number | null)[]
  const bodies = Buffer.from(batch.bodies.buffer, batch.bodies.byteOffset, batch.bodies.byteLength)
  const writes: EncodedMessageWrite[] = []
  let start = 0
  for (let i = 0; i < batch.ends.length; i++) {
    const o = i * FIELDS_PER_WRITE
    const end = batch.ends[i]!
    writes.push({
      id: f[o] as string,
      tenantId: f[o + 1] as string,
      conversationId: f[o + 2] as string,
      clientMsgId: f[o + 3] as string,
      senderKind: f[o + 4] as EncodedMessageWrite['senderKind'],
      senderId: f[o + 5] as string,
      kind: f[o + 6] as EncodedMessageWrite['kind'],
      createdAt: f[o + 7] as number,
      attachmentId: f[o + 8] as string | null,
      redactions: f[o + 9] as string,
      // SQLite binds Buffers; each body is a view of the one transferred buffer.
      body: bodies.subarray(start, end),
    })
    start = end
  }
  return writes
}

export function packResults(writes: EncodedMessageWrite[], results: WireResult[]): PackedResults {
  const seqs = new Float64Array(writes.length)
  const others: [number, WireResult][] = []
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!
    const w = writes[i]!
    if ('seq' in r && !r.duplicate && r.id === w.id && r.createdAt === w.createdAt) seqs[i] = r.seq
    else others.push([i, r])
  }
  return { seqs, others }
}

export function unpackResults(writes: EncodedMessageWrite[], packed: PackedResults): WireResult[] {
  const results: WireResult[] = []
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!
    results.push({ id: w.id, seq: packed.seqs[i]!, createdAt: w.createdAt, duplicate: false })
  }
  for (const [i, r] of packed.others) results[i] = r
  return results
}

export interface SqliteWriterOptions {
  path: string
  synchronous: string
}

/**
 * Runs SQLite group commits on a thread of their own, with a second connection to the same
 * WAL database. The serving thread only batches writes and waits for the commit to come
 * back, so parsing, redaction and socket writes overlap the statements and the commit
 * instead of queueing behind them. A write is still acknowledged only once its transaction
 * has committed: the reply is sent after `commit` returns.
 */
export class SqliteWriterThread {
  readonly #worker: Worker
  readonly #pending = new Map<number, { resolve: (r: PackedResults) => void; reject: (e: Error) => void }>()
  #next = 0
  #failed: Error | null = null

  constructor(opts: SqliteWriterOptions) {
    this.#worker = startModuleWorker(import.meta.url, './sqlite-writer.worker', opts)
    this.#worker.on('message', (reply: WriterReply) => {
      const p = this.#pending.get(reply.id)
      if (!p) return
      this.#pending.delete(reply.id)
      if ('error' in reply) p.reject(new Error(`sqlite writer: ${reply.error}`))
      else p.resolve(reply.results)
    })
    const fail = (err: Error) => {
      this.#failed = err
      for (const p of this.#pending.values()) p.reject(err)
      this.#pending.clear()
    }
    this.#worker.on('error', fail)
    this.#worker.on('exit', (code) => fail(new Error(`sqlite writer thread exited (${code})`)))
    this.#worker.unref()
  }

  readonly commit: BatchCommit = async (writes) => {
    const packed = await this.#request(packBatch(writes))
    return unpackResults(writes, packed).map((r) =>
      'missing' in r ? new ConversationMissing(r.missing) : 'error' in r ? new Error(r.error) : r,
    )
  }

  #request(batch: PackedBatch | null): Promise<PackedResults> {
    if (this.#failed) return Promise.reject(this.#failed)
    const id = ++this.#next
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      if (batch) this.#worker.postMessage({ id, batch }, [batch.bodies.buffer, batch.ends.buffer])
      else this.#worker.postMessage({ id, close: true })
    })
  }

  async close(): Promise<void> {
    if (!this.#failed) await this.#request(null).catch(() => {})
    await this.#worker.terminate()
  }
}
