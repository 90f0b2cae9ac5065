import { type Kysely, sql } from 'kysely'
import type { DialectTraits } from '../dialect.js'

/**
 * The transcript search index: keyed blind terms (HMACs, never words), a queue of messages
 * whose body changed or vanished, and the indexer's state. The queue is filled by triggers
 * on `messages` UPDATE OF body and DELETE, so a redaction revision, a re-seal or a purge is
 * seen by the indexer even when it happens on another node or just before a crash. Inserts
 * have no trigger: the hot message path does not pay for search.
 */
export function searchMigration(traits: DialectTraits) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('search_terms')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('term_hash', traits.bytesType, (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        // Lookups are (tenant, term) scanned newest message first: the primary key serves them.
        .addPrimaryKeyConstraint('search_terms_pk', ['tenant_id', 'term_hash', 'message_id'])
        .execute()
      await db.schema.createIndex('search_terms_message').on('search_terms').column('message_id').execute()
      await db.schema
        .createTable('search_dirty')
        .addColumn('message_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('search_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('key_secret', 'text')
        .addColumn('key_fingerprint', 'text', (c) => c.notNull())
        .addColumn('cursor', 'text', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint', (c) => c.notNull())
        .execute()
      if (traits.name === 'sqlite') {
        await createSqliteSearchTriggers(db)
      } else {
        await sql`
          create function parley_search_dirty() returns trigger language plpgsql as $$
          begin
            if tg_op = 'DELETE' then
              insert into search_dirty (message_id, tenant_id) values (old.id, old.tenant_id)
                on conflict (message_id) do nothing;
            else
              insert into search_dirty (message_id, tenant_id) values (new.id, new.tenant_id)
                on conflict (message_id) do nothing;
            end if;
            return null;
          end $$`.execute(db)
        await sql`
          create trigger search_messages_changed after update of body or delete on messages
          for each row execute function parley_search_dirty()`.execute(db)
      }
    },
  }
}

/**
 * SQLite's triggers that queue a message for the indexer when its body changes or it is
 * deleted. A migration that rebuilds the messages table (013) creates them again with this.
 * Released migrations run it, so it is frozen: different triggers are a new migration.
 */
export async function createSqliteSearchTriggers(db: Kysely<unknown>): Promise<void> {
  for (const [event, row] of [
    ['update of body', 'new'],
    ['delete', 'old'],
  ] as const) {
    await sql
      .raw(
        `create trigger search_messages_${event === 'delete' ? 'deleted' : 'revised'} after ${event} on messages
         begin
           insert into search_dirty (message_id, tenant_id) values (${row}.id, ${row}.tenant_id)
             on conflict (message_id) do nothing;
         end`,
      )
      .execute(db)
  }
}
