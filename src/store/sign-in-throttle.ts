import type { Kysely, Selectable } from 'kysely'
import type { Database, SignInThrottleTable } from './schema.js'

export type SignInThrottleRow = Selectable<SignInThrottleTable>

/** Failed sign-ins per account name and the locks they led to (shared by every node). */
export class SignInThrottleRepo {
  constructor(private readonly db: Kysely<Database>) {}

  get(key: string): Promise<SignInThrottleRow | undefined> {
    return this.db.selectFrom('sign_in_throttle').selectAll().where('key', '=', key).executeTakeFirst()
  }

  async put(row: SignInThrottleRow): Promise<void> {
    await this.db
      .insertInto('sign_in_throttle')
      .values(row)
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          tenant_id: row.tenant_id,
          failures: row.failures,
          window_start: row.window_start,
          locked_until: row.locked_until,
          updated_at: row.updated_at,
        }),
      )
      .execute()
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('sign_in_throttle').where('key', '=', key).execute()
  }

  /** Locks every account of the tenant that failed a sign-in since `since`; returns how many. */
  async lockFailedSince(tenantId: string, since: number, until: number): Promise<number> {
    const r = await this.db
      .updateTable('sign_in_throttle')
      .set({ locked_until: until, updated_at: Date.now() })
      .where('tenant_id', '=', tenantId)
      .where('updated_at', '>=', since)
      .where('locked_until', '<', until)
      .executeTakeFirst()
    return Number(r.numUpdatedRows)
  }
}
