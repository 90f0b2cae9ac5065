import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../test/engines.js'
import { addAgent, api, Client, type Harness, startHarness } from '../../test/harness.js'
import { createTenant } from './index.js'

for (const engine of ENGINES) {
  describe(`${engine}: hostile and malformed input on /ws`, () => {
    let h: Harness
    beforeAll(async () => {
      h = await startHarness(engine, {
        ws: { maxFrameBytes: 16 * 1024, framesPerSecond: 20, burst: 20, slowClientBytes: 1024 * 1024 },
      })
    })
    afterAll(async () => h?.close())

    it('answers a malformed frame with PARLEY_ERR_WS_BAD_FRAME and keeps the socket usable', async () => {
      const { client } = await Client.visitor(h)
      client.send('{not json')
      expect((await client.next((f) => f.type === 'error')).code).toBe('PARLEY_ERR_WS_BAD_FRAME')
      client.send({ type: 'message.send', conversationId: 'x' })
      const bad = await client.next((f) => f.type === 'error')
      expect(bad.code).toBe('PARLEY_ERR_WS_BAD_FRAME')
      expect(bad.issues.length).toBeGreaterThan(0)
      expect((await client.request({ type: 'ping' })).type).toBe('pong')
      client.close()
    })

    it('answers an unknown frame type with PARLEY_ERR_WS_UNKNOWN_TYPE', async () => {
      const { client } = await Client.visitor(h)
      expect((await client.request({ type: 'admin.drop_tables' })).code).toBe('PARLEY_ERR_WS_UNKNOWN_TYPE')
      expect((await client.request({ type: '__proto__' })).code).toBe('PARLEY_ERR_WS_UNKNOWN_TYPE')
      client.close()
    })

    it('refuses any frame but auth before authentication', async () => {
      const c = new Client(`${h.wsUrl}/ws?role=visitor&key=${h.tenant.widgetKey}`, { origin: h.origin })
      await c.opened
      expect((await c.request({ type: 'conversation.start' })).code).toBe('PARLEY_ERR_WS_NOT_AUTHENTICATED')
      c.close()
    })

    it('rejects a 4,001-char message with PARLEY_ERR_MESSAGE_TOO_LONG and its limit', async () => {
      const { client } = await Client.visitor(h)
      const { conversation } = await client.request({ type: 'conversation.start' })
      const err = await client.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'big',
        text: 'x'.repeat(4001),
      })
      expect(err).toMatchObject({ type: 'error', code: 'PARLEY_ERR_MESSAGE_TOO_LONG', limit: 4000 })
      const empty = await client.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'e',
        text: '   ',
      })
      expect(empty.code).toBe('PARLEY_ERR_MESSAGE_EMPTY')
      const ok = await client.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'fits',
        text: 'x'.repeat(4000),
      })
      expect(ok.type).toBe('message.ack')
      client.close()
    })

    it('closes a socket that sends a frame over the size limit with 1009, others unaffected', async () => {
      const { client: bystander } = await Client.visitor(h)
      const { client } = await Client.visitor(h)
      client.send({ type: 'ping', pad: 'x'.repeat(20 * 1024) })
      expect((await client.closedP).code).toBe(1009)
      expect((await bystander.request({ type: 'ping' })).type).toBe('pong')
      bystander.close()
    })

    it('throttles a flooding socket, then closes it with 1008, while a neighbour keeps chatting', async () => {
      const { client: neighbour } = await Client.visitor(h)
      const { conversation } = await neighbour.request({ type: 'conversation.start' })
      const { client: flooder } = await Client.visitor(h)
      for (let i = 0; i < 200; i++) flooder.send({ type: 'ping' })
      const err = await flooder.next((f) => f.type === 'error')
      expect(err).toMatchObject({ code: 'PARLEY_ERR_WS_FLOOD' })
      expect((await flooder.closedP).code).toBe(1008)
      const ack = await neighbour.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'n',
        text: 'still here',
      })
      expect(ack.type).toBe('message.ack')
      neighbour.close()
    })

    it("treats another tenant's conversation id as not found, and stores nothing", async () => {
      const other = await createTenant(h.parley, {
        name: 'Other Co',
        adminEmail: `o-${randomUUID()}@other.test`,
        allowedOrigins: ['https://other.test'],
      })
      const { client: theirs } = await Client.visitor(h, {
        key: other.widgetKey,
        origin: 'https://other.test',
      })
      const { conversation } = await theirs.request({ type: 'conversation.start' })
      const { client: mine } = await Client.visitor(h)
      const err = await mine.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'x',
        text: 'hi',
      })
      expect(err.code).toBe('PARLEY_ERR_NOT_FOUND')
      const resume = await mine.request({ type: 'resume', conversationId: conversation.id, afterSeq: 0 })
      expect(resume.code).toBe('PARLEY_ERR_NOT_FOUND')
      const row = await h.parley.store.conversations.conversation(other.tenantId, conversation.id)
      expect(row?.last_seq).toBe(0)
      // A visitor token of the other tenant is not honoured on this tenant's widget.
      const { auth } = await Client.visitor(h, { key: other.widgetKey, origin: 'https://other.test' })
      const { auth: fresh } = await Client.visitor(h, { token: auth.visitorToken })
      expect(fresh.visitorId).not.toBe(auth.visitorId)
      theirs.close()
      mine.close()
    })

    it('refuses the handshake from an Origin the site does not allow (403, no socket)', async () => {
      const c = new Client(`${h.wsUrl}/ws?role=visitor&key=${h.tenant.widgetKey}`, {
        origin: 'https://evil.test',
      })
      await expect(c.opened).rejects.toMatchObject({ statusCode: 403 })
      const noOrigin = new Client(`${h.wsUrl}/ws?role=visitor&key=${h.tenant.widgetKey}`)
      await expect(noOrigin.opened).rejects.toMatchObject({ statusCode: 403 })
      const badKey = new Client(`${h.wsUrl}/ws?role=visitor&key=nope`, { origin: h.origin })
      await expect(badKey.opened).rejects.toMatchObject({ statusCode: 401 })
    })

    it('refuses an agent socket with a session cookie from a foreign Origin (cross-site hijack)', async () => {
      const c = new Client(`${h.wsUrl}/ws?role=agent`, { cookie: h.adminCookie, origin: 'https://evil.test' })
      await expect(c.opened).rejects.toMatchObject({ statusCode: 403 })
    })

    it('closes an agent socket whose session is not accepted with 4003', async () => {
      const c = new Client(`${h.wsUrl}/ws?role=agent`)
      await c.opened
      c.send({ type: 'auth', session: 'forged' })
      expect((await c.closedP).code).toBe(4003)
    })

    it('lets a plain agent act only on conversations they may see', async () => {
      const a = await addAgent(h, 'Frank', { capacity: 5 })
      const b = await addAgent(h, 'Grace', { capacity: 5 })
      const { client: fa } = await Client.agent(h, a.cookie)
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      const row = await h.parley.store.conversations.conversation(h.tenant.tenantId, conversation.id)
      if (row?.status === 'open')
        expect(
          (await api(h, 'POST', `/api/v1/conversations/${conversation.id}/claim`, { cookie: a.cookie }))
            .status,
        ).toBe(200)
      expect(
        (await h.parley.store.conversations.conversation(h.tenant.tenantId, conversation.id))?.agent_id,
      ).toBe(a.id)
      const list = await api(h, 'GET', '/api/v1/conversations?assignee=' + a.id, { cookie: b.cookie })
      expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(conversation.id)
      const read = await api(h, 'GET', `/api/v1/conversations/${conversation.id}/messages`, {
        cookie: b.cookie,
      })
      expect(read.status).toBe(404)
      const r = await api(h, 'POST', `/api/v1/conversations/${conversation.id}/messages`, {
        cookie: b.cookie,
        body: { clientMsgId: 'x', text: 'not mine' },
      })
      expect(r.status).toBe(404)
      expect(r.body.error.code).toBe('PARLEY_ERR_NOT_FOUND')
      fa.close()
      visitor.close()
    })
  })
}
