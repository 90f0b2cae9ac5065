import type { Kysely } from 'kysely'

/** Redaction metadata on messages (categories and counts, never values) and tenant policies. */
export const protectMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('messages')
      .addColumn('redactions', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute()
    await db.schema
      .createTable('protect_policies')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute()
  },
}
