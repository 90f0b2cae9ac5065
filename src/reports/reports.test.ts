import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../test/engines.js'
import { addAgent, api, type Harness, startHarness } from '../../test/harness.js'
import { timeOrderedId } from '../store/index.js'

const at = (iso: string) => Date.parse(iso)
const SECOND = 1000

for (const engine of ENGINES) {
  describe(`${engine}: summary report`, () => {
    let h: Harness
    let alice: { id: string; cookie: string }
    let bob: { id: string; cookie: string }
    const teamId = randomUUID()

    async function conversation(c: {
      tenantId?: string
      createdAt: number
      closedAt?: number
      agentId?: string
      teamId?: string
      rating?: number
    }): Promise<string> {
      const id = randomUUID()
      await h.parley.store.conn.db
        .insertInto('conversations')
        .values({
          id,
          tenant_id: c.tenantId ?? h.tenant.tenantId,
          site_id: h.tenant.siteId,
          visitor_id: randomUUID(),
          status: c.closedAt ? 'closed' : c.agentId ? 'assigned' : 'open',
          agent_id: c.agentId ?? null,
          team_id: c.teamId ?? null,
          last_seq: 0,
          visitor_read_seq: 0,
          agent_read_seq: 0,
          visitor_context: '{}',
          rating: c.rating ?? null,
          rating_comment: null,
          first_response_at: null,
          created_at: c.createdAt,
          updated_at: c.closedAt ?? c.createdAt,
          closed_at: c.closedAt ?? null,
        })
        .execute()
      return id
    }
    async function message(
      conversationId: string,
      createdAt: number,
      from: { kind: 'visitor' | 'agent'; id: string },
      note = false,
    ) {
      await h.parley.store.messages.write({
        id: timeOrderedId(createdAt),
        tenantId: h.tenant.tenantId,
        conversationId,
        clientMsgId: randomUUID(),
        senderKind: from.kind,
        senderId: from.id,
        kind: note ? 'note' : 'text',
        text: 'hello',
        createdAt,
      })
    }
    async function offline(createdAt: number, tenantId = h.tenant.tenantId) {
      await h.parley.store.conn.db
        .insertInto('offline_messages')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          site_id: h.tenant.siteId,
          name: 'V',
          email: 'v@example.test',
          body: Buffer.from('call me'),
          created_at: createdAt,
        })
        .execute()
    }
    const report = (query: string, cookie = h.adminCookie) =>
      api(h, 'GET', `/api/v1/reports/summary?${query}`, { cookie })

    beforeAll(async () => {
      h = await startHarness(engine)
      alice = await addAgent(h, 'Alice')
      bob = await addAgent(h, 'Bob')
      await h.parley.store.directory.insertTeam({ id: teamId, tenantId: h.tenant.tenantId, name: 'Cards' })
      const visitor = { kind: 'visitor', id: 'v' } as const
      // Berlin switches to summer time at 2025-03-30T01:00Z: the 30th has 23 hours.
      const c1Start = at('2025-03-29T23:30:00Z') // local 30th 00:30 (+01:00)
      const c1 = await conversation({
        createdAt: c1Start,
        closedAt: c1Start + 3600 * SECOND, // local 30th 01:30 (+01:00)
        agentId: alice.id,
        teamId,
        rating: 5,
      })
      await message(c1, c1Start + 10 * SECOND, visitor)
      await message(c1, c1Start + 45 * SECOND, { kind: 'agent', id: alice.id })
      await message(c1, c1Start + 90 * SECOND, { kind: 'agent', id: alice.id })
      const c2Start = at('2025-03-30T21:59:00Z') // local 30th 23:59 (+02:00)
      const c2 = await conversation({
        createdAt: c2Start,
        closedAt: c2Start + 1800 * SECOND, // local 31st 00:29
        agentId: bob.id,
        rating: 3,
      })
      // An internal note is not a response to the visitor.
      await message(c2, c2Start + 5 * SECOND, { kind: 'agent', id: bob.id }, true)
      await message(c2, c2Start + 10 * SECOND, visitor)
      await message(c2, c2Start + 120 * SECOND, { kind: 'agent', id: bob.id })
      // Local 31st 00:30: a fixed +01:00 offset would wrongly count it on the 30th.
      await conversation({ createdAt: at('2025-03-30T22:30:00Z') })
      // Started before the range (local 29th 23:00), closed inside it: counts as closed and resolved only.
      await conversation({
        createdAt: at('2025-03-29T22:00:00Z'),
        closedAt: at('2025-03-30T10:00:00Z'),
        agentId: alice.id,
        rating: 1,
      })
      await offline(at('2025-03-30T21:30:00Z')) // local 30th 23:30
      await offline(at('2025-03-31T06:00:00Z'))
      // Another tenant's activity in the same hours never shows.
      const otherTenant = randomUUID()
      await h.parley.store.directory.insertTenant({ id: otherTenant, name: 'Other' })
      await conversation({ tenantId: otherTenant, createdAt: c1Start, closedAt: c1Start + 60_000, rating: 1 })
      await offline(at('2025-03-30T12:00:00Z'), otherTenant)
    })
    afterAll(async () => h?.close())

    it('counts each local day of Europe/Berlin across the DST change, with first response, resolution and satisfaction', async () => {
      const r = await report('from=2025-03-30&to=2025-03-31&tz=Europe/Berlin')
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({
        from: '2025-03-30',
        to: '2025-03-31',
        tz: 'Europe/Berlin',
        days: [
          { date: '2025-03-30', conversations: 2, closed: 2, offlineMessages: 1 },
          { date: '2025-03-31', conversations: 1, closed: 1, offlineMessages: 1 },
        ],
        firstResponse: { count: 2, avgSeconds: 82.5, p50Seconds: 82.5, p90Seconds: 112.5 },
        resolution: { count: 3, avgSeconds: 16_200, p50Seconds: 3600, p90Seconds: 35_280 },
        satisfaction: { count: 2, average: 4, distribution: { 1: 0, 2: 0, 3: 1, 4: 0, 5: 1 } },
      })
    })

    it('reports per agent and per team, idle ones with nulls', async () => {
      const r = await report('from=2025-03-30&to=2025-03-31&tz=Europe/Berlin')
      expect(r.body.perAgent).toEqual([
        {
          agentId: expect.any(String),
          name: 'Administrator',
          conversations: 0,
          closed: 0,
          firstResponseP50Seconds: null,
          resolutionP50Seconds: null,
          satisfactionAverage: null,
          satisfactionCount: 0,
        },
        {
          agentId: alice.id,
          name: 'Alice',
          conversations: 1,
          closed: 2,
          firstResponseP50Seconds: 45,
          resolutionP50Seconds: 23_400,
          satisfactionAverage: 5,
          satisfactionCount: 1,
        },
        {
          agentId: bob.id,
          name: 'Bob',
          conversations: 1,
          closed: 1,
          firstResponseP50Seconds: 120,
          resolutionP50Seconds: 1800,
          satisfactionAverage: 3,
          satisfactionCount: 1,
        },
      ])
      expect(r.body.perTeam).toEqual([
        {
          teamId,
          name: 'Cards',
          conversations: 1,
          closed: 1,
          firstResponseP50Seconds: 45,
          resolutionP50Seconds: 3600,
          satisfactionAverage: 5,
          satisfactionCount: 1,
        },
      ])
    })

    it('counts the same data by UTC days when asked for UTC, and lists empty days with zeros and nulls', async () => {
      const utc = await report('from=2025-03-30&to=2025-03-31&tz=UTC')
      expect(utc.body.days).toEqual([
        { date: '2025-03-30', conversations: 2, closed: 3, offlineMessages: 1 },
        { date: '2025-03-31', conversations: 0, closed: 0, offlineMessages: 1 },
      ])
      const empty = await report('from=2024-01-01&to=2024-01-03&tz=Asia/Kathmandu')
      expect(empty.body.days).toHaveLength(3)
      expect(empty.body.days.every((d: { conversations: number }) => d.conversations === 0)).toBe(true)
      expect(empty.body.firstResponse).toEqual({
        count: 0,
        avgSeconds: null,
        p50Seconds: null,
        p90Seconds: null,
      })
      expect(empty.body.satisfaction.average).toBeNull()
    })

    it('is for admins: 401 without a session, 403 for an agent', async () => {
      const q = 'from=2025-03-30&to=2025-03-31&tz=UTC'
      expect((await api(h, 'GET', `/api/v1/reports/summary?${q}`)).body.error.code).toBe(
        'PARLEY_ERR_AUTH_REQUIRED',
      )
      const forbidden = await report(q, alice.cookie)
      expect(forbidden.status).toBe(403)
      expect(forbidden.body.error.code).toBe('PARLEY_ERR_AUTH_FORBIDDEN')
    })

    it('answers 400 with a typed code for bad zones, ranges and dates', async () => {
      const tz = await report('from=2025-03-30&to=2025-03-31&tz=Mars%2FOlympus')
      expect(tz.status).toBe(400)
      expect(tz.body.error.code).toBe('PARLEY_ERR_REPORT_TIMEZONE_INVALID')
      const long = await report('from=2024-01-01&to=2025-01-02&tz=UTC')
      expect(long.body.error).toMatchObject({ code: 'PARLEY_ERR_REPORT_RANGE_INVALID', maxDays: 366 })
      expect((await report('from=2025-03-31&to=2025-03-30')).body.error.code).toBe(
        'PARLEY_ERR_REPORT_RANGE_INVALID',
      )
      expect((await report('from=2025-02-30&to=2025-03-01')).body.error.code).toBe(
        'PARLEY_ERR_REPORT_RANGE_INVALID',
      )
      expect((await report("from=2025-03-30'--&to=2025-03-31")).body.error.code).toBe(
        'PARLEY_ERR_BAD_REQUEST',
      )
      expect((await report('to=2025-03-31')).body.error.code).toBe('PARLEY_ERR_BAD_REQUEST')
    })
  })
}
