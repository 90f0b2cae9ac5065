import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES, freshDatabase, type TestDatabase } from '../../test/engines.js'
import { Store } from '../store/index.js'
import { LocalMasterKey, TenantKeyring, TenantSecretBox } from './index.js'

for (const engine of ENGINES) {
  describe(`${engine}: TenantSecretBox`, () => {
    let tdb: TestDatabase
    let store: Store
    let box: TenantSecretBox
    const master = new LocalMasterKey(randomBytes(32))
    beforeAll(async () => {
      tdb = await freshDatabase(engine)
      store = await Store.open({ databaseUrl: tdb.databaseUrl, sqlitePath: tdb.sqlitePath })
      for (const id of ['t-a', 't-b']) await store.directory.insertTenant({ id, name: id })
      box = new TenantSecretBox(new TenantKeyring(store, master), 'mfa')
    })
    afterAll(async () => {
      await store?.close()
      await tdb?.dispose()
    })

    it("seals under the tenant's own key of its purpose: no other tenant, place or purpose opens it", async () => {
      const secret = Buffer.from('JBSWY3DPEHPK3PXP')
      const { keyVersion, sealed } = await box.seal('t-a', secret, 'parley:mfa-secret:t-a:agent-1')
      expect(sealed.includes(secret)).toBe(false)
      expect(
        (await box.open('t-a', keyVersion, sealed, 'parley:mfa-secret:t-a:agent-1')).equals(secret),
      ).toBe(true)
      await expect(box.open('t-a', keyVersion, sealed, 'parley:mfa-secret:t-a:agent-2')).rejects.toThrow()
      await expect(box.open('t-b', keyVersion, sealed, 'parley:mfa-secret:t-a:agent-1')).rejects.toThrow()
      const tokens = new TenantSecretBox(new TenantKeyring(store, master), 'tokens')
      await expect(tokens.open('t-a', keyVersion, sealed, 'parley:mfa-secret:t-a:agent-1')).rejects.toThrow()
      // The key is stored wrapped under its purpose, never as the bytes that sealed.
      const keys = await store.vault.tenantKeys('t-a', 'mfa')
      expect(keys.map((k) => k.version)).toEqual([keyVersion])
    })

    it('makes keyed hashes that differ per tenant and are stable within one', async () => {
      const a = await box.mac('t-a', 1, 'abcde12345')
      expect(await box.mac('t-a', 1, 'abcde12345')).toBe(a)
      expect(await box.mac('t-b', 1, 'abcde12345')).not.toBe(a)
      expect(await box.mac('t-a', 1, 'abcde12346')).not.toBe(a)
      expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    })
  })
}
