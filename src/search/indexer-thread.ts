import type { Worker } from 'node:worker_threads'
import { type StoreOptions, startModuleWorker } from '../store/index.js'
import type { IndexerOptions, IndexerStats } from './indexer.js'

export interface IndexerThreadData {
  store: StoreOptions
  /** The search secret (base64url); the thread derives the tenant keys from it. */
  secret: string
  nodeId: string
  indexer: Omit<IndexerOptions, 'nodeId' | 'onError'>
}

export type IndexerThreadRequest =
  | { type: 'catchUp'; id: number }
  | { type: 'pause'; paused: boolean }
  | { type: 'stop' }

export type IndexerThreadReply =
  | { type: 'started' }
  | { type: 'caughtUp'; id: number; error: string | null }
  | { type: 'error'; message: string }
  | { type: 'stopped'; stats: IndexerStats }

/**
 * Runs the search indexer on a thread of its own with its own database connection. Indexing
 * a busy server's messages is steady CPU work (tokenizing, HMACs, thousands of rows a second);
 * on the serving thread it would compete with every message's path. Here it only shares the
 * database, where short transactions keep the message writer's commits flowing.
 */
export class IndexerThread {
  readonly #worker: Worker
  readonly #started: Promise<void>
  readonly #waiting = new Map<number, (error: string | null) => void>()
  #next = 0

  constructor(data: IndexerThreadData, onError: (message: string) => void) {
    this.#worker = startModuleWorker(import.meta.url, './indexer.worker', data)
    this.#started = new Promise((resolve, reject) => {
      this.#worker.once('error', reject)
      this.#worker.on('message', (reply: IndexerThreadReply) => {
        if (reply.type === 'started') resolve()
        else if (reply.type === 'error') onError(reply.message)
        else if (reply.type === 'caughtUp') {
          this.#waiting.get(reply.id)?.(reply.error)
          this.#waiting.delete(reply.id)
        }
      })
    })
    this.#worker.on('error', (err) => onError(err.message))
    // Referenced until it has started: a process waiting for it must not exit meanwhile.
    void this.#started.then(
      () => this.#worker.unref(),
      () => {},
    )
  }

  /** Resolves once the thread has opened its connection and started indexing. */
  started(): Promise<void> {
    return this.#started
  }

  setPaused(paused: boolean): void {
    this.#worker.postMessage({ type: 'pause', paused } satisfies IndexerThreadRequest)
  }

  /** Resolves once the thread has indexed everything there is right now. */
  catchUp(): Promise<void> {
    const id = ++this.#next
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, (error) => (error ? reject(new Error(error)) : resolve()))
      this.#worker.postMessage({ type: 'catchUp', id } satisfies IndexerThreadRequest)
    })
  }

  async stop(): Promise<IndexerStats | null> {
    const stopped = new Promise<IndexerStats | null>((resolve) => {
      this.#worker.on('message', (reply: IndexerThreadReply) => {
        if (reply.type === 'stopped') resolve(reply.stats)
      })
      this.#worker.once('exit', () => resolve(null))
      setTimeout(() => resolve(null), 5000).unref()
    })
    this.#worker.postMessage({ type: 'stop' } satisfies IndexerThreadRequest)
    const stats = await stopped
    await this.#worker.terminate()
    return stats
  }
}
