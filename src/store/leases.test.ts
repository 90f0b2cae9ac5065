import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES, freshDatabase, type TestDatabase } from '../../test/engines.js'
import { Store } from './index.js'

for (const engine of ENGINES) {
  describe(`${engine}: named leases`, () => {
    let tdb: TestDatabase
    let store: Store
    beforeAll(async () => {
      tdb = await freshDatabase(engine)
      store = await Store.open({ databaseUrl: tdb.databaseUrl, sqlitePath: tdb.sqlitePath })
    })
    afterAll(async () => {
      await store.close()
      await tdb.dispose()
    })

    it('has one owner until it lapses or is released, and each name is separate', async () => {
      const t = 1_000_000
      expect(await store.leases.acquire('judge', 'a', t, 30_000)).toBe(true)
      expect(await store.leases.acquire('judge', 'b', t + 1, 30_000)).toBe(false)
      expect(await store.leases.acquire('other', 'b', t + 1, 30_000)).toBe(true)
      // The owner renews; the lease then runs from the renewal.
      expect(await store.leases.acquire('judge', 'a', t + 20_000, 30_000)).toBe(true)
      expect(await store.leases.acquire('judge', 'b', t + 40_000, 30_000)).toBe(false)
      // Lapsed: another node takes it, and the old owner no longer holds it.
      expect(await store.leases.acquire('judge', 'b', t + 50_001, 30_000)).toBe(true)
      expect(await store.leases.acquire('judge', 'a', t + 50_002, 30_000)).toBe(false)
      // Released: free at once; a release by a non-owner changes nothing.
      await store.leases.release('judge', 'a')
      expect(await store.leases.acquire('judge', 'a', t + 50_003, 30_000)).toBe(false)
      await store.leases.release('judge', 'b')
      expect(await store.leases.acquire('judge', 'a', t + 50_004, 30_000)).toBe(true)
    })
  })
}
