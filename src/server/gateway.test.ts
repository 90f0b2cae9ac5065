import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../test/engines.js'
import { addAgent, api, Client, type Harness, startHarness } from '../../test/harness.js'

for (const engine of ENGINES) {
  describe(`${engine}: real-time chat over /ws`, () => {
    let h: Harness
    beforeAll(async () => {
      h = await startHarness(engine)
    })
    afterAll(async () => h?.close())

    it('delivers a visitor message to the assigned agent and the reply back, acking each after storage', async () => {
      const alice = await addAgent(h, 'Alice')
      const { client: agent } = await Client.agent(h, alice.cookie)
      const { client: visitor } = await Client.visitor(h)
      const started = await visitor.request({
        type: 'conversation.start',
        fields: { name: 'Vera' },
        page: { url: 'https://shop.acme.test/cart' },
      })
      expect(started.type).toBe('conversation')
      const convId = started.conversation.id
      const assigned = await agent.assigned(convId)
      expect(assigned.conversation.agentId).toBe(alice.id)
      expect(assigned.conversation.context.pageUrl).toBe('https://shop.acme.test/cart')

      const ack = await visitor.request({
        type: 'message.send',
        conversationId: convId,
        clientMsgId: 'v-1',
        text: 'Where is my card?',
      })
      expect(ack).toMatchObject({ type: 'message.ack', seq: 1, duplicate: false })
      const got = await agent.next((f) => f.type === 'message' && f.message.conversationId === convId)
      expect(got.message).toMatchObject({ seq: 1, text: 'Where is my card?', sender: { kind: 'visitor' } })

      const reply = await agent.request({
        type: 'message.send',
        conversationId: convId,
        clientMsgId: 'a-1',
        text: 'On its way',
      })
      expect(reply.seq).toBe(2)
      const back = await visitor.next((f) => f.type === 'message' && f.message.seq === 2)
      expect(back.message).toMatchObject({ text: 'On its way', sender: { kind: 'agent', name: 'Alice' } })
      agent.close()
      visitor.close()
    })

    it('stores a resent client message id once and acks it as a duplicate', async () => {
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      const first = await visitor.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'same',
        text: 'hi',
      })
      const again = await visitor.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'same',
        text: 'hi',
      })
      expect(again).toMatchObject({ seq: first.seq, id: first.id, duplicate: true })
      const third = await visitor.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'next',
        text: 'more',
      })
      expect(third.seq).toBe(first.seq + 1)
      visitor.close()
    })

    it('with echo off, acks the sender with its message instead of a frame; its other sockets and the agent get the frame', async () => {
      const agentRow = await addAgent(h, 'Quinn')
      const { client: agent } = await Client.agent(h, agentRow.cookie)
      const { client: visitor, auth } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      await agent.assigned(conversation.id)
      // The same visitor in a second tab.
      const { client: otherTab } = await Client.visitor(h, { token: auth.visitorToken })
      await otherTab.request({ type: 'resume', conversationId: conversation.id, afterSeq: 0 })
      const send = {
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'quiet-1',
        text: 'my card is 4111 1111 1111 1111',
        echo: false,
      }
      const ack = await visitor.request(send)
      expect(ack).toMatchObject({
        type: 'message.ack',
        seq: 1,
        duplicate: false,
        message: { seq: 1, clientMsgId: 'quiet-1', sender: { kind: 'visitor' } },
      })
      // The ack carries the stored, redacted message: what everyone else is sent.
      expect(ack.message.text).not.toContain('4111 1111 1111 1111')
      const atAgent = await agent.next(
        (f) => f.type === 'message' && f.message.conversationId === conversation.id,
      )
      const atOtherTab = await otherTab.next((f) => f.type === 'message' && f.message.seq === 1)
      expect(atAgent.message).toEqual(ack.message)
      expect(atOtherTab.message).toEqual(ack.message)
      // The agent's reply still reaches the sender, and its own message never came as a frame.
      await agent.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'a-q',
        text: 'ok',
      })
      await visitor.next((f) => f.type === 'message' && f.message.seq === 2)
      expect(visitor.frames.filter((f) => f.type === 'message')).toEqual([])
      // A resend reached the transcript the first time: its ack carries no message.
      const again = await visitor.request({ ...send, ref: 'again' })
      expect(again).toMatchObject({ type: 'message.ack', seq: 1, duplicate: true })
      expect(again.message).toBeUndefined()
      agent.close()
      visitor.close()
      otherTab.close()
    })

    it('resumes after a reconnect from the last seen seq: nothing lost, nothing twice', async () => {
      const bob = await addAgent(h, 'Bob')
      const { client: agent } = await Client.agent(h, bob.cookie)
      const { client: v1, auth } = await Client.visitor(h)
      const { conversation } = await v1.request({ type: 'conversation.start' })
      await v1.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'm1',
        text: 'one',
      })
      await v1.next((f) => f.type === 'message' && f.message.seq === 1)
      v1.ws.terminate()
      // While the visitor is away, the agent answers twice.
      await agent.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'r1',
        text: 'two',
      })
      await agent.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'r2',
        text: 'three',
      })
      const { client: v2, auth: again } = await Client.visitor(h, { token: auth.visitorToken })
      expect(again.visitorId).toBe(auth.visitorId)
      expect(again.conversations.map((c: { id: string }) => c.id)).toContain(conversation.id)
      const done = await v2.request({ type: 'resume', conversationId: conversation.id, afterSeq: 1 })
      expect(done).toMatchObject({ type: 'resume.done', lastSeq: 3 })
      const replayed = v2.frames.filter((f) => f.type === 'message').map((f) => f.message.text)
      expect(replayed).toEqual(['two', 'three'])
      agent.close()
      v2.close()
    })

    it('relays typing and read receipts to the other side only', async () => {
      const carol = await addAgent(h, 'Carol')
      const { client: agent } = await Client.agent(h, carol.cookie)
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      await agent.next(
        (f) =>
          f.type === 'conversation.updated' &&
          f.conversation.id === conversation.id &&
          f.conversation.agentId === carol.id,
      )
      visitor.send({ type: 'typing', conversationId: conversation.id, state: true })
      const typing = await agent.next((f) => f.type === 'typing' && f.conversationId === conversation.id)
      expect(typing.from.kind).toBe('visitor')
      await agent.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'x',
        text: 'hello',
      })
      await visitor.request({ type: 'read', conversationId: conversation.id, seq: 1 })
      const read = await agent.next((f) => f.type === 'read' && f.conversationId === conversation.id)
      expect(read).toMatchObject({ by: 'visitor', seq: 1 })
      expect(visitor.frames.some((f) => f.type === 'typing')).toBe(false)
      agent.close()
      visitor.close()
    })

    it('keeps internal notes from the visitor', async () => {
      const dan = await addAgent(h, 'Dan')
      const { client: agent } = await Client.agent(h, dan.cookie)
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      await agent.next((f) => f.type === 'conversation.updated' && f.conversation.agentId === dan.id)
      await agent.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'n1',
        text: 'VIP customer',
        note: true,
      })
      await agent.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 't1',
        text: 'Hello!',
      })
      await visitor.next((f) => f.type === 'message' && f.message.text === 'Hello!')
      expect(visitor.frames.some((f) => f.type === 'message' && f.message.kind === 'note')).toBe(false)
      const notNotes = await visitor.request({ type: 'resume', conversationId: conversation.id, afterSeq: 0 })
      expect(notNotes.type).toBe('resume.done')
      expect(visitor.frames.filter((f) => f.type === 'message').map((f) => f.message.text)).not.toContain(
        'VIP customer',
      )
      const { client: v2 } = await Client.visitor(h)
      const denied = await v2.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'z',
        text: 'x',
        note: true,
      })
      expect(denied.code).toBe('PARLEY_ERR_AUTH_FORBIDDEN')
      agent.close()
      visitor.close()
      v2.close()
    })

    it("routes a chat transferred to a team to that team's members only, waiting for one if none is online", async () => {
      const alma = await addAgent(h, 'Alma', { capacity: 5 })
      const bert = await addAgent(h, 'Bert', { capacity: 5 })
      const team = await api(h, 'POST', '/api/v1/teams', {
        cookie: h.adminCookie,
        body: { name: `Billing ${Math.random()}`, agentIds: [bert.id] },
      })
      expect(team.status).toBe(201)
      const { client: a } = await Client.agent(h, alma.cookie)
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      await a.next(
        (f) =>
          f.type === 'conversation.updated' &&
          f.conversation.id === conversation.id &&
          f.conversation.agentId === alma.id,
      )
      const moved = await a.request({
        type: 'conversation.transfer',
        conversationId: conversation.id,
        toTeamId: team.body.id,
      })
      expect(moved.type).not.toBe('error')
      // Alma is online with free capacity, but not in the team: the chat waits for Bert.
      const waiting = await api(h, 'GET', `/api/v1/conversations/${conversation.id}`, {
        cookie: h.adminCookie,
      })
      expect(waiting.body).toMatchObject({ status: 'open', agentId: null, teamId: team.body.id })
      const { client: b } = await Client.agent(h, bert.cookie)
      await b.next(
        (f) =>
          f.type === 'conversation.updated' &&
          f.conversation.id === conversation.id &&
          f.conversation.agentId === bert.id,
      )
      a.close()
      b.close()
      visitor.close()
    })

    it('closes and reopens a conversation; a closed one refuses messages with a typed error', async () => {
      const erin = await addAgent(h, 'Erin')
      const { client: agent } = await Client.agent(h, erin.cookie)
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      await agent.next((f) => f.type === 'conversation.updated' && f.conversation.agentId === erin.id)
      expect(
        (await agent.request({ type: 'conversation.close', conversationId: conversation.id })).type,
      ).toBe('ok')
      await visitor.next((f) => f.type === 'conversation.updated' && f.conversation.status === 'closed')
      const refused = await visitor.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'late',
        text: 'hello?',
      })
      expect(refused.code).toBe('PARLEY_ERR_CONVERSATION_CLOSED')
      expect(
        (await agent.request({ type: 'conversation.reopen', conversationId: conversation.id })).type,
      ).toBe('ok')
      const ok = await visitor.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'late',
        text: 'hello?',
      })
      expect(ok.type).toBe('message.ack')
      agent.close()
      visitor.close()
    })

    it('ends an agent socket at sign-out (4004) and when an admin disables the agent', async () => {
      const gina = await addAgent(h, 'Gina')
      const { client: first } = await Client.agent(h, gina.cookie)
      expect((await api(h, 'POST', '/api/v1/auth/logout', { cookie: gina.cookie })).status).toBe(200)
      expect((await first.closedP).code).toBe(4004)

      const hank = await addAgent(h, 'Hank')
      const { client: second } = await Client.agent(h, hank.cookie)
      expect(
        (
          await api(h, 'PATCH', `/api/v1/agents/${hank.id}`, {
            cookie: h.adminCookie,
            body: { disabled: true },
          })
        ).status,
      ).toBe(200)
      expect((await second.closedP).code).toBe(4004)
      expect((await api(h, 'GET', '/api/v1/auth/me', { cookie: hank.cookie })).status).toBe(401)
    })
  })
}
