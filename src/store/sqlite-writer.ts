import type { Worker } from 'node:worker_threads'
import {
  type BatchCommit,
  ConversationMissing,
  type EncodedMessageWrite,
  type MessageWriteResult,
} from './message-writer.js'
import { startModuleWorker } from './module-worker.js'

/** What the writer thread answers for one write of a batch. */
export type WireResult = MessageWriteResult | { missing: string } | { error: string }

export type WriterRequest = { id: number; writes: EncodedMessageWrite[] } | { id: number; close: true }
export type WriterReply = { id: number; results: WireResult[] } | { id: number; error: string }

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
  readonly #pending = new Map<number, { resolve: (r: WireResult[]) => void; reject: (e: Error) => void }>()
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
    const results = await this.#request({ writes })
    return results.map((r) =>
      'missing' in r ? new ConversationMissing(r.missing) : 'error' in r ? new Error(r.error) : r,
    )
  }

  #request(req: { writes: EncodedMessageWrite[] } | { close: true }): Promise<WireResult[]> {
    if (this.#failed) return Promise.reject(this.#failed)
    const id = ++this.#next
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#worker.postMessage({ id, ...req })
    })
  }

  async close(): Promise<void> {
    if (!this.#failed) await this.#request({ close: true }).catch(() => {})
    await this.#worker.terminate()
  }
}
