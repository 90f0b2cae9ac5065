import { createHmac, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, Client, type Harness, startHarness } from '../../test/harness.js'
import { startSmtp } from '../../test/smtp.js'

describe('sqlite: anomaly detection on the live event stream', () => {
  let h: Harness
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  let hookServer: Server
  const hooks: { headers: Record<string, string | string[] | undefined>; body: string }[] = []
  beforeAll(async () => {
    // A real SMTP server on loopback receives the alert e-mails.
    smtp = await startSmtp()
    // A webhook receiver on loopback (allowed here only through webhookAllowPrivate).
    hookServer = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => {
        body += c.toString()
      })
      req.on('end', () => {
        hooks.push({ headers: req.headers, body })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', () => resolve()))
    h = await startHarness('sqlite', {
      smtpUrl: smtp.url,
      mailFrom: 'Parley <alerts@parley.test>',
      webhookAllowPrivate: true,
      trustProxy: true,
    })
  })
  afterAll(async () => {
    await h?.close()
    await smtp?.close()
    await new Promise<void>((resolve) => hookServer.close(() => resolve()))
  })

  function started(at: number, ip: string) {
    h.parley.events.emit({
      type: 'conversation.started',
      ts: new Date(at).toISOString(),
      tenant: h.tenant.tenantId,
      actor: { kind: 'visitor', id: randomUUID() },
      origin: { channel: 'ws', node: 'test', ip, userAgent: 'Mozilla/5.0' },
      conversationId: randomUUID(),
      siteId: h.tenant.siteId,
      visitorId: randomUUID(),
    })
  }

  it('raises a diagnosed alert for a surge, shows it to admins, and takes an acknowledgement', async () => {
    const { client: admin } = await Client.agent(h, h.adminCookie)
    const policy = await api(h, 'PUT', '/api/v1/alerts/policy', {
      cookie: h.adminCookie,
      body: { botFlood: 'throttle_widget' },
    })
    expect(policy.body).toMatchObject({
      botFlood: 'throttle_widget',
      dataExfiltration: 'off',
      throttleMinutes: 30,
    })
    const hookPort = (hookServer.address() as { port: number }).port
    const created = await api(h, 'POST', '/api/v1/webhooks', {
      cookie: h.adminCookie,
      body: { url: `http://127.0.0.1:${hookPort}/parley` },
    })
    expect(created.status).toBe(201)
    expect(created.body.secret).toMatch(/^whsec_/)
    // Two weeks of about 100 chats a day from many visitors, then 400 in ten minutes from two addresses.
    const start = Date.now() - 15 * 86_400_000
    let t = start
    let n = 0
    while (t < start + 14 * 86_400_000) {
      started(t, `198.51.${(n * 7) % 250}.${(n * 13) % 250}`)
      n++
      t += 864_000 * (0.5 + ((n * 37) % 100) / 100)
    }
    const surge = start + 14 * 86_400_000 + 3_600_000
    for (let i = 0; i < 400; i++) started(surge + i * 1500, i % 2 ? '203.0.113.7' : '203.0.113.8')
    for (let i = 0; i < 30; i++) started(surge + 600_000 + i * 60_000, `198.51.100.${i}`)
    await h.parley.watch.settled()

    const list = await api(h, 'GET', '/api/v1/alerts', { cookie: h.adminCookie })
    expect(list.status).toBe(200)
    const alert = list.body.items.find((a: any) => a.alert.signal === 'conversations')
    expect(alert).toBeDefined()
    expect(alert.state).toBe('open')
    expect(alert.alert.diagnosis.cause).toBe('bot_flood')
    expect(alert.alert.diagnosis.evidence.length).toBeGreaterThan(0)
    const banner = await admin.next((f) => f.type === 'alert' && f.alert.id === alert.id)
    expect(banner.alert).toMatchObject({ cause: 'bot_flood', state: 'open' })
    await expect.poll(() => smtp.mails.length, { timeout: 5000 }).toBeGreaterThan(0)
    expect(smtp.mails[0]!.to).toEqual([h.tenant.adminEmail])
    expect(smtp.mails[0]!.data).toMatch(/Subject: \[Parley\] .* alert for Acme Bank: bot flood/)
    expect(smtp.mails[0]!.data).toContain('Recommended:')

    // The tenant's policy throttles the flooding network's new widget connections; others still connect.
    const handshakeFrom = (ip: string) =>
      new Client(`${h.wsUrl}/ws?role=visitor&key=${h.tenant.widgetKey}`, {
        origin: h.origin,
        'x-forwarded-for': ip,
      }).opened.then(
        () => 200,
        (e: { statusCode?: number }) => e.statusCode,
      )
    await expect.poll(() => handshakeFrom('203.0.113.99'), { timeout: 5000 }).toBe(429)
    const elsewhere = new Client(`${h.wsUrl}/ws?role=visitor&key=${h.tenant.widgetKey}`, {
      origin: h.origin,
      'x-forwarded-for': '198.51.100.200',
    })
    await elsewhere.opened
    elsewhere.close()

    // The webhook got a delivery signed with the secret shown at creation.
    await expect.poll(() => hooks.length, { timeout: 5000 }).toBeGreaterThan(0)
    const delivery = hooks[0]!
    const [signedAt, v1] = String(delivery.headers['x-parley-signature'])
      .split(',')
      .map((p) => p.split('=')[1])
    expect(v1).toBe(
      createHmac('sha256', created.body.secret).update(`${signedAt}.${delivery.body}`).digest('hex'),
    )
    expect(delivery.headers['x-parley-event']).toBe('watch.alert')
    expect(JSON.parse(delivery.body)).toMatchObject({
      type: 'watch.alert',
      state: 'open',
      alert: { id: alert.id },
    })
    const listed = await api(h, 'GET', '/api/v1/webhooks', { cookie: h.adminCookie })
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret)

    const until = new Date(Date.now() + 86_400_000).toISOString()
    const ack = await api(h, 'POST', `/api/v1/alerts/${alert.id}/acknowledge`, {
      cookie: h.adminCookie,
      body: { expectedAs: 'test', note: 'load test by the QA team', expiresAt: until },
    })
    expect(ack.body.state).toBe('acknowledged')
    const again = await api(h, 'POST', `/api/v1/alerts/${alert.id}/acknowledge`, {
      cookie: h.adminCookie,
      body: { expectedAs: 'test', note: 'twice', expiresAt: until },
    })
    expect(again.body.error.code).toBe('PARLEY_ERR_WATCH_TRANSITION')
    expect(
      (await api(h, 'POST', '/api/v1/alerts/nope/resolve', { cookie: h.adminCookie, body: {} })).status,
    ).toBe(404)
    admin.close()
  })
})
