import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * Moves SQLite WAL checkpoints off the event loop and out of commits. No connection checkpoints
 * on its own (see sqlite-open.ts): a worker thread with its own connection runs PASSIVE
 * checkpoints, which never block writers, four times a second, so each is small. When a long
 * peak outruns them and the WAL passes `maxWalBytes`, it runs one TRUNCATE checkpoint, which
 * waits for the writers and empties the file: the WAL's size is bounded, at the cost of one
 * stall that only such a peak pays.
 */
export class SqliteCheckpointer {
  readonly #worker: Worker

  constructor(path: string, { intervalMs = 250, maxWalBytes = 1024 * 1024 * 1024 } = {}) {
    const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3')
    this.#worker = new Worker(
      `
      const { workerData, parentPort } = require('node:worker_threads')
      const Database = require(workerData.betterSqlite)
      const db = new Database(workerData.path)
      db.pragma('busy_timeout = 1000')
      const pageSize = db.pragma('page_size', { simple: true })
      const timer = setInterval(() => {
        try {
          const [r] = db.pragma('wal_checkpoint(PASSIVE)')
          if (r && r.log * pageSize > workerData.maxWalBytes) db.pragma('wal_checkpoint(TRUNCATE)')
        } catch {}
      }, workerData.intervalMs)
      parentPort.on('message', () => {
        clearInterval(timer)
        try { db.pragma('wal_checkpoint(PASSIVE)') } catch {}
        db.close()
        parentPort.postMessage('closed')
      })
      `,
      { eval: true, workerData: { path, intervalMs, maxWalBytes, betterSqlite } },
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
