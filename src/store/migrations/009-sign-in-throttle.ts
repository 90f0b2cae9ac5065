import type { Kysely } from 'kysely'

/**
 * Sign-in throttle: failures per account name (hashed e-mail, whether or not such an agent
 * exists, so the lock reveals nothing) and the time a lock ends. In the database, so every
 * node of a cluster counts the same attempts.
 */
export const signInThrottleMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('sign_in_throttle')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text')
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('locked_until', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('sign_in_throttle_tenant')
      .on('sign_in_throttle')
      .columns(['tenant_id', 'updated_at'])
      .execute()
  },
}
