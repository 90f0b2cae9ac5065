import type { Kysely } from 'kysely'

/** Alerts raised by anomaly detection and their lifecycle (open → acknowledged/escalated → resolved). */
export const watchMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('watch_alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .addColumn('alert', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('watch_alerts_tenant')
      .on('watch_alerts')
      .columns(['tenant_id', 'opened_at'])
      .execute()
  },
}
