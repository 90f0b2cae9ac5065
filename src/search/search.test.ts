import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../test/engines.js'
import { addAgent, api, completeSetup, type Harness, recordEvents, startHarness } from '../../test/harness.js'
import type { ParleyEvent } from '../events/index.js'
import type { AgentContext, VisitorContext } from '../identity/index.js'
import { createTenant } from '../server/index.js'

const origin = { channel: 'system', node: 'test' } as const

for (const engine of ENGINES) {
  describe(`${engine}: transcript search`, () => {
    let h: Harness
    let events: ParleyEvent[] = []
    beforeAll(async () => {
      h = await startHarness(engine)
      events = recordEvents(h)
    })
    afterAll(async () => h?.close())

    const visitorIn = (tenantId: string, siteId: string): VisitorContext => ({
      kind: 'visitor',
      tenantId,
      visitorId: randomUUID(),
      siteId,
      origin,
    })
    async function conversation(ctx = visitorIn(h.tenant.tenantId, h.tenant.siteId)) {
      const { conversation } = await h.parley.chat.startConversation(ctx, {})
      return { id: conversation.id, visitor: ctx }
    }
    async function say(
      ctx: VisitorContext | AgentContext,
      conversationId: string,
      text: string,
      note = false,
    ) {
      return h.parley.chat.acceptMessage(ctx, { conversationId, clientMsgId: randomUUID(), text, note })
    }
    const search = (q: string, cookie = h.adminCookie, extra = '') =>
      api(h, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`, { cookie })
    const agentCtx = (agentId: string): AgentContext => ({
      kind: 'agent',
      tenantId: h.tenant.tenantId,
      agentId,
      role: 'agent',
      name: 'Agent',
      sessionHash: 'test',
      origin,
    })

    it('finds a message by its words, whatever their case and accents, with a snippet', async () => {
      const c = await conversation()
      const ack = await say(c.visitor, c.id, 'Hello, my Crème Brûlée order never arrived')
      await h.parley.search.catchUp()
      const r = await search('creme BRULEE')
      expect(r.status).toBe(200)
      expect(r.body).toEqual({
        results: [
          {
            conversationId: c.id,
            messageId: ack.id,
            seq: ack.seq,
            senderKind: 'visitor',
            sentAt: ack.createdAt,
            snippet: 'Hello, my Crème Brûlée order never arrived',
          },
        ],
        nextCursor: null,
      })
    })

    it('needs every word of the query (AND)', async () => {
      const c = await conversation()
      const both = await say(c.visitor, c.id, 'zebra refund for my order please')
      await say(c.visitor, c.id, 'zebra refund approved')
      await say(c.visitor, c.id, 'zebra order shipped')
      await h.parley.search.catchUp()
      const r = await search('zebra refund order')
      expect(r.body.results.map((x: { messageId: string }) => x.messageId)).toEqual([both.id])
      expect((await search('zebra')).body.results).toHaveLength(3)
      expect((await search('zebra nonexistentword')).body.results).toEqual([])
    })

    it('pages newest first with a cursor', async () => {
      const c = await conversation()
      const ids: string[] = []
      for (const n of [1, 2, 3]) {
        ids.push((await say(c.visitor, c.id, `walrus number ${n}`)).id)
        // Ids order to the millisecond; two sends within one may come out either way.
        await new Promise((r) => setTimeout(r, 3))
      }
      await h.parley.search.catchUp()
      const first = await search('walrus', h.adminCookie, '&limit=2')
      expect(first.body.results.map((x: { messageId: string }) => x.messageId)).toEqual([ids[2], ids[1]])
      expect(first.body.nextCursor).toEqual(expect.any(String))
      const second = await search('walrus', h.adminCookie, `&limit=2&cursor=${first.body.nextCursor}`)
      expect(second.body.results.map((x: { messageId: string }) => x.messageId)).toEqual([ids[0]])
      expect(second.body.nextCursor).toBeNull()
    })

    it('shows an agent only conversations they may read; an admin sees all of the tenant', async () => {
      const owner = await addAgent(h, 'Olga')
      const other = await addAgent(h, 'Otto')
      const c = await conversation()
      await say(c.visitor, c.id, 'platypus question')
      await say(agentCtx(owner.id), c.id, 'platypus internal escalation', true)
      await h.parley.store.conversations.transition(h.tenant.tenantId, c.id, ['open', 'assigned'], {
        status: 'assigned',
        agent_id: owner.id,
      })
      await h.parley.search.catchUp()
      expect((await search('platypus', owner.cookie)).body.results).toHaveLength(2)
      expect((await search('platypus', h.adminCookie)).body.results).toHaveLength(2)
      expect((await search('platypus', other.cookie)).body).toEqual({ results: [], nextCursor: null })
      // Internal notes are found by agents (this API is for agents only).
      expect((await search('internal escalation', owner.cookie)).body.results).toHaveLength(1)
    })

    it("never matches another tenant's messages, and blinds the same word differently there", async () => {
      const other = await createTenant(h.parley, {
        name: 'Other Bank',
        adminEmail: `admin-${randomUUID()}@other.test`,
        allowedOrigins: ['https://other.test'],
      })
      const otherCookie = await completeSetup(h.url, other.setupUrl)
      const mine = await conversation()
      const theirs = await conversation(visitorIn(other.tenantId, other.siteId))
      await say(mine.visitor, mine.id, 'kangaroo in tenant one')
      await say(theirs.visitor, theirs.id, 'kangaroo in tenant two')
      await h.parley.search.catchUp()
      const a = await search('kangaroo', h.adminCookie)
      const b = await search('kangaroo', otherCookie)
      expect(a.body.results.map((x: { conversationId: string }) => x.conversationId)).toEqual([mine.id])
      expect(b.body.results.map((x: { conversationId: string }) => x.conversationId)).toEqual([theirs.id])
      const [ha] = h.parley.search.blindQuery(h.tenant.tenantId, 'kangaroo').hashes
      const [hb] = h.parley.search.blindQuery(other.tenantId, 'kangaroo').hashes
      expect(ha!.equals(hb!)).toBe(false)
    })

    it('cannot find a card number: it was redacted before it was stored', async () => {
      const c = await conversation()
      await say(c.visitor, c.id, 'my card is 4111 1111 1111 1111 thanks wombat')
      await h.parley.search.catchUp()
      expect((await search('4111')).body.results).toEqual([])
      expect((await search('4111111111111111')).body.results).toEqual([])
      const found = await search('wombat')
      expect(found.body.results).toHaveLength(1)
      expect(found.body.results[0].snippet).not.toMatch(/4111/)
    })

    it('drops the old terms of a message that a later message caused to be redacted', async () => {
      const c = await conversation()
      const first = await say(c.visitor, c.id, '4111 1111')
      await h.parley.search.catchUp()
      const [term] = h.parley.search.blindQuery(h.tenant.tenantId, '4111').hashes
      expect((await h.parley.store.search.postingsOf(first.id)).some((p) => p.equals(term!))).toBe(true)
      expect((await search('4111')).body.results).toHaveLength(1)
      await say(c.visitor, c.id, '1111 1111')
      expect(events.some((e) => e.type === 'message.redacted' && e.messageId === first.id)).toBe(true)
      await h.parley.search.catchUp()
      expect((await h.parley.store.search.postingsOf(first.id)).some((p) => p.equals(term!))).toBe(false)
      expect((await search('4111')).body.results).toEqual([])
    })

    it('records every search as an event with lengths and counts, never the query text', async () => {
      const c = await conversation()
      await say(c.visitor, c.id, 'ocelot sighting confirmed')
      await h.parley.search.catchUp()
      const before = events.length
      await search('Ocelot sighting')
      const e = events.slice(before).find((x) => x.type === 'transcript.search')
      expect(e).toMatchObject({
        type: 'transcript.search',
        tenant: h.tenant.tenantId,
        actor: { kind: 'agent' },
        queryLength: 'Ocelot sighting'.length,
        words: 2,
        results: 1,
      })
      expect(JSON.stringify(events.slice(before)).toLowerCase()).not.toContain('ocelot')
    })

    it('answers 400, 401 for bad queries, cursors and missing sessions', async () => {
      expect((await api(h, 'GET', '/api/v1/search?q=hello')).body.error.code).toBe('PARLEY_ERR_AUTH_REQUIRED')
      const short = await search('a ! ?')
      expect(short.status).toBe(400)
      expect(short.body.error.code).toBe('PARLEY_ERR_SEARCH_QUERY_INVALID')
      const many = await search('one two three four five six seven eight nine')
      expect(many.body.error).toMatchObject({ code: 'PARLEY_ERR_SEARCH_QUERY_INVALID', maxWords: 8 })
      expect((await search('')).body.error.code).toBe('PARLEY_ERR_BAD_REQUEST')
      expect((await search('hello', h.adminCookie, '&limit=500')).body.error.code).toBe(
        'PARLEY_ERR_BAD_REQUEST',
      )
      const forged = Buffer.from("x' or 1=1 --").toString('base64url')
      expect((await search('hello', h.adminCookie, `&cursor=${forged}`)).body.error.code).toBe(
        'PARLEY_ERR_BAD_REQUEST',
      )
      // SQL in a query is just words to blind.
      expect((await search("'; drop table search_terms; --")).status).toBe(200)
    })
  })
}
