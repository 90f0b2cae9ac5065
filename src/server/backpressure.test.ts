import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addAgent, Client, type Harness, startHarness } from '../../test/harness.js'

describe('sqlite: a slow reader does not stall anyone else', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite', {
      ws: { maxFrameBytes: 64 * 1024, framesPerSecond: 100_000, burst: 100_000, slowClientBytes: 64 * 1024 },
    })
  })
  afterAll(async () => h?.close())

  it('closes a socket that stops reading with 1013 while a neighbour keeps chatting', async () => {
    const a = await addAgent(h, 'Busy', { capacity: 10 })
    const { client: agent } = await Client.agent(h, a.cookie)
    const { client: slow } = await Client.visitor(h)
    const { conversation: slowConv } = await slow.request({ type: 'conversation.start' })
    const { client: fast } = await Client.visitor(h)
    const { conversation: fastConv } = await fast.request({ type: 'conversation.start' })
    await agent.next(
      (f) =>
        f.type === 'conversation.updated' &&
        f.conversation.id === fastConv.id &&
        f.conversation.status === 'assigned',
    )

    // The slow visitor stops reading from its socket; the agent keeps answering it.
    ;(slow.ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const big = 'x'.repeat(3900)
    for (let i = 0; i < 1500; i++)
      agent.send({ type: 'message.send', conversationId: slowConv.id, clientMsgId: `s${i}`, text: big })

    // Meanwhile the other visitor's round trip stays quick.
    const started = performance.now()
    await fast.request({
      type: 'message.send',
      conversationId: fastConv.id,
      clientMsgId: 'f1',
      text: 'still fast?',
    })
    await agent.next((f) => f.type === 'message' && f.message.conversationId === fastConv.id)
    expect(performance.now() - started).toBeLessThan(2000)

    // The server gave up on the slow reader instead of buffering without bound.
    await expect
      .poll(
        () =>
          h.parley.metrics.slowClients
            .get()
            .then((m) => m.values.find((v) => v.labels.action === 'close')?.value ?? 0),
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0)
    ;(slow.ws as unknown as { _socket: { resume(): void } })._socket.resume()
    expect((await slow.closedP).code).toBe(1013)
    agent.close()
    fast.close()
  }, 30_000)
})
