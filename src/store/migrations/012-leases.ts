import type { Kysely } from 'kysely'

/**
 * Named leases: one node of a cluster at a time does a job (e.g. judging the cluster's events
 * for anomalies), renewing its lease while alive; another node takes over once it lapses.
 */
export const leasesMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text')
      .addColumn('until', 'bigint', (c) => c.notNull())
      .execute()
  },
}
