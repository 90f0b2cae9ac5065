import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, REDIS_TEST_URL, type TestDatabase } from '../../test/engines.js'
import { api, Client, completeSetup, type Harness } from '../../test/harness.js'
import { type ServerProcess, startServerProcess } from '../../test/processes.js'

describe('two Parley processes sharing PostgreSQL and Redis', () => {
  let tdb: TestDatabase
  let a: ServerProcess
  let b: ServerProcess
  let adminCookie: string
  let hA: Harness
  let hB: Harness
  beforeAll(async () => {
    tdb = await freshDatabase('postgres')
    // Nodes of one deployment share the database, the bus and the vault's master key.
    const shared = {
      DATABASE_URL: tdb.databaseUrl!,
      REDIS_URL: REDIS_TEST_URL,
      PARLEY_MASTER_KEY: randomBytes(32).toString('base64'),
    }
    a = await startServerProcess({ ...shared, NODE_ID: 'node-a' })
    b = await startServerProcess({ ...shared, NODE_ID: 'node-b' })
    const setupUrl = /(http\S+\/console\/setup#token=\S+)/.exec(a.stdout())?.[1]
    expect(setupUrl).toBeDefined()
    expect(b.stdout()).not.toContain('/console/setup#token=')
    adminCookie = await completeSetup(b.url, setupUrl!)
    const widgetKey = (await api({ url: a.url }, 'GET', '/api/v1/demo/widget-key')).body.key
    hA = {
      url: a.url,
      wsUrl: a.url.replace('http', 'ws'),
      origin: a.url,
      tenant: { widgetKey },
    } as unknown as Harness
    hB = { url: b.url, wsUrl: b.url.replace('http', 'ws') } as unknown as Harness
  }, 60_000)
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await tdb?.dispose()
  })

  it("delivers a visitor's message on node A to an agent on node B, and the reply back", async () => {
    const { client: agent } = await Client.agent(hB, adminCookie)
    const { client: visitor } = await Client.visitor(hA)
    const { conversation } = await visitor.request({ type: 'conversation.start' })
    // Presence lives in the shared database: the agent on B is assigned the chat started on A.
    const assigned = await agent.assigned(conversation.id)
    expect(assigned.conversation.agentId).toBeDefined()

    await visitor.request({
      type: 'message.send',
      conversationId: conversation.id,
      clientMsgId: 'v1',
      text: 'hello from A',
    })
    const atB = await agent.next((f) => f.type === 'message' && f.message.conversationId === conversation.id)
    expect(atB.message).toMatchObject({ text: 'hello from A', seq: 1 })

    await agent.request({
      type: 'message.send',
      conversationId: conversation.id,
      clientMsgId: 'b1',
      text: 'hello from B',
    })
    const atA = await visitor.next((f) => f.type === 'message' && f.message.seq === 2)
    expect(atA.message.text).toBe('hello from B')
    // Each message arrives once, not once per node.
    await new Promise((r) => setTimeout(r, 200))
    expect(agent.frames.filter((f) => f.type === 'message' && f.message.seq === 1)).toHaveLength(0)
    agent.close()
    visitor.close()
  })

  // A session change made on one node reaches the sockets on the others (session-changes.ts).
  const agentOnB = async () => {
    const created = await api(hA, 'POST', '/api/v1/agents', {
      cookie: adminCookie,
      body: { email: `agent-${Date.now()}@acme.test`, name: 'Agent', role: 'agent', capacity: 3 },
    })
    expect(created.status).toBe(201)
    const cookie = await completeSetup(a.url, created.body.setupUrl)
    const { client } = await Client.agent(hB, cookie)
    return { id: created.body.id as string, cookie, client }
  }

  it('an agent who signs out on node A loses their socket on node B', async () => {
    const agent = await agentOnB()
    expect((await api(hA, 'POST', '/api/v1/auth/logout', { cookie: agent.cookie })).status).toBe(200)
    expect((await agent.client.closedP).code).toBe(4004)
  })

  it('an agent disabled by an admin on node A loses their socket on node B', async () => {
    const agent = await agentOnB()
    const other = await agentOnB()
    const patched = await api(hA, 'PATCH', `/api/v1/agents/${agent.id}`, {
      cookie: adminCookie,
      body: { disabled: true },
    })
    expect(patched.status).toBe(200)
    expect((await agent.client.closedP).code).toBe(4004)
    // Only that agent: another agent's socket on B stays open.
    await new Promise((r) => setTimeout(r, 300))
    expect(other.client.closed).toBeNull()
    other.client.close()
  })
})
