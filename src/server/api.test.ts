import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../test/engines.js'
import {
  addAgent,
  api,
  Client,
  type Harness,
  recordEvents,
  startHarness,
  TEST_PASSWORD,
} from '../../test/harness.js'
import type { ParleyEvent } from '../events/index.js'

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')

for (const engine of ENGINES) {
  describe(`${engine}: REST API`, () => {
    let h: Harness
    let events: ParleyEvent[] = []
    beforeAll(async () => {
      h = await startHarness(engine)
      events = recordEvents(h)
    })
    afterAll(async () => h?.close())

    it('signs in with the right password and refuses a wrong one with one vague error', async () => {
      const me = await api(h, 'GET', '/api/v1/auth/me', { cookie: h.adminCookie })
      expect(me.body).toMatchObject({ role: 'admin', email: h.tenant.adminEmail })
      const ok = await api(h, 'POST', '/api/v1/auth/login', {
        body: { email: h.tenant.adminEmail, password: TEST_PASSWORD },
      })
      expect(ok.status).toBe(200)
      const cookie = ok.headers.get('set-cookie') ?? ''
      expect(cookie).toMatch(/HttpOnly/)
      expect(cookie).toMatch(/Secure/)
      expect(cookie).toMatch(/SameSite=Strict/)
      const bad = await api(h, 'POST', '/api/v1/auth/login', {
        body: { email: h.tenant.adminEmail, password: 'wrong password!!' },
      })
      const nobody = await api(h, 'POST', '/api/v1/auth/login', {
        body: { email: 'nobody@acme.test', password: 'wrong password!!' },
      })
      expect(bad.status).toBe(401)
      expect(bad.body).toEqual(nobody.body)
      expect(bad.body.error.code).toBe('PARLEY_ERR_AUTH_FAILED')
      expect(events.some((e) => e.type === 'auth.login' && e.outcome === 'failure')).toBe(true)
    })

    it('uses a setup link once and refuses weak passwords', async () => {
      const r = await api(h, 'POST', '/api/v1/agents', {
        cookie: h.adminCookie,
        body: { email: 'once@acme.test', name: 'Once' },
      })
      const token = new URL(r.body.setupUrl).hash.replace('#token=', '')
      const weak = await api(h, 'POST', '/api/v1/auth/setup', { body: { token, password: 'short' } })
      expect(weak.body.error).toMatchObject({ code: 'PARLEY_ERR_AUTH_PASSWORD_WEAK', min: 12 })
      expect(
        (await api(h, 'POST', '/api/v1/auth/setup', { body: { token, password: TEST_PASSWORD } })).status,
      ).toBe(200)
      const again = await api(h, 'POST', '/api/v1/auth/setup', { body: { token, password: TEST_PASSWORD } })
      expect(again.body.error.code).toBe('PARLEY_ERR_AUTH_SETUP_INVALID')
    })

    it('requires the CSRF header on cookie-authenticated writes', async () => {
      const r = await api(h, 'POST', '/api/v1/labels', {
        cookie: h.adminCookie,
        body: { name: 'x' },
        headers: { 'x-parley-csrf': '0' },
      })
      expect(r.status).toBe(403)
      expect(r.body.error.code).toBe('PARLEY_ERR_AUTH_CSRF')
    })

    it('gives every route family its 400, 401, 403 and 404', async () => {
      const agent = await addAgent(h, 'Plain')
      expect((await api(h, 'GET', '/api/v1/conversations')).body.error.code).toBe('PARLEY_ERR_AUTH_REQUIRED')
      expect(
        (await api(h, 'GET', '/api/v1/conversations?limit=0', { cookie: h.adminCookie })).body.error.code,
      ).toBe('PARLEY_ERR_BAD_REQUEST')
      expect((await api(h, 'GET', '/api/v1/conversations/nope', { cookie: h.adminCookie })).status).toBe(404)
      const forbidden = await api(h, 'POST', '/api/v1/sites', {
        cookie: agent.cookie,
        body: { name: 'x', allowedOrigins: ['https://x.test'] },
      })
      expect(forbidden.status).toBe(403)
      expect(forbidden.body.error.code).toBe('PARLEY_ERR_AUTH_FORBIDDEN')
      const badOrigin = await api(h, 'POST', '/api/v1/sites', {
        cookie: h.adminCookie,
        body: { name: 'x', allowedOrigins: ['https://x.test/path'] },
      })
      expect(badOrigin.status).toBe(400)
      expect(badOrigin.body.error.issues[0].path).toContain('allowedOrigins')
      expect((await api(h, 'GET', '/api/v1/no-such-thing', { cookie: h.adminCookie })).body.error.code).toBe(
        'PARLEY_ERR_ROUTE_NOT_FOUND',
      )
      expect((await api(h, 'DELETE', '/api/v1/teams/none', { cookie: h.adminCookie })).status).toBe(404)
      expect(events.some((e) => e.type === 'access.denied')).toBe(true)
    })

    it('never shows a stack, even for a body that is not JSON', async () => {
      const res = await fetch(`${h.url}/api/v1/labels`, {
        method: 'POST',
        headers: { cookie: h.adminCookie, 'x-parley-csrf': '1', 'content-type': 'application/json' },
        body: '{"name":',
      })
      const body = (await res.json()) as any
      expect(res.status).toBe(400)
      expect(body.error.code).toBe('PARLEY_ERR_BAD_REQUEST')
      expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/)
    })

    it('manages sites, teams, labels and canned responses, each change emitted as an admin event', async () => {
      const site = await api(h, 'POST', '/api/v1/sites', {
        cookie: h.adminCookie,
        body: {
          name: 'Clinic',
          allowedOrigins: ['https://Clinic.test'],
          businessHours: { timezone: 'Europe/Berlin', days: { mon: [['09:00', '17:00']] } },
        },
      })
      expect(site.status).toBe(201)
      expect(site.body.allowedOrigins).toEqual(['https://clinic.test'])
      expect(site.body.snippet).toContain(site.body.widgetKey)
      const label = await api(h, 'POST', '/api/v1/labels', {
        cookie: h.adminCookie,
        body: { name: 'billing' },
      })
      expect(label.status).toBe(201)
      const dup = await api(h, 'POST', '/api/v1/labels', { cookie: h.adminCookie, body: { name: 'billing' } })
      expect(dup.body.error).toMatchObject({ code: 'PARLEY_ERR_CONFLICT', field: 'name' })
      const canned = await api(h, 'POST', '/api/v1/canned-responses', {
        cookie: h.adminCookie,
        body: { shortcut: 'hi', title: 'Greeting', body: 'Hello!' },
      })
      expect(canned.status).toBe(201)
      const agent = await addAgent(h, 'Teamer')
      const team = await api(h, 'POST', '/api/v1/teams', {
        cookie: h.adminCookie,
        body: { name: 'Cards', agentIds: [agent.id] },
      })
      expect(team.body.agentIds).toEqual([agent.id])
      const teams = await api(h, 'GET', '/api/v1/teams', { cookie: agent.cookie })
      expect(teams.body.items.find((t: { id: string }) => t.id === team.body.id).agentIds).toEqual([agent.id])
      const changes = events
        .filter((e) => e.type === 'admin.change')
        .map((e) => (e.type === 'admin.change' ? e.resource : ''))
      expect(changes).toEqual(expect.arrayContaining(['site', 'label', 'canned_response', 'team', 'agent']))
    })

    it('pages through conversations with a cursor and filters by status', async () => {
      const ids: string[] = []
      const { client } = await Client.visitor(h)
      for (let i = 0; i < 5; i++)
        ids.push((await client.request({ type: 'conversation.start' })).conversation.id)
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await api(
          h,
          'GET',
          `/api/v1/conversations?status=open&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          { cookie: h.adminCookie },
        )
        seen.push(...page.body.items.map((c) => c.id))
        cursor = page.body.nextCursor
      } while (cursor)
      expect(new Set(seen).size).toBe(seen.length)
      expect(seen).toEqual(expect.arrayContaining(ids))
      const closed = await api(h, 'GET', '/api/v1/conversations?status=closed', { cookie: h.adminCookie })
      expect(closed.body.items.some((c: { id: string }) => ids.includes(c.id))).toBe(false)
      const forged = await api(h, 'GET', '/api/v1/conversations?cursor=AAAA', { cookie: h.adminCookie })
      expect(forged.body.error.code).toBe('PARLEY_ERR_BAD_REQUEST')
      client.close()
    })

    it('records every transcript read and export as an event', async () => {
      const { client } = await Client.visitor(h)
      const { conversation } = await client.request({ type: 'conversation.start' })
      await client.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: '1',
        text: 'hello',
      })
      const page = await api(h, 'GET', `/api/v1/conversations/${conversation.id}/messages`, {
        cookie: h.adminCookie,
      })
      expect(page.body.items.map((m: { text: string }) => m.text)).toEqual(['hello'])
      const exp = await api(h, 'GET', `/api/v1/conversations/${conversation.id}/export`, {
        cookie: h.adminCookie,
      })
      expect(exp.headers.get('content-disposition')).toMatch(/attachment/)
      const kinds = events
        .filter((e) => 'conversationId' in e && e.conversationId === conversation.id)
        .map((e) => e.type)
      expect(kinds).toEqual(
        expect.arrayContaining([
          'conversation.started',
          'message.sent',
          'transcript.read',
          'transcript.export',
        ]),
      )
      const sent = events.find((e) => e.type === 'message.sent' && e.conversationId === conversation.id)
      expect(JSON.stringify(sent)).not.toContain('hello')
      client.close()
    })

    it('accepts attachments by content, serves them as downloads to participants only', async () => {
      const { client, auth } = await Client.visitor(h)
      const { conversation } = await client.request({ type: 'conversation.start' })
      const upload = (body: Buffer, fileName: string, bearer = auth.visitorToken) =>
        fetch(
          `${h.url}/api/v1/widget/conversations/${conversation.id}/attachments?fileName=${encodeURIComponent(fileName)}&clientMsgId=${Math.random()}`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${bearer}`,
              'content-type': 'application/octet-stream',
              origin: h.origin,
            },
            body,
          },
        )
      const ok = await upload(PNG, 'scan.png')
      expect(ok.status).toBe(201)
      const { attachment } = (await ok.json()) as any
      expect(attachment.contentType).toBe('image/png')
      const exe = await upload(Buffer.from('4d5a900003000000', 'hex'), 'invoice.pdf')
      expect(((await exe.json()) as any).error.code).toBe('PARLEY_ERR_ATTACHMENT_TYPE')
      const html = await upload(Buffer.from('<script>alert(1)</script>'), 'x.html')
      expect(html.status).toBe(201)
      const htmlAttachment = ((await html.json()) as any).attachment
      expect(htmlAttachment.contentType).toBe('text/plain')
      const dl = await fetch(
        `${h.url}/api/v1/conversations/${conversation.id}/attachments/${htmlAttachment.id}`,
        { headers: { cookie: h.adminCookie } },
      )
      expect(dl.headers.get('content-disposition')).toMatch(/^attachment;/)
      expect(dl.headers.get('content-type')).toBe('text/plain; charset=utf-8')
      expect(dl.headers.get('x-content-type-options')).toBe('nosniff')
      const { auth: stranger } = await Client.visitor(h)
      const theirs = await fetch(
        `${h.url}/api/v1/widget/conversations/${conversation.id}/attachments/${attachment.id}`,
        {
          headers: { authorization: `Bearer ${stranger.visitorToken}` },
        },
      )
      expect(theirs.status).toBe(404)
      const tooBig = await upload(Buffer.alloc(h.parley.config.maxAttachmentBytes + 10, 0x41), 'big.txt')
      expect(tooBig.status).toBe(413)
      client.close()
    })

    it('tells the widget whether anyone is online and takes offline messages', async () => {
      const cfg = await api(h, 'GET', `/api/v1/widget/config?key=${h.tenant.widgetKey}`, {
        headers: { origin: h.origin },
      })
      expect(cfg.body).toMatchObject({ siteName: expect.any(String), maxMessageLength: 4000 })
      expect(cfg.headers.get('access-control-allow-origin')).toBe(h.origin)
      const evil = await api(h, 'GET', `/api/v1/widget/config?key=${h.tenant.widgetKey}`, {
        headers: { origin: 'https://evil.test' },
      })
      expect(evil.body.error.code).toBe('PARLEY_ERR_AUTH_ORIGIN_DENIED')
      const left = await api(h, 'POST', `/api/v1/widget/offline-messages?key=${h.tenant.widgetKey}`, {
        headers: { origin: h.origin },
        body: { name: 'Olga', email: 'olga@example.test', text: 'Call me back' },
      })
      expect(left.status).toBe(201)
      const list = await api(h, 'GET', '/api/v1/offline-messages', { cookie: h.adminCookie })
      expect(list.body.items[0]).toMatchObject({ name: 'Olga', text: 'Call me back' })
    })

    it('refuses webhooks to private or non-https targets', async () => {
      for (const url of [
        'http://hooks.example.com/x',
        'https://127.0.0.1/x',
        'https://169.254.169.254/latest/meta-data',
      ]) {
        const r = await api(h, 'POST', '/api/v1/webhooks', { cookie: h.adminCookie, body: { url } })
        expect(r.status, url).toBe(400)
        expect(r.body.error.code).toBe('PARLEY_ERR_WEBHOOK_URL_REFUSED')
      }
      const ok = await api(h, 'POST', '/api/v1/webhooks', {
        cookie: h.adminCookie,
        body: { url: 'https://hooks.example.com/parley' },
      })
      expect(ok.status).toBe(201)
      expect(
        (await api(h, 'DELETE', `/api/v1/webhooks/${ok.body.id}`, { cookie: h.adminCookie })).status,
      ).toBe(200)
    })

    it('serves an OpenAPI document generated from the route schemas', async () => {
      const doc = await api(h, 'GET', '/api/v1/openapi.json')
      expect(doc.body.openapi).toBe('3.1.0')
      for (const path of [
        '/api/v1/conversations',
        '/api/v1/conversations/{id}/messages',
        '/api/v1/agents',
        '/api/v1/teams',
        '/api/v1/sites',
        '/api/v1/canned-responses',
      ]) {
        expect(Object.keys(doc.body.paths)).toContain(path)
      }
      const send = doc.body.paths['/api/v1/conversations/{id}/messages'].post
      expect(send.requestBody.content['application/json'].schema.required).toEqual(
        expect.arrayContaining(['clientMsgId', 'text']),
      )
      expect(h.parley.routes.length).toBe(
        Object.values(doc.body.paths as Record<string, object>).reduce(
          (n: number, p: object) => n + Object.keys(p).length,
          0,
        ),
      )
    })

    it('answers health, readiness and metrics, and puts a strict CSP on pages', async () => {
      expect((await api(h, 'GET', '/healthz')).body).toEqual({ status: 'ok' })
      expect((await api(h, 'GET', '/readyz')).body).toMatchObject({
        status: 'ready',
        database: 'ok',
        bus: 'ok',
      })
      const metrics = await fetch(`${h.url}/metrics`).then((r) => r.text())
      expect(metrics).toMatch(/parley_messages_total/)
      expect(metrics).toMatch(/parley_message_ack_seconds_bucket/)
      const page = await fetch(`${h.url}/console`)
      const csp = page.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toContain('unsafe-inline')
      expect(page.headers.get('x-frame-options')).toBe('DENY')
    })
  })
}
