import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, REDIS_TEST_URL, type TestDatabase } from '../../test/engines.js'
import { RedisBus } from '../bus/index.js'
import { EventStream } from '../events/index.js'
import { Store } from '../store/index.js'
import { WidgetThrottle } from './responses.js'
import { WatchService } from './watch-service.js'

// Two nodes' watch services over one PostgreSQL database and a real Redis: each node emits half
// of a tenant's traffic, as a load balancer would spread it.
describe('postgres + redis: anomaly detection across two nodes', () => {
  let tdb: TestDatabase
  const nodes: {
    store: Store
    bus: RedisBus
    busErrors: unknown[]
    events: EventStream
    watch: WatchService
    notified: string[]
  }[] = []
  const tenant = `t-${randomUUID()}`

  beforeAll(async () => {
    tdb = await freshDatabase('postgres')
    for (const name of ['watch-a', 'watch-b']) {
      const store = await Store.open({ databaseUrl: tdb.databaseUrl, sqlitePath: tdb.sqlitePath })
      const busErrors: unknown[] = []
      const bus = new RedisBus(`${name}-${randomUUID()}`, REDIS_TEST_URL, (err) => busErrors.push(err))
      await bus.ready()
      const events = new EventStream()
      const notified: string[] = []
      const watch = new WatchService(store, events, (_t, a) => notified.push(a.id), bus.nodeId, bus)
      nodes.push({ store, bus, busErrors, events, watch, notified })
    }
    // Node A starts first and takes the judge's lease; B follows.
    nodes[0]!.watch.start()
    await nodes[0]!.watch.renewJudgeLease()
    nodes[1]!.watch.start()
    await nodes[1]!.watch.renewJudgeLease()
  }, 30_000)

  afterAll(async () => {
    for (const n of nodes) {
      await n.watch.stop()
      await n.bus.close()
      await n.store.close()
    }
    await tdb?.dispose()
  })

  function started(node: number, at: number, ip: string, of = tenant) {
    nodes[node]!.events.emit({
      type: 'conversation.started',
      ts: new Date(at).toISOString(),
      tenant: of,
      actor: { kind: 'visitor', id: randomUUID() },
      origin: { channel: 'ws', node: `watch-${node}`, ip, userAgent: 'Mozilla/5.0' },
      conversationId: randomUUID(),
      siteId: 'site',
      visitorId: randomUUID(),
    })
  }

  it('judges the whole cluster, stores each alert once, and hands the judging over', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]]
    expect(a.watch.isJudge).toBe(true)
    expect(b.watch.isJudge).toBe(false)

    // Events of a node reach the other within a fraction of a second, as they happen. The test
    // compresses weeks into moments, so it waits for each node's share to arrive before the
    // other node's later events, keeping the cluster's stream in time order as real time would.
    let total = 0
    const arrived = async () => {
      await expect.poll(() => a.watch.engine.stats().events, { timeout: 10_000 }).toBe(total)
      await expect.poll(() => b.watch.engine.stats().events, { timeout: 10_000 }).toBe(total)
    }
    // A week of about 1,000 chats a day through node A, then a flood from two addresses that
    // arrives through both nodes in turn: neither node alone sees all of it.
    const start = Date.now() - 8 * 86_400_000
    let t = start
    while (t < start + 7 * 86_400_000) {
      started(0, t, `198.51.${(total * 7) % 250}.${(total * 13) % 250}`)
      total++
      t += 86_400 * (0.5 + ((total * 37) % 100) / 100)
    }
    await arrived()
    const surge = t + 60_000
    for (let chunk = 0; chunk < 10; chunk++) {
      for (let i = chunk * 100; i < chunk * 100 + 100; i++)
        started(chunk % 2, surge + i * 600, i % 2 ? '203.0.113.7' : '203.0.113.8')
      total += 100
      await arrived()
    }
    const rejected = (w: WatchService) => Object.values(w.engine.stats().rejected).reduce((x, y) => x + y, 0)
    expect(rejected(a.watch) + rejected(b.watch)).toBe(0)
    expect(a.watch.clusterStats.rejected + b.watch.clusterStats.rejected).toBe(0)
    await a.watch.settled()
    await b.watch.settled()

    // The alert is stored and announced once, by the judge, with the whole flood as evidence.
    const alerts = await a.watch.list(tenant, 10)
    const flood = alerts.filter((x) => x.alert.signal === 'conversations')
    expect(flood).toHaveLength(1)
    expect(flood[0]!.alert.diagnosis.cause).toBe('bot_flood')
    expect(a.notified).toContain(flood[0]!.id)
    expect(b.notified).toHaveLength(0)

    // The judge stops (a deploy). Before B's next renewal takes the lease over, a flood hits
    // another tenant through B: B keeps that alert, and stores it once it is the judge.
    await a.watch.stop()
    const other = `t-${randomUUID()}`
    t = surge + 600_000
    for (let n = 0; t < surge + 7 * 86_400_000; n++) {
      started(1, t, `198.51.${(n * 7) % 250}.${(n * 13) % 250}`, other)
      t += 86_400 * (0.5 + ((n * 37) % 100) / 100)
    }
    for (let i = 0; i < 1000; i++) started(1, t + i * 600, i % 2 ? '203.0.113.9' : '203.0.113.10', other)
    await b.watch.settled()
    expect(b.watch.isJudge).toBe(false)
    expect(await b.watch.list(other, 10)).toHaveLength(0)
    await b.watch.renewJudgeLease()
    expect(b.watch.isJudge).toBe(true)
    await b.watch.settled()
    const held = (await b.watch.list(other, 10)).filter((x) => x.alert.signal === 'conversations')
    expect(held).toHaveLength(1)
    expect(b.notified).toEqual([held[0]!.id])
    // What B raised while A judged was already stored by A: nothing is stored twice.
    expect((await b.watch.list(tenant, 10)).filter((x) => x.alert.signal === 'conversations')).toHaveLength(1)
    a.watch.start()
  })

  it("refuses a throttled network's widget connections on every node", async () => {
    const [onA, onB] = nodes.map((n) => new WidgetThrottle(n.bus)) as [WidgetThrottle, WidgetThrottle]
    const until = Date.now() + 60_000
    onA.block(tenant, '203.0.113.0/24', until)
    expect(onA.throttledUntil(tenant, '203.0.113.7', Date.now())).toBe(until)
    await expect
      .poll(() => onB.throttledUntil(tenant, '203.0.113.8', Date.now()), { timeout: 5000 })
      .toBe(until)
    expect(onB.throttledUntil(tenant, '198.51.100.1', Date.now())).toBeNull()
    expect(onB.throttledUntil(`t-${randomUUID()}`, '203.0.113.8', Date.now())).toBeNull()
    // A notice that does not fit its schema is reported by the receiving bus, and changes nothing.
    nodes[0]!.bus.toOtherNodes('widget-throttle', { tenantId: tenant, network: 42, until })
    await expect
      .poll(() => nodes[1]!.busErrors.map(String).join('\n'), { timeout: 5000 })
      .toMatch(/malformed widget-throttle notice from node watch-a-/)
    expect(onB.throttledUntil(tenant, '198.51.100.1', Date.now())).toBeNull()
  })
})
