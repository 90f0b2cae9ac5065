// npm run bench:store -- [--rounds 400] [--conversations 1000] [--batch 500] [--quick]
// SQLite work per stored message (group commit + WAL checkpoint) with the schema as migration 013
// leaves it (the resend check's index led by the client message id, UUIDv7 clientMsgIds) against
// the schema of 012 (conversation first), in the same run. Both run the project's own migrations
// and the writer thread's own statements (sqliteOps, sqliteCommitBatch).
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import SQLite from 'better-sqlite3'
import { newUuidV7 } from '../src/ids/index.js'
import { timeOrderedId } from '../src/store/ids.js'
import { migrateUpTo, Store } from '../src/store/index.js'
import { sqliteCommitBatch, sqliteOps } from '../src/store/message-ops.js'
import type { EncodedMessageWrite } from '../src/store/message-writer.js'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '400' },
    conversations: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '500' },
    /** Commits between two PASSIVE checkpoints (the checkpointer runs 4×/s: ~6 commits at 12k msg/s). */
    'checkpoint-every': { type: 'string', default: '6' },
    quick: { type: 'boolean', default: false },
  },
})
const ROUNDS = values.quick ? 40 : Number(values.rounds)
const WARMUP = Math.floor(ROUNDS / 5)
const CONVERSATIONS = Number(values.conversations)
const BATCH = Number(values.batch)
const CHECKPOINT_EVERY = Number(values['checkpoint-every'])

interface Variant {
  name: string
  /** The last migration the database runs (null: all of them). */
  migration: string | null
}

async function run(v: Variant): Promise<{ writeUs: number; checkpointUs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-store-'))
  const path = join(dir, 'bench.db')
  // No writer or checkpointer thread: this process commits and checkpoints, and times each.
  const store = await Store.open({ sqlitePath: path, threads: false, migrate: false })
  await migrateUpTo(store.conn, v.migration)
  const raw = store.conn.sqlite!
  const tenantId = randomUUID()
  await store.directory.insertTenant({ id: tenantId, name: 'Bench' })
  await store.conversations.insertVisitor({ id: 'v', tenantId, siteId: 's', name: null, email: null })
  const conversations = Array.from({ length: CONVERSATIONS }, () => randomUUID())
  for (const id of conversations) {
    await store.conversations.insertConversation({
      id,
      tenantId,
      siteId: 's',
      visitorId: 'v',
      visitorContext: '{}',
      teamId: null,
    })
  }
  const ops = sqliteOps(raw)
  const checkpointer = new SQLite(path)
  let writeMs = 0
  let checkpointMs = 0
  for (let round = 0; round < ROUNDS; round++) {
    const now = Date.now()
    const writes: EncodedMessageWrite[] = Array.from({ length: BATCH }, (_, i) => ({
      id: timeOrderedId(now),
      tenantId,
      conversationId: conversations[Math.floor(Math.random() * CONVERSATIONS)]!,
      clientMsgId: newUuidV7(now),
      senderKind: 'visitor',
      senderId: 'v',
      kind: 'text',
      createdAt: now,
      body: Buffer.from(`message ${round}.${i}: can I raise my daily limit?`),
      attachmentId: null,
      redactions: '{}',
    }))
    const t0 = performance.now()
    await sqliteCommitBatch(raw, ops, writes)
    const t1 = performance.now()
    if (round % CHECKPOINT_EVERY === 0) checkpointer.pragma('wal_checkpoint(PASSIVE)')
    const t2 = performance.now()
    if (round >= WARMUP) {
      writeMs += t1 - t0
      checkpointMs += t2 - t1
    }
  }
  checkpointer.close()
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  const n = (ROUNDS - WARMUP) * BATCH
  return { writeUs: (writeMs * 1000) / n, checkpointUs: (checkpointMs * 1000) / n }
}

const current: Variant = { name: 'now: (client_msg_id, conversation_id)', migration: null }
const old: Variant = { name: 'before 013: (conversation_id, client_msg_id)', migration: '012-leases' }
console.log(
  `bench:store  ${CONVERSATIONS} conversations, ${BATCH} UUIDv7-keyed messages per commit, ${ROUNDS} commits (first ${WARMUP} not timed), checkpoint every ${CHECKPOINT_EVERY}`,
)
// Alternate the two so that a noisy neighbour hurts both alike; keep each one's best run.
const best = new Map<Variant, { writeUs: number; checkpointUs: number }>()
for (let i = 0; i < 2; i++) {
  for (const v of [old, current]) {
    const r = await run(v)
    const b = best.get(v)
    if (!b || r.writeUs + r.checkpointUs < b.writeUs + b.checkpointUs) best.set(v, r)
  }
}
for (const v of [old, current]) {
  const r = best.get(v)!
  console.log(
    `${v.name.padEnd(52)} write ${r.writeUs.toFixed(1).padStart(6)} µs/msg  checkpoint ${r.checkpointUs.toFixed(1).padStart(6)} µs/msg  total ${(r.writeUs + r.checkpointUs).toFixed(1).padStart(6)}`,
  )
}
const a = best.get(old)!
const b = best.get(current)!
console.log(
  `ratio now/before: ${((b.writeUs + b.checkpointUs) / (a.writeUs + a.checkpointUs)).toFixed(2)} (SQLite work per message)`,
)
