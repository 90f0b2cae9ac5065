import type { Kysely } from 'kysely'

/** Per-tenant automatic responses to anomaly alerts (all off until a tenant turns them on). */
export const watchPolicyMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('watch_policies')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute()
  },
}
