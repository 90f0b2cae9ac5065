import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEndpoint } from '../../test/endpoint.js'
import { ENGINES } from '../../test/engines.js'
import {
  addAgent,
  api,
  Client,
  completeSetup,
  type Harness,
  recordEvents,
  startHarness,
} from '../../test/harness.js'
import type { ParleyEvent } from '../events/index.js'
import type { AgentContext } from '../identity/index.js'
import { createTenant } from '../server/index.js'
import { SecureFormService } from './index.js'

for (const engine of ENGINES) {
  describe(`${engine}: secure forms are configured by admins and requested by agents`, () => {
    let h: Harness
    let endpoint: Awaited<ReturnType<typeof startEndpoint>>
    let events: ParleyEvent[] = []

    beforeAll(async () => {
      h = await startHarness(engine, { webhookAllowPrivate: true })
      endpoint = await startEndpoint()
      events = recordEvents(h)
    })
    afterAll(async () => {
      await h?.close()
      await endpoint?.close()
    })

    const config = (body: unknown, cookie = h.adminCookie) =>
      api(h, 'PUT', '/api/v1/secure-forms/config', { cookie, body })

    it('starts unconfigured, and refuses requests with PARLEY_ERR_SECURE_FORM_NOT_CONFIGURED', async () => {
      const r = await api(h, 'GET', '/api/v1/secure-forms/config', { cookie: h.adminCookie })
      expect(r.body).toEqual({ configured: false, url: null, kinds: [], customLabel: null, updatedAt: null })
      const { client } = await Client.visitor(h)
      const { conversation } = await client.request({ type: 'conversation.start' })
      const res = await api(h, 'POST', `/api/v1/conversations/${conversation.id}/secure-forms`, {
        cookie: h.adminCookie,
        body: { kind: 'card' },
      })
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('PARLEY_ERR_SECURE_FORM_NOT_CONFIGURED')
      client.close()
    })

    it('saves the destination, shows the signing secret once, and emits admin.change', async () => {
      const first = await config({
        url: endpoint.url,
        kinds: ['card', 'custom'],
        customLabel: 'Member number',
      })
      expect(first.status).toBe(200)
      expect(first.body).toMatchObject({ configured: true, url: endpoint.url, kinds: ['card', 'custom'] })
      expect(first.body.secret).toMatch(/^sfsec_[A-Za-z0-9_-]{32}$/)
      expect(events.filter((e) => e.type === 'admin.change').at(-1)).toMatchObject({
        resource: 'secure_form_config',
        action: 'create',
      })
      const again = await config({
        url: endpoint.url,
        kinds: ['card', 'custom'],
        customLabel: 'Member number',
      })
      expect(again.body.secret).toBeUndefined()
      const read = await api(h, 'GET', '/api/v1/secure-forms/config', { cookie: h.adminCookie })
      expect(read.body).toMatchObject({ configured: true, url: endpoint.url, customLabel: 'Member number' })
      expect(JSON.stringify(read.body)).not.toContain(first.body.secret)
      const rotated = await config({ url: endpoint.url, kinds: ['card', 'custom'], rotateSecret: true })
      expect(rotated.body.secret).toMatch(/^sfsec_/)
      expect(rotated.body.secret).not.toBe(first.body.secret)
      expect(events.filter((e) => e.type === 'admin.change').at(-1)).toMatchObject({ action: 'update' })
    })

    it('refuses bad destinations and bodies with typed errors, and non-admins with 401/403', async () => {
      for (const url of ['not a url', 'https://user:pw@forms.example/x', 'ftp://forms.example/x']) {
        const r = await config({ url, kinds: ['card'] })
        expect(r.status, url).toBe(400)
        expect(r.body.error.code, url).toBe('PARLEY_ERR_SECURE_FORM_URL_REFUSED')
      }
      for (const body of [
        { url: endpoint.url, kinds: ['cheque'] },
        { url: endpoint.url },
        { kinds: ['card'] },
      ]) {
        expect((await config(body)).body.error.code).toBe('PARLEY_ERR_BAD_REQUEST')
      }
      expect((await api(h, 'PUT', '/api/v1/secure-forms/config', { body: {} })).status).toBe(401)
      const agent = await addAgent(h, 'Plain')
      const denied = await config({ url: endpoint.url, kinds: ['card'] }, agent.cookie)
      expect(denied.status).toBe(403)
      expect(denied.body.error.code).toBe('PARLEY_ERR_AUTH_FORBIDDEN')
    })

    it('accepts only https public destinations without the webhook allowance', async () => {
      const strict = new SecureFormService({
        store: h.parley.store,
        chat: h.parley.chat,
        events: h.parley.events,
        publicUrl: 'https://parley.example',
        allowPrivate: false,
        log: h.parley.app.log,
      })
      const admin = (await h.parley.store.directory.agents(h.tenant.tenantId)).find(
        (a) => a.role === 'admin',
      )!
      const ctx: AgentContext = {
        kind: 'agent',
        tenantId: h.tenant.tenantId,
        agentId: admin.id,
        role: 'admin',
        name: admin.name,
        sessionHash: 'x',
        origin: { channel: 'http', node: 'test' },
      }
      for (const url of [
        'http://forms.example/x',
        endpoint.url,
        'https://10.0.0.8/x',
        'https://localhost/x',
      ]) {
        await expect(strict.saveConfig(ctx, { url, kinds: ['card'] }), url).rejects.toMatchObject({
          code: 'PARLEY_ERR_SECURE_FORM_URL_REFUSED',
          statusCode: 400,
        })
      }
      await expect(
        strict.saveConfig(ctx, { url: 'https://forms.example/in', kinds: ['card'] }),
      ).resolves.toMatchObject({
        url: 'https://forms.example/in',
      })
      // Put the test destination back for the next tests.
      await config({ url: endpoint.url, kinds: ['card', 'custom'], customLabel: 'Member number' })
    })

    it('sends a secure_form.request to the visitor as a transcript line and a secure_form frame with its URL', async () => {
      const { client: visitor, auth } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      const { client: agent } = await Client.agent(h, h.adminCookie)
      const answer = await agent.request({
        type: 'secure_form.request',
        conversationId: conversation.id,
        kind: 'card',
      })
      expect(answer).toMatchObject({
        type: 'secure_form.requested',
        conversationId: conversation.id,
        kind: 'card',
        status: 'pending',
      })
      expect(Date.parse(answer.expiresAt) - Date.parse(answer.createdAt)).toBe(10 * 60_000)
      const line = await visitor.next((f) => f.type === 'message')
      expect(line.message).toMatchObject({
        kind: 'event',
        text: 'Secure form requested: card',
        sender: { kind: 'system' },
      })
      expect(line.message.seq).toBe(answer.seq)
      const offer = await visitor.next((f) => f.type === 'secure_form')
      expect(offer).toMatchObject({
        formId: answer.id,
        conversationId: conversation.id,
        kind: 'card',
        seq: answer.seq,
      })
      expect(offer.url).toMatch(
        new RegExp(`^http://127\\.0\\.0\\.1/secure-form/${answer.id}#t=[A-Za-z0-9_-]{43}$`),
      )
      // Agents see the transcript line, never the form's URL (its token is the visitor's).
      const seen = await agent.next((f) => f.type === 'message' && f.message.seq === answer.seq)
      expect(seen.message.text).toBe('Secure form requested: card')
      expect(agent.frames.some((f) => f.type === 'secure_form')).toBe(false)
      expect(events.filter((e) => e.type === 'secure_form.requested').at(-1)).toMatchObject({
        conversationId: conversation.id,
        formId: answer.id,
        kind: 'card',
      })

      // A visitor who comes back is offered the open form again.
      const again = await Client.visitor(h, { token: auth.visitorToken })
      const resumed = await again.client.request({
        type: 'resume',
        conversationId: conversation.id,
        afterSeq: 0,
      })
      expect(resumed.type).toBe('resume.done')
      expect(await again.client.next((f) => f.type === 'secure_form')).toMatchObject({
        formId: answer.id,
        url: offer.url,
      })

      const list = await api(h, 'GET', `/api/v1/conversations/${conversation.id}/secure-forms`, {
        cookie: h.adminCookie,
      })
      expect(list.body.items).toEqual([answer].map(({ type: _t, ref: _r, ...view }) => view))
      for (const c of [visitor, agent, again.client]) c.close()
    })

    it('uses the custom label, redacted, and refuses kinds the tenant did not enable', async () => {
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      const post = (body: unknown) =>
        api(h, 'POST', `/api/v1/conversations/${conversation.id}/secure-forms`, {
          cookie: h.adminCookie,
          body,
        })
      const custom = await post({ kind: 'custom' })
      expect(custom.status).toBe(201)
      expect(custom.body).toMatchObject({ kind: 'custom', label: 'Member number' })
      const labelled = await post({ kind: 'custom', label: 'Policy for 4111 1111 1111 1111' })
      expect(labelled.body.label).not.toContain('4111 1111 1111 1111')
      const disabled = await post({ kind: 'bank_account' })
      expect(disabled.status).toBe(400)
      expect(disabled.body.error).toMatchObject({
        code: 'PARLEY_ERR_SECURE_FORM_KIND_DISABLED',
        enabled: ['card', 'custom'],
      })
      expect((await post({ kind: 'cheque' })).body.error.code).toBe('PARLEY_ERR_BAD_REQUEST')
      expect((await post({ kind: 'card', label: 'x'.repeat(81) })).body.error.code).toBe(
        'PARLEY_ERR_BAD_REQUEST',
      )
      const texts = (
        await visitor.next((f) => f.type === 'message' && f.message.text.includes('Member number'))
      ).message
      expect(texts.text).toBe('Secure form requested: "Member number"')
      visitor.close()
    })

    it('refuses visitors, other tenants, unknown and closed conversations', async () => {
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      const own = await visitor.request({
        type: 'secure_form.request',
        conversationId: conversation.id,
        kind: 'card',
      })
      expect(own).toMatchObject({ type: 'error', code: 'PARLEY_ERR_AUTH_FORBIDDEN' })
      const { client: agent } = await Client.agent(h, h.adminCookie)
      const unknown = await agent.request({
        type: 'secure_form.request',
        conversationId: 'nope',
        kind: 'card',
      })
      expect(unknown).toMatchObject({ type: 'error', code: 'PARLEY_ERR_NOT_FOUND' })
      const bad = await agent.request({
        type: 'secure_form.request',
        conversationId: conversation.id,
        kind: 'pin',
      })
      expect(bad).toMatchObject({ type: 'error', code: 'PARLEY_ERR_WS_BAD_FRAME' })

      const other = await createTenant(h.parley, {
        name: 'Other Bank',
        adminEmail: `other-${Date.now()}@other.test`,
        allowedOrigins: ['https://other.test'],
      })
      const otherCookie = await completeSetup(h.url, other.setupUrl)
      const foreign = await api(h, 'POST', `/api/v1/conversations/${conversation.id}/secure-forms`, {
        cookie: otherCookie,
        body: { kind: 'card' },
      })
      expect(foreign.status).toBe(404)
      expect(foreign.body.error.code).toBe('PARLEY_ERR_NOT_FOUND')
      expect(
        (
          await api(h, 'POST', `/api/v1/conversations/${conversation.id}/secure-forms`, {
            body: { kind: 'card' },
          })
        ).status,
      ).toBe(401)

      await agent.request({ type: 'conversation.close', conversationId: conversation.id })
      const closed = await agent.request({
        type: 'secure_form.request',
        conversationId: conversation.id,
        kind: 'card',
      })
      expect(closed).toMatchObject({ type: 'error', code: 'PARLEY_ERR_CONVERSATION_CLOSED' })
      expect(visitor.frames.some((f) => f.type === 'secure_form')).toBe(false)
      visitor.close()
      agent.close()
    })

    it('serves the form page framed only by the site origins, under a strict CSP', async () => {
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      const form = await api(h, 'POST', `/api/v1/conversations/${conversation.id}/secure-forms`, {
        cookie: h.adminCookie,
        body: { kind: 'card' },
      })
      const page = await fetch(`${h.url}/secure-form/${form.body.id}`)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      const csp = page.headers.get('content-security-policy') ?? ''
      expect(csp).toContain('frame-ancestors https://shop.acme.test')
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toContain('unsafe-inline')
      expect(page.headers.get('x-frame-options')).toBeNull()
      expect(page.headers.get('cache-control')).toBe('no-store')
      const html = await page.text()
      expect(html).toContain('/static/secure-form.js')
      expect(html).not.toMatch(/<script>(?!<\/script>)/)
      const script = await fetch(`${h.url}/static/secure-form.js`)
      expect(script.status).toBe(200)
      expect((await fetch(`${h.url}/secure-form/00000000-0000-0000-0000-000000000000`)).status).toBe(404)
      // Everything else Parley serves still refuses to be framed.
      expect((await fetch(`${h.url}/demo`)).headers.get('x-frame-options')).toBe('DENY')
      visitor.close()
    })
  })
}
