import type { Kysely, Transaction } from 'kysely'
import type { BodyCodec } from './body-codec.js'
import type { ConversationTable, Database, MessageTable } from './schema.js'

/** One blind term of one message: what the search index stores (never the word itself). */
export interface Posting {
  tenantId: string
  termHash: Buffer
  messageId: string
  conversationId: string
}

/** A message as the search capability sees it: body decoded through the codec. */
export interface SearchableMessage {
  id: string
  tenantId: string
  conversationId: string
  seq: number
  senderKind: MessageTable['sender_kind']
  kind: MessageTable['kind']
  text: string
  createdAt: number
}

/** A search hit with the conversation fields the access policy decides on. */
export interface SearchHit {
  messageId: string
  conversation: Pick<ConversationTable, 'id' | 'tenant_id' | 'visitor_id' | 'agent_id' | 'team_id'>
}

export interface SearchIndexState {
  keySecret: string | null
  keyFingerprint: string
  cursor: string
}

type Db = Kysely<Database> | Transaction<Database>

// SQLite binds at most 32,766 parameters: 4 columns × 2,000 rows stays well inside.
const CHUNK = 2000

/**
 * The transcript search index: blind terms per message, the queue of changed messages the
 * triggers of migration 006 fill, and the indexer's cursor and lease. Bodies are read here
 * only, through the codec, like every other body in the store.
 */
export class SearchIndexRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: () => BodyCodec,
  ) {}

  /** The indexer's state; created on first use with `initial` (two nodes racing: the first wins). */
  async state(initial: { keySecret: string | null; keyFingerprint: string }): Promise<SearchIndexState> {
    await this.db
      .insertInto('search_state')
      .values({
        id: 1,
        key_secret: initial.keySecret,
        key_fingerprint: initial.keyFingerprint,
        cursor: '',
        lease_owner: null,
        lease_until: 0,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
    const row = await this.db
      .selectFrom('search_state')
      .select(['key_secret', 'key_fingerprint', 'cursor'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow()
    return { keySecret: row.key_secret, keyFingerprint: row.key_fingerprint, cursor: row.cursor }
  }

  /** The indexer's cursor: every message at or below this id is indexed. */
  async cursor(): Promise<string> {
    const row = await this.db
      .selectFrom('search_state')
      .select('cursor')
      .where('id', '=', 1)
      .executeTakeFirst()
    return row?.cursor ?? ''
  }

  /** Drops the whole index (the key changed): the indexer starts again from the first message. */
  async reset(key: { keySecret: string | null; keyFingerprint: string }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('search_terms').execute()
      await trx.deleteFrom('search_dirty').execute()
      await trx
        .updateTable('search_state')
        .set({ key_secret: key.keySecret, key_fingerprint: key.keyFingerprint, cursor: '' })
        .where('id', '=', 1)
        .execute()
    })
  }

  /** Takes or renews the indexer lease; false while another node holds an unexpired one. */
  async acquireLease(owner: string, now: number, ttlMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('search_state')
      .set({ lease_owner: owner, lease_until: now + ttlMs })
      .where('id', '=', 1)
      .where((eb) => eb.or([eb('lease_owner', '=', owner), eb('lease_until', '<', now)]))
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  async releaseLease(owner: string): Promise<void> {
    await this.db
      .updateTable('search_state')
      .set({ lease_owner: null, lease_until: 0 })
      .where('id', '=', 1)
      .where('lease_owner', '=', owner)
      .execute()
  }

  /** Ids of messages after `afterId` in id (time) order: cheap, from the primary key alone. */
  async idsAfter(afterId: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('messages')
      .select('id')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute()
    return rows.map((r) => r.id)
  }

  /** Messages by id, bodies decoded; restricted to a tenant when one is given. */
  messages(ids: readonly string[], tenantId?: string): Promise<SearchableMessage[]> {
    return this.#messages(this.db, ids, tenantId)
  }

  async #messages(db: Db, ids: readonly string[], tenantId?: string): Promise<SearchableMessage[]> {
    if (ids.length === 0) return []
    const codec = this.codec()
    const out: SearchableMessage[] = []
    for (let i = 0; i < ids.length; i += CHUNK) {
      let q = db
        .selectFrom('messages')
        .select(['id', 'tenant_id', 'conversation_id', 'seq', 'sender_kind', 'kind', 'body', 'created_at'])
        .where('id', 'in', ids.slice(i, i + CHUNK))
      if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId)
      for (const r of await q.execute()) {
        out.push({
          id: r.id,
          tenantId: r.tenant_id,
          conversationId: r.conversation_id,
          seq: r.seq,
          senderKind: r.sender_kind,
          kind: r.kind,
          text: codec.decode(
            { tenantId: r.tenant_id, conversationId: r.conversation_id, recordId: r.id },
            r.body,
          ),
          createdAt: r.created_at,
        })
      }
    }
    return out
  }

  /** Stores postings (idempotent) and, in the same transaction, moves the cursor forward to `cursor`. */
  async addPostings(postings: readonly Posting[], cursor: string | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await insertPostings(trx, postings)
      if (cursor !== null) {
        await trx
          .updateTable('search_state')
          .set({ cursor })
          .where('id', '=', 1)
          .where('cursor', '<', cursor)
          .execute()
      }
    })
  }

  /**
   * Takes up to `limit` changed messages off the queue and, in one transaction, drops their
   * old postings and stores the ones `index` computes from their current bodies (none for a
   * deleted message). The queue row is removed before the body is read, so a revision that
   * commits meanwhile queues the message again instead of being lost. Returns how many were taken.
   */
  async reindexChanged(limit: number, index: (m: SearchableMessage) => Posting[]): Promise<number> {
    // The queue is nearly always empty: one read instead of a write transaction per pass.
    if (!(await this.db.selectFrom('search_dirty').select('message_id').limit(1).executeTakeFirst())) return 0
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .deleteFrom('search_dirty')
        .where('message_id', 'in', (eb) =>
          eb.selectFrom('search_dirty').select('message_id').orderBy('message_id').limit(limit),
        )
        .returning('message_id')
        .execute()
      if (taken.length === 0) return 0
      const ids = taken.map((t) => t.message_id)
      for (let i = 0; i < ids.length; i += CHUNK) {
        await trx
          .deleteFrom('search_terms')
          .where('message_id', 'in', ids.slice(i, i + CHUNK))
          .execute()
      }
      const current = await this.#messages(trx, ids)
      await insertPostings(trx, current.flatMap(index))
      return taken.length
    })
  }

  /**
   * Messages of a tenant holding every term, newest first, at most `limit`, strictly before
   * `beforeMessageId`. `visibleTo` narrows to what a plain agent may read (theirs, unassigned,
   * their teams'); the caller still applies the access policy to each hit.
   */
  async find(q: {
    tenantId: string
    termHashes: readonly Buffer[]
    visibleTo?: { agentId: string; teamIds: readonly string[] } | undefined
    beforeMessageId?: string | undefined
    limit: number
  }): Promise<SearchHit[]> {
    const [first, ...rest] = q.termHashes
    if (!first) return []
    const { tenantId } = q
    let sel = this.db
      .selectFrom('search_terms as t')
      .innerJoin('conversations as c', 'c.id', 't.conversation_id')
      .select(['t.message_id', 'c.id', 'c.tenant_id', 'c.visitor_id', 'c.agent_id', 'c.team_id'])
      .where('t.tenant_id', '=', tenantId)
      .where('t.term_hash', '=', first)
      .where('c.tenant_id', '=', tenantId)
    for (const hash of rest) {
      sel = sel.where((eb) =>
        eb.exists(
          eb
            .selectFrom('search_terms as o')
            .select('o.message_id')
            .where('o.tenant_id', '=', tenantId)
            .where('o.term_hash', '=', hash)
            .whereRef('o.message_id', '=', 't.message_id'),
        ),
      )
    }
    if (q.beforeMessageId !== undefined) sel = sel.where('t.message_id', '<', q.beforeMessageId)
    if (q.visibleTo) {
      const { agentId, teamIds } = q.visibleTo
      sel = sel.where((eb) =>
        eb.or([
          eb('c.agent_id', '=', agentId),
          eb('c.agent_id', 'is', null),
          ...(teamIds.length ? [eb('c.team_id', 'in', teamIds)] : []),
        ]),
      )
    }
    const rows = await sel.orderBy('t.message_id', 'desc').limit(q.limit).execute()
    return rows.map((r) => ({
      messageId: r.message_id,
      conversation: {
        id: r.id,
        tenant_id: r.tenant_id,
        visitor_id: r.visitor_id,
        agent_id: r.agent_id,
        team_id: r.team_id,
      },
    }))
  }

  /** The postings stored for one message (tests and diagnostics: hashes only). */
  async postingsOf(messageId: string): Promise<Buffer[]> {
    const rows = await this.db
      .selectFrom('search_terms')
      .select('term_hash')
      .where('message_id', '=', messageId)
      .execute()
    return rows.map((r) => Buffer.from(r.term_hash))
  }
}

async function insertPostings(trx: Db, postings: readonly Posting[]): Promise<void> {
  for (let i = 0; i < postings.length; i += CHUNK) {
    await trx
      .insertInto('search_terms')
      .values(
        postings.slice(i, i + CHUNK).map((p) => ({
          tenant_id: p.tenantId,
          term_hash: p.termHash,
          message_id: p.messageId,
          conversation_id: p.conversationId,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'term_hash', 'message_id']).doNothing())
      .execute()
  }
}
