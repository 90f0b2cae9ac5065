import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

/** Named leases in the shared database: at most one owner per name until the lease lapses. */
export class LeaseRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Takes or renews `name` for `ttlMs` when it is free, lapsed or already `owner`'s; true when held. */
  async acquire(name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    await this.db
      .insertInto('leases')
      .values({ name, owner: null, until: 0 })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute()
    const r = await this.db
      .updateTable('leases')
      .set({ owner, until: now + ttlMs })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('owner', '=', owner), eb('owner', 'is', null), eb('until', '<', now)]))
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  /** Gives `name` up at once (on shutdown), so another node need not wait for it to lapse. */
  async release(name: string, owner: string): Promise<void> {
    await this.db
      .updateTable('leases')
      .set({ owner: null, until: 0 })
      .where('name', '=', name)
      .where('owner', '=', owner)
      .execute()
  }
}
