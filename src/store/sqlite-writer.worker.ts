// The SQLite writer thread (see sqlite-writer.ts): one connection, one group commit at a time.
import { parentPort, workerData } from 'node:worker_threads'
import type SQLite from 'better-sqlite3'
import { sqliteCommitBatch, sqliteOps } from './message-ops.js'
import { ConversationMissing, type MessageWriteResult } from './message-writer.js'
import { openSqlite } from './sqlite-open.js'
import {
  packResults,
  type SqliteWriterOptions,
  unpackBatch,
  type WireResult,
  type WriterReply,
  type WriterRequest,
} from './sqlite-writer.js'

const opts = workerData as SqliteWriterOptions
// Lock waits are beginImmediate's fine-grained loop (message-ops.ts), not SQLite's busy handler.
const db: SQLite.Database = openSqlite(opts.path, opts.synchronous, 0)
// Prepared on the first batch: the serving thread migrates the schema before any write.
let ops: ReturnType<typeof sqliteOps> | null = null
let queue: Promise<void> = Promise.resolve()

const wire = (r: MessageWriteResult | Error): WireResult =>
  r instanceof ConversationMissing
    ? { missing: r.conversationId }
    : r instanceof Error
      ? { error: r.message }
      : r

async function handle(req: WriterRequest): Promise<WriterReply> {
  if ('close' in req) {
    db.close()
    return { id: req.id, results: { seqs: new Float64Array(0), others: [] } }
  }
  try {
    ops ??= sqliteOps(db)
    const writes = unpackBatch(req.batch)
    return { id: req.id, results: packResults(writes, (await sqliteCommitBatch(db, ops, writes)).map(wire)) }
  } catch (err) {
    return { id: req.id, error: err instanceof Error ? err.message : String(err) }
  }
}

parentPort!.on('message', (req: WriterRequest) => {
  // One transaction at a time, in arrival order.
  queue = queue.then(async () => {
    const reply = await handle(req)
    parentPort!.postMessage(reply, 'results' in reply ? [reply.results.seqs.buffer] : [])
  })
})
