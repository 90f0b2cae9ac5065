import { type Kysely, sql } from 'kysely'
import type { DialectTraits } from '../dialect.js'
import { createSqliteSearchTriggers } from './006-search.js'

/**
 * The resend check's unique index leads with the client message id: (client_msg_id,
 * conversation_id) instead of (conversation_id, client_msg_id). Both answer "was this
 * conversation's client message stored?" and both refuse a second copy. The difference is
 * where a new entry lands: keyed by conversation first, a group commit of 500 messages in
 * 500 chats dirtied ~500 scattered index pages, each written whole to the WAL and copied again
 * by the checkpoint; clients that send time-ordered ids (the widget and the console do, see
 * docs/protocol.md) now append at the index's right edge. On SQLite this cut the database
 * work per message by about 40% (npm run bench:store).
 *
 * SQLite cannot drop a table constraint, so there the table is rebuilt in one transaction
 * (copy, drop, rename) and its search triggers are created again. PostgreSQL swaps the
 * constraint in place.
 */
export function messageDedupeOrderMigration(traits: DialectTraits) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (traits.name === 'postgres') {
        await sql`alter table messages drop constraint messages_conv_client`.execute(db)
        await sql`alter table messages add constraint messages_client_conv unique (client_msg_id, conversation_id)`.execute(
          db,
        )
        return
      }
      const columns = sql.raw(
        'id, tenant_id, conversation_id, seq, client_msg_id, sender_kind, sender_id, kind, body, attachment_id, created_at, redactions',
      )
      await db.transaction().execute(async (trx) => {
        await trx.schema
          .createTable('messages_rebuilt')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('tenant_id', 'text', (c) => c.notNull())
          .addColumn('conversation_id', 'text', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('client_msg_id', 'text', (c) => c.notNull())
          .addColumn('sender_kind', 'text', (c) => c.notNull())
          .addColumn('sender_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('body', traits.bytesType, (c) => c.notNull())
          .addColumn('attachment_id', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('redactions', 'text', (c) => c.notNull().defaultTo('{}'))
          .addUniqueConstraint('messages_conv_seq', ['conversation_id', 'seq'])
          .addUniqueConstraint('messages_client_conv', ['client_msg_id', 'conversation_id'])
          .execute()
        await sql`insert into messages_rebuilt (${columns}) select ${columns} from messages order by rowid`.execute(
          trx,
        )
        await sql`drop table messages`.execute(trx)
        await sql`alter table messages_rebuilt rename to messages`.execute(trx)
        await createSqliteSearchTriggers(trx)
      })
    },
  }
}
