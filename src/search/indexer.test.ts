import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES, freshDatabase, type TestDatabase } from '../../test/engines.js'
import { EventStream } from '../events/index.js'
import { Store, timeOrderedId } from '../store/index.js'
import { CALM_REPORTS, SearchService } from './search-service.js'

const settle = () => new Promise((r) => setTimeout(r, 5))

for (const engine of ENGINES) {
  describe(`${engine}: search indexer`, () => {
    let tdb: TestDatabase
    let store: Store
    const tenantId = randomUUID()
    beforeAll(async () => {
      tdb = await freshDatabase(engine)
      store = await Store.open({ databaseUrl: tdb.databaseUrl, sqlitePath: tdb.sqlitePath })
      await store.directory.insertTenant({ id: tenantId, name: 'Indexer Bank' })
    })
    afterAll(async () => {
      await store?.close()
      await tdb?.dispose()
    })

    async function conversation(): Promise<string> {
      const id = randomUUID()
      await store.conversations.insertConversation({
        id,
        tenantId,
        siteId: 'site',
        visitorId: randomUUID(),
        visitorContext: '{}',
        teamId: null,
      })
      return id
    }
    const write = (conversationId: string, text: string, createdAt = Date.now()) =>
      store.messages.write({
        id: timeOrderedId(createdAt),
        tenantId,
        conversationId,
        clientMsgId: randomUUID(),
        senderKind: 'visitor',
        senderId: 'v',
        kind: 'text',
        text,
        createdAt,
      })
    // settleMs 0: the persisted cursor follows the tail at once, so a restart is exact.
    const open = (opts: { nodeId?: string; secret?: string } = {}) =>
      SearchService.open({
        store,
        events: new EventStream(),
        nodeId: opts.nodeId ?? 'node-a',
        configuredSecret: opts.secret,
        indexer: { settleMs: 0 },
      })
    const hits = async (search: SearchService, word: string) =>
      store.search.find({ tenantId, termHashes: search.blindQuery(tenantId, word).hashes, limit: 100 })

    it('resumes from its persisted cursor after a restart, indexing only what is new', async () => {
      const conv = await conversation()
      for (const n of [1, 2, 3]) await write(conv, `before restart heron ${n}`)
      await settle()
      const first = await open()
      await first.indexer.catchUp()
      expect(first.indexer.stats.indexed).toBeGreaterThanOrEqual(3)
      await first.stop()
      const cursor = await store.search.cursor()
      expect(cursor).not.toBe('')

      const added = [await write(conv, 'after restart heron 4'), await write(conv, 'after restart heron 5')]
      await settle()
      const second = await open()
      await second.indexer.catchUp()
      expect(second.indexer.stats.indexed).toBe(2)
      // Two ids minted in the same millisecond order by their random bits: the cursor is the larger.
      expect(await store.search.cursor()).toBe(added.map((a) => a.id).sort()[1])
      expect(await hits(second, 'heron')).toHaveLength(5)
      await second.stop()
    })

    it('lets only one node index at a time (lease), and the other take over once released', async () => {
      const a = await open({ nodeId: 'node-a' })
      const b = await open({ nodeId: 'node-b' })
      const conv = await conversation()
      await write(conv, 'lease test ibis')
      await settle()
      await a.indexer.catchUp()
      expect(a.indexer.stats.indexed).toBe(1)
      await write(conv, 'lease test ibis again')
      await settle()
      expect(await b.indexer.pass()).toBe(0)
      await a.stop()
      await b.indexer.catchUp()
      expect(b.indexer.stats.indexed).toBe(1)
      await b.stop()
    })

    it('drops the postings of a deleted message (retention purges the index too)', async () => {
      const search = await open()
      const conv = await conversation()
      const m = await write(conv, 'purge me jackal')
      await settle()
      await search.indexer.catchUp()
      expect(await hits(search, 'jackal')).toHaveLength(1)
      await store.conn.db.deleteFrom('messages').where('id', '=', m.id).execute()
      await search.indexer.catchUp()
      expect(await store.search.postingsOf(m.id)).toEqual([])
      await search.stop()
    })

    it('rebuilds the index when SEARCH_KEY changes, so old terms match nothing', async () => {
      const before = await open()
      const conv = await conversation()
      await write(conv, 'rekey lemur')
      await settle()
      await before.indexer.catchUp()
      const oldHash = before.blindQuery(tenantId, 'lemur').hashes[0]!
      await before.stop()
      const rekeyed = await open({ secret: randomBytes(32).toString('base64url') })
      expect(await store.search.cursor()).toBe('')
      expect(await store.search.find({ tenantId, termHashes: [oldHash], limit: 10 })).toEqual([])
      await rekeyed.indexer.catchUp()
      expect(await hits(rekeyed, 'lemur')).toHaveLength(1)
      expect(await hits(rekeyed, 'heron')).toHaveLength(5)
      await rekeyed.stop()
    })

    it('indexes 10,000 messages (throughput is logged, not asserted)', async () => {
      const conv = await conversation()
      const words = ['refund', 'order', 'delivery', 'address', 'invoice', 'account', 'password', 'reset']
      const start = Date.now() - 60_000
      for (let i = 0; i < 10_000; i += 500) {
        await Promise.all(
          Array.from({ length: 500 }, (_, j) =>
            write(
              conv,
              `message ${i + j} about my ${words[(i + j) % 8]} and ${words[(i + j * 3) % 8]}, reference ${(i + j) * 7919}`,
              start + i + j,
            ),
          ),
        )
      }
      const search = await open({ secret: randomBytes(32).toString('base64url') })
      const t0 = performance.now()
      await search.indexer.catchUp()
      const ms = performance.now() - t0
      console.log(
        `[${engine}] indexed ${search.indexer.stats.indexed} messages (${search.indexer.stats.postings} postings) in ${Math.round(ms)} ms: ${Math.round((search.indexer.stats.indexed / ms) * 1000)} messages/s`,
      )
      expect(search.indexer.stats.indexed).toBeGreaterThanOrEqual(10_000)
      expect(await hits(search, 'invoice')).toHaveLength(100)
      await search.stop()
    }, 120_000)

    it('pauses background indexing through a message peak and resumes once it has passed', async () => {
      const search = await open()
      await search.catchUp() // whatever earlier tests left (a new key rebuilds the index)
      const conv = await conversation()
      search.reportMessageRate(5000, 2000)
      await search.start()
      await write(conv, 'quokka during the peak')
      await new Promise((r) => setTimeout(r, 400))
      expect(await hits(search, 'quokka')).toHaveLength(0)
      // Hysteresis: still busy at 1,500 a second (above half the threshold).
      search.reportMessageRate(1500, 2000)
      await new Promise((r) => setTimeout(r, 400))
      expect(await hits(search, 'quokka')).toHaveLength(0)
      // Quiet, but not for long enough yet.
      for (let i = 1; i < CALM_REPORTS; i++) search.reportMessageRate(200, 2000)
      await new Promise((r) => setTimeout(r, 400))
      expect(await hits(search, 'quokka')).toHaveLength(0)
      search.reportMessageRate(200, 2000)
      await expect.poll(async () => (await hits(search, 'quokka')).length, { timeout: 5000 }).toBe(1)
      await search.stop()
    })
  })
}
