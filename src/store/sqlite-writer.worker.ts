// The SQLite writer thread (see sqlite-writer.ts): one connection, one group commit at a time.
import { parentPort, workerData } from 'node:worker_threads'
import type SQLite from 'better-sqlite3'
import { sqliteCommitBatch, sqliteOps } from './message-ops.js'
import { ConversationMissing, type MessageWriteResult } from './message-writer.js'
import { openSqlite } from './sqlite-open.js'
import type { SqliteWriterOptions, WireResult, WriterReply, WriterRequest } from './sqlite-writer.js'

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
    return { id: req.id, results: [] }
  }
  try {
    ops ??= sqliteOps(db)
    // Structured clone turns Buffers into plain Uint8Arrays; SQLite binds Buffers.
    // (In place: the clone is this thread's own, and a spread would mint a hidden class per write.)
    const writes = req.writes
    for (const w of writes) w.body = Buffer.from(w.body.buffer, w.body.byteOffset, w.body.byteLength)
    return { id: req.id, results: (await sqliteCommitBatch(db, ops, writes)).map(wire) }
  } catch (err) {
    return { id: req.id, error: err instanceof Error ? err.message : String(err) }
  }
}

parentPort!.on('message', (req: WriterRequest) => {
  // One transaction at a time, in arrival order.
  queue = queue.then(async () => parentPort!.postMessage(await handle(req)))
})
