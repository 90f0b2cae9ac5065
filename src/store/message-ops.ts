import type SQLite from 'better-sqlite3'
import { type Kysely, sql, type Transaction } from 'kysely'
import {
  type BatchCommit,
  commitBatch,
  type EncodedMessageWrite,
  type MessageWriteResult,
} from './message-writer.js'
import type { Database, NewMessageRow } from './schema.js'

/** How long a write waits for another connection's write lock before it fails. */
export const LOCK_WAIT_MS = 5000

export interface ExistingMessage {
  id: string
  conversation_id: string
  client_msg_id: string
  seq: number
  created_at: number
}

/**
 * The five statements of a group commit. SQLite runs them as tiny cached prepared statements
 * on its in-process handle (microseconds each); PostgreSQL as one multi-row statement each,
 * to save network round trips. The algorithm around them is shared.
 */
export interface MessageOps {
  /** Tenant of each existing conversation; on PostgreSQL the rows stay locked until commit. */
  owners(conversationIds: string[]): Promise<Map<string, string>>
  existing(pairs: { conversationId: string; clientMsgId: string }[]): Promise<ExistingMessage[]>
  /** Adds `n` to each conversation's last_seq; returns the new last_seq. */
  bump(counts: [string, number][], now: number): Promise<Map<string, number>>
  insert(rows: NewMessageRow[]): Promise<void>
  markFirstResponse(conversationIds: string[], now: number): Promise<void>
}

const CHUNK = 500

/** PostgreSQL: the group commit in one Kysely transaction, conversation rows locked. */
export function kyselyBatchCommit(db: Kysely<Database>, lockRows: boolean): BatchCommit {
  return (writes) => db.transaction().execute((trx) => commitBatch(kyselyOps(trx, lockRows), writes))
}

function kyselyOps(trx: Transaction<Database>, lockRows: boolean): MessageOps {
  return {
    async owners(ids) {
      let q = trx.selectFrom('conversations').select(['id', 'tenant_id']).where('id', 'in', ids)
      if (lockRows) q = q.forUpdate()
      return new Map((await q.execute()).map((r) => [r.id, r.tenant_id]))
    },
    async existing(pairs) {
      const values = sql.join(pairs.map((p) => sql`(${p.conversationId}, ${p.clientMsgId})`))
      return trx
        .selectFrom('messages')
        .select(['id', 'conversation_id', 'client_msg_id', 'seq', 'created_at'])
        .where(sql<boolean>`(conversation_id, client_msg_id) in (values ${values})`)
        .execute()
    },
    async bump(counts, now) {
      // Built with sql.join in O(n): chained builder calls would copy the CASE node each time.
      const delta = sql<number>`case id ${sql.join(
        counts.map(([id, n]) => sql`when ${id} then ${n}`),
        sql` `,
      )} else 0 end`
      const rows = await trx
        .updateTable('conversations')
        .set((eb) => ({ last_seq: eb('last_seq', '+', delta), updated_at: now }))
        .where(
          'id',
          'in',
          counts.map(([id]) => id),
        )
        .returning(['id', 'last_seq'])
        .execute()
      return new Map(rows.map((r) => [r.id, r.last_seq]))
    },
    async insert(rows) {
      for (let i = 0; i < rows.length; i += CHUNK) {
        await trx
          .insertInto('messages')
          .values(rows.slice(i, i + CHUNK))
          .execute()
      }
    },
    async markFirstResponse(ids, now) {
      await trx
        .updateTable('conversations')
        .set({ first_response_at: now })
        .where('id', 'in', ids)
        .where('first_response_at', 'is', null)
        .execute()
    },
  }
}

/**
 * SQLite: the same ops as tiny prepared statements on a raw handle, run synchronously. Used
 * by the writer thread (see sqlite-writer.ts) and, for an in-memory database that no second
 * connection can open, on the serving thread.
 */
export function sqliteOps(raw: SQLite.Database): MessageOps {
  const owner = raw.prepare<[string], { tenant_id: string }>(
    'select tenant_id from conversations where id = ?',
  )
  const existing = raw.prepare<[string, string], ExistingMessage>(
    'select id, conversation_id, client_msg_id, seq, created_at from messages where conversation_id = ? and client_msg_id = ?',
  )
  const bump = raw.prepare<[number, number, string], { last_seq: number }>(
    'update conversations set last_seq = last_seq + ?, updated_at = ? where id = ? returning last_seq',
  )
  const insert = raw.prepare(
    'insert into messages (id, tenant_id, conversation_id, seq, client_msg_id, sender_kind, sender_id, kind, body, attachment_id, redactions, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const firstResponse = raw.prepare(
    'update conversations set first_response_at = ? where id = ? and first_response_at is null',
  )
  return {
    async owners(ids) {
      const out = new Map<string, string>()
      for (const id of ids) {
        const row = owner.get(id)
        if (row) out.set(id, row.tenant_id)
      }
      return out
    },
    async existing(pairs) {
      const out: ExistingMessage[] = []
      for (const p of pairs) {
        const row = existing.get(p.conversationId, p.clientMsgId)
        if (row) out.push(row)
      }
      return out
    },
    async bump(counts, now) {
      const out = new Map<string, number>()
      for (const [id, n] of counts) {
        const row = bump.get(n, now, id)
        if (row) out.set(id, row.last_seq)
      }
      return out
    },
    async insert(rows) {
      for (const r of rows) {
        insert.run(
          r.id,
          r.tenant_id,
          r.conversation_id,
          r.seq,
          r.client_msg_id,
          r.sender_kind,
          r.sender_id,
          r.kind,
          r.body,
          r.attachment_id ?? null,
          r.redactions,
          r.created_at,
        )
      }
    },
    async markFirstResponse(ids, now) {
      for (const id of ids) firstResponse.run(now, id)
    },
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * `begin immediate`, waiting for another connection's write lock in 0.25 ms steps. SQLite's
 * busy handler sleeps 1, 2, 5, 10… ms between tries, so a lock held for 3 ms could cost a
 * commit 8 ms; this thread only commits messages, so it may block while it waits.
 */
function beginImmediate(raw: SQLite.Database): void {
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      raw.exec('begin immediate')
      return
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err
      Atomics.wait(pause, 0, 0, 0.25)
    }
  }
}

/** One group commit on a raw SQLite handle: `begin immediate` takes the write lock up front. */
export async function sqliteCommitBatch(
  raw: SQLite.Database,
  ops: MessageOps,
  writes: EncodedMessageWrite[],
): Promise<(MessageWriteResult | Error)[]> {
  beginImmediate(raw)
  try {
    const results = await commitBatch(ops, writes)
    raw.exec('commit')
    return results
  } catch (err) {
    if (raw.inTransaction) raw.exec('rollback')
    throw err
  }
}

/**
 * SQLite on the serving thread (in-memory databases only). Holding Kysely's single connection
 * for the whole transaction keeps every other query out, so the raw statements never
 * interleave with one.
 */
export function sqliteInlineBatchCommit(db: Kysely<Database>, raw: SQLite.Database): BatchCommit {
  // Prepared on first use: the tables exist only after the migrations have run.
  let ops: MessageOps | null = null
  return (writes) =>
    db.connection().execute(async () => {
      ops ??= sqliteOps(raw)
      return sqliteCommitBatch(raw, ops, writes)
    })
}
