import type { Kysely } from 'kysely'
import type { DialectTraits } from '../dialect.js'

/**
 * The vault: per-tenant data keys (wrapped by the master key, which never enters the
 * database), values that redaction tokenized (sealed under a tenant key), and the requests to
 * reveal one (reason, approval, time window).
 */
export function vaultMigration(traits: DialectTraits) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('tenant_keys')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('master_key_id', 'text', (c) => c.notNull())
        .addColumn('wrapped', traits.bytesType, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tenant_keys_pk', ['tenant_id', 'purpose', 'version'])
        .execute()
      await db.schema
        .createTable('protect_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('key_version', 'integer', (c) => c.notNull())
        .addColumn('sealed', traits.bytesType, (c) => c.notNull())
        .addColumn('conversation_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('protect_tokens_conversation')
        .on('protect_tokens')
        .columns(['tenant_id', 'conversation_id'])
        .execute()
      await db.schema
        .createTable('reveal_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('token_id', 'text', (c) => c.notNull())
        .addColumn('requester_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_at', 'bigint')
        .addColumn('expires_at', 'bigint')
        .addColumn('reveals', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.schema
        .createIndex('reveal_requests_tenant_state')
        .on('reveal_requests')
        .columns(['tenant_id', 'state', 'created_at'])
        .execute()
    },
  }
}
