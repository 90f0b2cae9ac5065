import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { api, Client, type Harness } from '../../test/harness.js'
import { startServerProcess } from '../../test/processes.js'
import { Store } from '../store/index.js'

describe('sqlite: an acked message survives kill -9', () => {
  it('finds every acknowledged message after the process is killed mid-stream', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-kill-'))
    const server = await startServerProcess({ DATA_DIR: dataDir })
    const widgetKey = (await api({ url: server.url }, 'GET', '/api/v1/demo/widget-key')).body.key
    const h = {
      wsUrl: server.url.replace('http', 'ws'),
      origin: server.url,
      tenant: { widgetKey },
    } as unknown as Harness
    const visitors = await Promise.all(Array.from({ length: 20 }, () => Client.visitor(h)))
    const convs = await Promise.all(
      visitors.map(({ client }) => client.request({ type: 'conversation.start' })),
    )
    const acked = new Set<string>()
    for (const { client } of visitors) {
      client.ws.on('message', (d) => {
        const f = JSON.parse(d.toString())
        if (f.type === 'message.ack') acked.add(f.clientMsgId)
      })
    }
    // Stream messages (under the per-socket frame limit) until many are acked, then kill the server without warning.
    let i = 0
    const pump = setInterval(() => {
      i++
      visitors.forEach(({ client }, v) => {
        client.send({
          type: 'message.send',
          conversationId: convs[v].conversation.id,
          clientMsgId: `m-${v}-${i}`,
          text: `message ${i}`,
        })
      })
    }, 40)
    while (acked.size < 300) await new Promise((r) => setTimeout(r, 10))
    expect(visitors.every(({ client }) => !client.frames.some((f) => f.type === 'error'))).toBe(true)
    await server.stop('SIGKILL')
    clearInterval(pump)
    expect(acked.size).toBeGreaterThanOrEqual(300)

    const store = await Store.open({ sqlitePath: join(dataDir, 'parley.db') })
    const tenantId = (await store.directory.siteByKey(widgetKey))!.tenant_id
    const stored = new Set<string>()
    for (const c of convs) {
      const rows = await store.conversations.messages(tenantId, c.conversation.id, {
        afterSeq: 0,
        limit: 100_000,
        includeNotes: true,
      })
      for (const m of rows) stored.add(m.clientMsgId)
      // Sequence numbers stay gapless and ordered even across the crash.
      expect(rows.map((m) => m.seq)).toEqual(rows.map((_, k) => k + 1))
    }
    await store.close()
    const lost = [...acked].filter((id) => !stored.has(id))
    expect(lost).toEqual([])
  }, 60_000)
})
