import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, Client, completeSetup, type Harness } from '../../test/harness.js'
import { buildApp, createTenant, loadConfig, type ParleyApp } from './index.js'

describe('sqlite: logs never contain message text', () => {
  let parley: ParleyApp
  let logs = ''
  let h: Harness
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, done) {
        logs += chunk.toString()
        done()
      },
    })
    const config = loadConfig(
      { DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-log-')), LOG_LEVEL: 'trace' },
      { port: 0 },
    )
    parley = await buildApp(config, { logStream: stream })
    await parley.app.listen({ port: 0, host: '127.0.0.1' })
    const port = (parley.app.server.address() as { port: number }).port
    const url = `http://127.0.0.1:${port}`
    const tenant = await createTenant(parley, {
      name: 'Log Co',
      adminEmail: 'log@log.test',
      allowedOrigins: ['https://log.test'],
    })
    const adminCookie = await completeSetup(url, tenant.setupUrl)
    h = {
      parley,
      url,
      wsUrl: url.replace('http', 'ws'),
      origin: 'https://log.test',
      tenant,
      adminCookie,
    } as unknown as Harness
  })
  afterAll(async () => parley?.close())

  it('logs requests at trace level without any message text, password or session', async () => {
    const secret = 'my card is 4111 1111 1111 1111 canary-7f3a'
    const { client } = await Client.visitor(h)
    const { conversation } = await client.request({
      type: 'conversation.start',
      fields: { name: 'canary-name-9c' },
    })
    await client.request({
      type: 'message.send',
      conversationId: conversation.id,
      clientMsgId: '1',
      text: secret,
    })
    await client.request({
      type: 'message.send',
      conversationId: conversation.id,
      clientMsgId: '2',
      text: `${secret}${'x'.repeat(5000)}`,
    })
    await api(h, 'POST', `/api/v1/conversations/${conversation.id}/messages`, {
      cookie: h.adminCookie,
      body: { clientMsgId: 'a', text: secret },
    })
    await api(h, 'GET', `/api/v1/conversations/${conversation.id}/messages`, { cookie: h.adminCookie })
    await api(h, 'POST', '/api/v1/auth/login', {
      body: { email: 'log@log.test', password: 'canary-password-x1' },
    })
    // Query strings (search words, keys) are dropped from logged URLs.
    await api(h, 'GET', '/api/v1/search?q=canary-search-5e', { cookie: h.adminCookie })
    client.close()
    expect(logs.length).toBeGreaterThan(0)
    expect(logs).toContain('incoming request')
    for (const needle of [
      'canary-7f3a',
      '4111 1111 1111',
      '4111111111111111',
      'canary-password-x1',
      'canary-name-9c',
      'canary-search-5e',
      h.adminCookie.split('=')[1]!,
    ]) {
      expect(logs).not.toContain(needle)
    }
  })
})
