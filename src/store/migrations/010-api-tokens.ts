import type { Kysely } from 'kysely'

/**
 * API tokens: scoped, expiring credentials an admin issues for integrations. Only a hash of
 * the secret is kept; the row records who made it, when it was last used and from where, and
 * whether it was revoked (final) or suspended (by an admin or an anomaly response).
 */
export const apiTokensMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .addColumn('last_used_ip', 'text')
      .addColumn('revoked_at', 'bigint')
      .addColumn('revoked_by', 'text')
      .addColumn('suspended_at', 'bigint')
      .addColumn('suspended_by', 'text')
      .addColumn('suspended_reason', 'text')
      .execute()
    await db.schema
      .createIndex('api_tokens_tenant')
      .on('api_tokens')
      .columns(['tenant_id', 'created_at'])
      .execute()
  },
}
