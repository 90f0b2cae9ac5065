import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * Moves SQLite WAL checkpoints off the event loop. The serving connection's automatic
 * checkpoint (copying the WAL into the database file and syncing it) would stall every
 * commit behind it; a worker thread with its own connection runs PASSIVE checkpoints,
 * which never block writers, four times a second: small checkpoints keep the stalls they cause on the disk short. The serving connection keeps a high
 * automatic threshold as a backstop in case the worker is gone.
 */
export class SqliteCheckpointer {
  readonly #worker: Worker

  constructor(path: string, intervalMs = 250) {
    const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3')
    this.#worker = new Worker(
      `
      const { workerData, parentPort } = require('node:worker_threads')
      const Database = require(workerData.betterSqlite)
      const db = new Database(workerData.path)
      db.pragma('busy_timeout = 1000')
      const timer = setInterval(() => { try { db.pragma('wal_checkpoint(PASSIVE)') } catch {} }, workerData.intervalMs)
      parentPort.on('message', () => {
        clearInterval(timer)
        try { db.pragma('wal_checkpoint(PASSIVE)') } catch {}
        db.close()
        parentPort.postMessage('closed')
      })
      `,
      { eval: true, workerData: { path, intervalMs, betterSqlite } },
    )
    this.#worker.unref()
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => resolve()
      this.#worker.once('message', done)
      this.#worker.once('exit', done)
      this.#worker.postMessage('close')
      setTimeout(done, 2000).unref()
    })
    await this.#worker.terminate()
  }
}
