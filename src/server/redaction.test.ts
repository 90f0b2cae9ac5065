import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../test/engines.js'
import { addAgent, api, Client, type Harness, recordEvents, startHarness } from '../../test/harness.js'
import type { ParleyEvent } from '../events/index.js'

for (const engine of ENGINES) {
  describe(`${engine}: redaction in the message path`, () => {
    let h: Harness
    let events: ParleyEvent[] = []
    beforeAll(async () => {
      h = await startHarness(engine)
      events = recordEvents(h)
    })
    afterAll(async () => h?.close())

    async function chat() {
      const agentInfo = await addAgent(h, 'Rita', { capacity: 10 })
      const { client: agent } = await Client.agent(h, agentInfo.cookie)
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      return { agent, visitor, conversationId: conversation.id as string }
    }

    it('masks a card number before it is stored, delivered or counted', async () => {
      const { agent, visitor, conversationId } = await chat()
      await visitor.request({
        type: 'message.send',
        conversationId,
        clientMsgId: 'c1',
        text: 'my card is 4111 1111 1111 1111 thanks',
      })
      const seen = await agent.next(
        (f) => f.type === 'message' && f.message.conversationId === conversationId,
      )
      expect(seen.message.text).not.toMatch(/4111 1111 1111/)
      expect(seen.message.text).toContain('1111')
      expect(seen.message.redactions).toEqual({ card_number: 1 })
      const stored = await h.parley.store.conversations.messages(h.tenant.tenantId, conversationId, {
        afterSeq: 0,
        limit: 10,
        includeNotes: true,
      })
      expect(stored[0]!.text).toBe(seen.message.text)
      const sent = events.find((e) => e.type === 'message.sent' && e.conversationId === conversationId)
      expect(sent).toMatchObject({ redactions: { card_number: 1 } })
      const raw = await h.parley.store.conn.db
        .selectFrom('messages')
        .select('body')
        .where('conversation_id', '=', conversationId)
        .execute()
      expect(raw.map((r) => Buffer.from(r.body).toString()).join()).not.toMatch(/4111\s?1111\s?1111/)
      agent.close()
      visitor.close()
    })

    it('catches a card split over two messages and redacts the first part where it is stored and shown', async () => {
      const { agent, visitor, conversationId } = await chat()
      await visitor.request({ type: 'message.send', conversationId, clientMsgId: 's1', text: '4111 1111' })
      await visitor.request({ type: 'message.send', conversationId, clientMsgId: 's2', text: '1111 1111' })
      const revised = await agent.next(
        (f) => f.type === 'message.redacted' && f.conversationId === conversationId,
      )
      expect(revised.seq).toBe(1)
      expect(revised.text).not.toContain('4111')
      await visitor.next((f) => f.type === 'message.redacted' && f.seq === 1)
      const stored = await h.parley.store.conversations.messages(h.tenant.tenantId, conversationId, {
        afterSeq: 0,
        limit: 10,
        includeNotes: true,
      })
      expect(stored.map((m) => m.text).join(' ')).not.toMatch(/4111/)
      expect(stored[0]!.redactions).toMatchObject({ card_number: 1 })
      expect(events.some((e) => e.type === 'message.redacted' && e.conversationId === conversationId)).toBe(
        true,
      )
      agent.close()
      visitor.close()
    })

    it('redacts pre-chat fields, offline messages and text attachments too', async () => {
      const { client: visitor, auth } = await Client.visitor(h)
      const { conversation } = await visitor.request({
        type: 'conversation.start',
        fields: { name: 'Sam', email: 'sam@example.test', note: 'SSN 536-22-1847' },
      })
      const view = await api(h, 'GET', `/api/v1/conversations/${conversation.id}`, { cookie: h.adminCookie })
      expect(view.body.context.fields.note).not.toContain('536-22-1847')
      expect(view.body.visitor.email).toBe('sam@example.test')

      await api(h, 'POST', `/api/v1/widget/offline-messages?key=${h.tenant.widgetKey}`, {
        headers: { origin: h.origin },
        body: { name: 'Olga', email: 'olga@example.test', text: 'my ssn is 536-22-1847, call me' },
      })
      const offline = await api(h, 'GET', '/api/v1/offline-messages', { cookie: h.adminCookie })
      expect(offline.body.items[0].text).not.toContain('536-22-1847')

      const res = await fetch(
        `${h.url}/api/v1/widget/conversations/${conversation.id}/attachments?fileName=card-4111111111111111.txt&clientMsgId=f1`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${auth.visitorToken}`,
            'content-type': 'application/octet-stream',
            origin: h.origin,
          },
          body: 'card 4111-1111-1111-1111 exp 12/29',
        },
      )
      const { attachment } = (await res.json()) as any
      expect(attachment.fileName).not.toContain('4111111111111111')
      const file = await fetch(
        `${h.url}/api/v1/conversations/${conversation.id}/attachments/${attachment.id}`,
        { headers: { cookie: h.adminCookie } },
      )
      expect(await file.text()).not.toMatch(/4111-1111-1111/)
      visitor.close()
    })

    it('lets an admin change the policy, refusing forbidden modes and failing custom patterns', async () => {
      const bad = await api(h, 'PUT', '/api/v1/protect/policy', {
        cookie: h.adminCookie,
        body: { version: 1, categories: { card_cvv: 'keep' } },
      })
      expect(bad.body.error.code).toBe('PARLEY_ERR_PROTECT_MODE_FORBIDDEN')
      // Tokenizing is allowed now that the vault keeps the values (see src/vault/vault.test.ts).
      const token = await api(h, 'PUT', '/api/v1/protect/policy', {
        cookie: h.adminCookie,
        body: { version: 1, categories: { email: 'tokenize' } },
      })
      expect(token.status).toBe(200)
      const failing = await api(h, 'PUT', '/api/v1/protect/policy', {
        cookie: h.adminCookie,
        body: {
          version: 1,
          customPatterns: [{ name: 'member_id', pattern: 'MB-[0-9]{6}', test: 'no match here' }],
        },
      })
      expect(failing.body.error.code).toBe('PARLEY_ERR_PROTECT_PATTERN_TEST_FAILED')
      const agent = await addAgent(h, 'Nope')
      expect((await api(h, 'GET', '/api/v1/protect/policy', { cookie: agent.cookie })).status).toBe(403)

      const policy = {
        version: 1,
        default: 'remove',
        categories: { card_number: { mode: 'mask', keepLast: 4 }, email: 'keep' },
        customPatterns: [{ name: 'member_id', pattern: 'MB-[0-9]{6}', test: 'id MB-123456' }],
      }
      const dry = await api(h, 'POST', '/api/v1/protect/test', {
        cookie: h.adminCookie,
        body: { text: 'member MB-654321', policy },
      })
      expect(dry.body.text).not.toContain('MB-654321')
      const saved = await api(h, 'PUT', '/api/v1/protect/policy', { cookie: h.adminCookie, body: policy })
      expect(saved.status).toBe(200)
      const { agent: rita, visitor, conversationId } = await chat()
      await visitor.request({
        type: 'message.send',
        conversationId,
        clientMsgId: 'e1',
        text: 'mail me at vera@example.test, member MB-777777',
      })
      const seen = await rita.next((f) => f.type === 'message' && f.message.conversationId === conversationId)
      expect(seen.message.text).toContain('vera@example.test')
      expect(seen.message.text).not.toContain('MB-777777')
      expect(events.some((e) => e.type === 'admin.change' && e.resource === 'protect_policy')).toBe(true)
      rita.close()
      visitor.close()
    })
  })
}
