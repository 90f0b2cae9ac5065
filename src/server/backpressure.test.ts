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

  it('closes a socket that stops reading with 1013 while another pair keeps a quick round trip', async () => {
    const slowAgentInfo = await addAgent(h, 'Slow', { capacity: 1 })
    const { client: slowAgent } = await Client.agent(h, slowAgentInfo.cookie)
    const { client: flooder } = await Client.visitor(h)
    const { conversation: flooded } = await flooder.request({ type: 'conversation.start' })
    await slowAgent.assigned(flooded.id)

    const quickAgentInfo = await addAgent(h, 'Quick', { capacity: 1 })
    const { client: quickAgent } = await Client.agent(h, quickAgentInfo.cookie)
    const { client: visitor } = await Client.visitor(h)
    const { conversation } = await visitor.request({ type: 'conversation.start' })
    await quickAgent.assigned(conversation.id)

    // The slow agent stops reading from its socket while its visitor sends a lot.
    ;(slowAgent.ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const big = 'x'.repeat(3900)
    for (let i = 0; i < 1500; i++)
      flooder.send({ type: 'message.send', conversationId: flooded.id, clientMsgId: `s${i}`, text: big })

    // The other pair's round trip stays quick meanwhile.
    const started = performance.now()
    await visitor.request({
      type: 'message.send',
      conversationId: conversation.id,
      clientMsgId: 'q1',
      text: 'still quick?',
    })
    await quickAgent.next((f) => f.type === 'message' && f.message.conversationId === conversation.id)
    expect(performance.now() - started).toBeLessThan(3000)

    // The server gave up on the slow reader instead of buffering without bound.
    await expect
      .poll(
        async () =>
          (await h.parley.metrics.slowClients.get()).values.find((v) => v.labels.action === 'close')?.value ??
          0,
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThan(0)
    ;(slowAgent.ws as unknown as { _socket: { resume(): void } })._socket.resume()
    expect((await slowAgent.closedP).code).toBe(1013)
    for (const c of [flooder, visitor, quickAgent]) c.close()
  }, 40_000)
})
