// npm run bench:store -- [--rounds 400] [--conversations 1000] [--batch 500] [--quick]
// SQLite work per stored message (group commit + WAL checkpoint) with the resend check's unique
// index led by the client message id (migration 013, time-ordered clientMsgIds) against the
// old order (conversation first), in the same run: the same statements as the writer thread.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import SQLite from 'better-sqlite3'
import { newUuidV7 } from '../src/ids/index.js'
import { timeOrderedId } from '../src/store/ids.js'

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
  dedupeIndex: string
  clientId: () => string
}

function run(v: Variant): { writeUs: number; checkpointUs: number } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-store-'))
  const path = join(dir, 'bench.db')
  const db = new SQLite(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('cache_size = -65536')
  db.pragma('wal_autocheckpoint = 0')
  db.exec(
    `create table conversations (id text primary key, tenant_id text not null, last_seq integer not null default 0, updated_at integer)`,
  )
  db.exec(`create table messages (id text primary key, tenant_id text not null, conversation_id text not null,
    seq integer not null, client_msg_id text not null, sender_kind text not null, sender_id text not null,
    kind text not null, body blob not null, attachment_id text, created_at integer not null, redactions text not null,
    unique (conversation_id, seq), unique ${v.dedupeIndex})`)
  const tenant = randomUUID()
  const conversations = Array.from({ length: CONVERSATIONS }, () => randomUUID())
  const addConversation = db.prepare('insert into conversations (id, tenant_id) values (?, ?)')
  for (const c of conversations) addConversation.run(c, tenant)
  const owner = db.prepare('select tenant_id from conversations where id = ?')
  const existing = db.prepare('select id from messages where conversation_id = ? and client_msg_id = ?')
  const bump = db.prepare(
    'update conversations set last_seq = last_seq + ?, updated_at = ? where id = ? returning last_seq',
  )
  const insert = db.prepare(
    'insert into messages (id, tenant_id, conversation_id, seq, client_msg_id, sender_kind, sender_id, kind, body, attachment_id, redactions, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const checkpointer = new SQLite(path)
  let writeMs = 0
  let checkpointMs = 0
  for (let round = 0; round < ROUNDS; round++) {
    const batch = Array.from({ length: BATCH }, (_, i) => ({
      conversationId: conversations[Math.floor(Math.random() * CONVERSATIONS)]!,
      clientMsgId: v.clientId(),
      body: Buffer.from(`message ${round}.${i}: can I raise my daily limit?`),
    }))
    const t0 = performance.now()
    db.exec('begin immediate')
    const counts = new Map<string, number>()
    for (const w of batch) {
      owner.get(w.conversationId)
      existing.get(w.conversationId, w.clientMsgId)
      counts.set(w.conversationId, (counts.get(w.conversationId) ?? 0) + 1)
    }
    const next = new Map<string, number>()
    const now = Date.now()
    for (const [id, n] of counts)
      next.set(id, (bump.get(n, now, id) as { last_seq: number }).last_seq - n + 1)
    for (const w of batch) {
      const seq = next.get(w.conversationId)!
      next.set(w.conversationId, seq + 1)
      insert.run(
        timeOrderedId(now),
        tenant,
        w.conversationId,
        seq,
        w.clientMsgId,
        'visitor',
        'v',
        'text',
        w.body,
        null,
        '{}',
        now,
      )
    }
    db.exec('commit')
    const t1 = performance.now()
    if (round % CHECKPOINT_EVERY === 0) checkpointer.pragma('wal_checkpoint(PASSIVE)')
    const t2 = performance.now()
    if (round >= WARMUP) {
      writeMs += t1 - t0
      checkpointMs += t2 - t1
    }
  }
  db.close()
  checkpointer.close()
  rmSync(dir, { recursive: true, force: true })
  const n = (ROUNDS - WARMUP) * BATCH
  return { writeUs: (writeMs * 1000) / n, checkpointUs: (checkpointMs * 1000) / n }
}

const current: Variant = {
  name: 'now: (client_msg_id, conversation_id), UUIDv7 ids',
  dedupeIndex: '(client_msg_id, conversation_id)',
  clientId: () => newUuidV7(),
}
const old: Variant = {
  name: 'before 013: (conversation_id, client_msg_id)',
  dedupeIndex: '(conversation_id, client_msg_id)',
  clientId: () => newUuidV7(),
}
console.log(
  `bench:store  ${CONVERSATIONS} conversations, ${BATCH} messages per commit, ${ROUNDS} commits (first ${WARMUP} not timed), checkpoint every ${CHECKPOINT_EVERY}`,
)
// Alternate the two so that a noisy neighbour hurts both alike; keep each one's best run.
const best = new Map<Variant, { writeUs: number; checkpointUs: number }>()
for (let i = 0; i < 2; i++) {
  for (const v of [old, current]) {
    const r = run(v)
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
