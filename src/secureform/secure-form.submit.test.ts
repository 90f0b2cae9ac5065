import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEndpoint, verifySignature } from '../../test/endpoint.js'
import { ENGINES } from '../../test/engines.js'
import { api, Client, type Harness, recordEvents, startHarness } from '../../test/harness.js'
import type { ParleyEvent } from '../events/index.js'
import { FORM_TOKEN_HEADER } from './index.js'

// Values a visitor types: none of them may appear in the transcript, the database, events or logs.
const PAN = '4111111111111111'
const CARD = { number: '4111 1111 1111 1111', expiry: '11/39', cvc: '737', name: 'Canary Quokkason' }
const CANARIES = [PAN, '4111 1111 1111 1111', 'Canary Quokkason', 'Quokka']

for (const engine of ENGINES) {
  describe(`${engine}: a submitted secure form goes to the tenant's endpoint and nowhere else`, () => {
    let h: Harness
    let endpoint: Awaited<ReturnType<typeof startEndpoint>>
    let secret = ''
    let logs = ''
    let events: ParleyEvent[] = []

    beforeAll(async () => {
      const logStream = new Writable({
        write(chunk, _enc, done) {
          logs += chunk.toString()
          done()
        },
      })
      h = await startHarness(engine, { webhookAllowPrivate: true, logLevel: 'trace' }, { logStream })
      endpoint = await startEndpoint()
      events = recordEvents(h)
      const saved = await api(h, 'PUT', '/api/v1/secure-forms/config', {
        cookie: h.adminCookie,
        body: { url: endpoint.url, kinds: ['card', 'bank_account'] },
      })
      secret = saved.body.secret
    })
    afterAll(async () => {
      await h?.close()
      await endpoint?.close()
    })

    /** A visitor in a chat with an agent who requests a form; returns both sides and the form. */
    async function requested(kind = 'card') {
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      const { client: agent } = await Client.agent(h, h.adminCookie)
      const form = await agent.request({ type: 'secure_form.request', conversationId: conversation.id, kind })
      const offer = await visitor.next((f) => f.type === 'secure_form')
      const token = new URL(offer.url).hash.replace('#t=', '')
      const call = (
        action: 'submit' | 'cancel',
        body?: unknown,
        opts: { id?: string; token?: string } = {},
      ) =>
        api(h, 'POST', `/api/v1/secure-forms/${opts.id ?? form.id}/${action}`, {
          headers: { [FORM_TOKEN_HEADER]: opts.token ?? token },
          ...(body === undefined ? {} : { body }),
        })
      const finished = (text: string) =>
        Promise.all([
          visitor.next((f) => f.type === 'message' && f.message.text === text),
          agent.next((f) => f.type === 'message' && f.message.text === text),
        ])
      return {
        visitor,
        agent,
        conversation,
        form,
        token,
        call,
        finished,
        close: () => {
          visitor.close()
          agent.close()
        },
      }
    }

    async function everythingStored(): Promise<string> {
      const db = h.parley.store.conn.db
      const messages = await db.selectFrom('messages').selectAll().execute()
      const rows = [
        messages.map((m) => ({ ...m, body: Buffer.from(m.body).toString('utf8') })),
        await db.selectFrom('secure_forms').selectAll().execute(),
        await db.selectFrom('secure_form_configs').selectAll().execute(),
        await db.selectFrom('conversations').selectAll().execute(),
      ]
      return JSON.stringify(rows)
    }

    it('forwards the signed JSON, shows only "completed (card ending 1111)", and keeps no value anywhere', async () => {
      const s = await requested()
      const before = endpoint.received.length
      const r = await s.call('submit', { fields: CARD })
      expect(r.status).toBe(200)
      expect(r.body).toEqual({ status: 'completed' })

      const delivery = endpoint.received[before]!
      expect(endpoint.received).toHaveLength(before + 1)
      expect(delivery.headers['x-parley-event']).toBe('secure_form.submitted')
      expect(verifySignature(secret, delivery.headers['x-parley-signature'] as string, delivery.body)).toBe(
        true,
      )
      expect(
        verifySignature('sfsec_wrong', delivery.headers['x-parley-signature'] as string, delivery.body),
      ).toBe(false)
      expect(JSON.parse(delivery.body)).toMatchObject({
        type: 'secure_form.submitted',
        formId: s.form.id,
        conversationId: s.conversation.id,
        kind: 'card',
        fields: { number: PAN, expMonth: '11', expYear: '2039', cvc: '737', name: 'Canary Quokkason' },
      })

      const [seenByVisitor, seenByAgent] = await s.finished('Secure form completed (card ending 1111)')
      expect(seenByVisitor.message).toMatchObject({ kind: 'event', sender: { kind: 'system' } })
      expect(seenByAgent.message.id).toBe(seenByVisitor.message.id)
      expect(events.filter((e) => e.type === 'secure_form.completed').at(-1)).toMatchObject({
        formId: s.form.id,
        kind: 'card',
        outcome: 'completed',
        last4: '1111',
        actor: { kind: 'visitor' },
      })

      const transcript = await api(h, 'GET', `/api/v1/conversations/${s.conversation.id}/messages`, {
        cookie: h.adminCookie,
      })
      expect(transcript.body.items.map((m: { text: string }) => m.text)).toEqual([
        'Secure form requested: card',
        'Secure form completed (card ending 1111)',
      ])
      const list = await api(h, 'GET', `/api/v1/conversations/${s.conversation.id}/secure-forms`, {
        cookie: h.adminCookie,
      })
      expect(list.body.items[0]).toMatchObject({ id: s.form.id, status: 'completed' })
      const stored = await everythingStored()
      const emitted = JSON.stringify(events)
      for (const canary of CANARIES) {
        expect(JSON.stringify(transcript.body), canary).not.toContain(canary)
        expect(stored, canary).not.toContain(canary)
        expect(emitted, canary).not.toContain(canary)
        expect(logs, canary).not.toContain(canary)
      }
      expect(logs).toContain('/api/v1/secure-forms/')
      s.close()
    })

    it('is single use: a second submit, or opening it again, is PARLEY_ERR_SECURE_FORM_CLOSED', async () => {
      const s = await requested()
      expect((await s.call('submit', { fields: CARD })).status).toBe(200)
      const before = endpoint.received.length
      const again = await s.call('submit', { fields: CARD })
      expect(again.status).toBe(409)
      expect(again.body.error.code).toBe('PARLEY_ERR_SECURE_FORM_CLOSED')
      const view = await api(h, 'GET', `/api/v1/secure-forms/${s.form.id}`, {
        headers: { [FORM_TOKEN_HEADER]: s.token },
      })
      expect(view.body.error.code).toBe('PARLEY_ERR_SECURE_FORM_CLOSED')
      expect(endpoint.received).toHaveLength(before)
      s.close()
    })

    it('lets two racing submits through exactly once', async () => {
      const s = await requested()
      const before = endpoint.received.length
      const [a, b] = await Promise.all([
        s.call('submit', { fields: CARD }),
        s.call('submit', { fields: CARD }),
      ])
      expect([a.status, b.status].sort()).toEqual([200, 409])
      expect(endpoint.received).toHaveLength(before + 1)
      s.close()
    })

    it('refuses a Luhn-invalid card with PARLEY_ERR_SECURE_FORM_FIELDS_INVALID, forwards nothing, and lets the visitor correct it', async () => {
      const s = await requested()
      const before = endpoint.received.length
      const bad = await s.call('submit', { fields: { ...CARD, number: '4111 1111 1111 1112' } })
      expect(bad.status).toBe(400)
      expect(bad.body.error).toMatchObject({
        code: 'PARLEY_ERR_SECURE_FORM_FIELDS_INVALID',
        issues: [{ field: 'number', message: 'not a valid card number' }],
      })
      expect(JSON.stringify(bad.body)).not.toContain('1112')
      expect(endpoint.received).toHaveLength(before)
      const page = await api(h, 'GET', `/api/v1/secure-forms/${s.form.id}`, {
        headers: { [FORM_TOKEN_HEADER]: s.token },
      })
      expect(page.body).toEqual({ id: s.form.id, kind: 'card', label: null, expiresAt: s.form.expiresAt })
      expect((await s.call('submit', { fields: CARD })).status).toBe(200)
      s.close()
    })

    it('locks a form after five refused attempts', async () => {
      const s = await requested()
      for (let i = 0; i < 5; i++) {
        const r = await s.call('submit', { fields: { ...CARD, cvc: 'x' } })
        expect(r.body.error.code).toBe('PARLEY_ERR_SECURE_FORM_FIELDS_INVALID')
      }
      await s.finished('Secure form failed: too many attempts')
      expect((await s.call('submit', { fields: CARD })).body.error.code).toBe('PARLEY_ERR_SECURE_FORM_CLOSED')
      s.close()
    })

    it('refuses a wrong, missing or borrowed token as not found, and an expired form as PARLEY_ERR_SECURE_FORM_EXPIRED', async () => {
      const a = await requested()
      const b = await requested()
      for (const token of ['', 'x'.repeat(43), b.token, `${a.token}A`]) {
        const r = await a.call('submit', { fields: CARD }, { token })
        expect(r.status, token).toBe(404)
        expect(r.body.error.code).toBe('PARLEY_ERR_NOT_FOUND')
      }
      // Form B's token does not open form A, nor does A's id with B's conversation.
      expect((await b.call('submit', { fields: CARD }, { id: a.form.id })).status).toBe(404)
      expect((await a.call('submit', { fields: CARD }, { id: 'not-a-form' })).status).toBe(404)
      // Another visitor cannot resume A's conversation to be offered its form.
      const other = await b.visitor.request({
        type: 'resume',
        conversationId: a.conversation.id,
        afterSeq: 0,
      })
      expect(other).toMatchObject({ type: 'error', code: 'PARLEY_ERR_NOT_FOUND' })
      expect(b.visitor.frames.some((f) => f.type === 'secure_form' && f.formId === a.form.id)).toBe(false)

      await h.parley.store.conn.db
        .updateTable('secure_forms')
        .set({ expires_at: Date.now() - 1 })
        .where('id', '=', a.form.id)
        .execute()
      const expired = await a.call('submit', { fields: CARD })
      expect(expired.status).toBe(410)
      expect(expired.body.error.code).toBe('PARLEY_ERR_SECURE_FORM_EXPIRED')
      const list = await api(h, 'GET', `/api/v1/conversations/${a.conversation.id}/secure-forms`, {
        cookie: h.adminCookie,
      })
      expect(list.body.items[0].status).toBe('expired')
      a.close()
      b.close()
    })

    it('reports a failed destination to both sides, keeps nothing, and lets the visitor retry', async () => {
      const s = await requested()
      endpoint.answer(500)
      const failed = await s.call('submit', { fields: CARD })
      expect(failed.status).toBe(502)
      expect(failed.body.error.code).toBe('PARLEY_ERR_SECURE_FORM_DESTINATION_FAILED')
      await s.finished('Secure form failed: destination unavailable')
      expect(events.filter((e) => e.type === 'secure_form.completed').at(-1)).toMatchObject({
        formId: s.form.id,
        outcome: 'failed',
      })
      expect(events.filter((e) => e.type === 'secure_form.completed').at(-1)).not.toHaveProperty('last4')

      // Down entirely: nothing listens on the configured port.
      const down = await startEndpoint()
      await down.close()
      await api(h, 'PUT', '/api/v1/secure-forms/config', {
        cookie: h.adminCookie,
        body: { url: down.url, kinds: ['card', 'bank_account'] },
      })
      expect((await s.call('submit', { fields: CARD })).body.error.code).toBe(
        'PARLEY_ERR_SECURE_FORM_DESTINATION_FAILED',
      )
      const stored = await everythingStored()
      for (const canary of CANARIES) {
        expect(stored, canary).not.toContain(canary)
        expect(logs, canary).not.toContain(canary)
      }

      endpoint.answer(200)
      await api(h, 'PUT', '/api/v1/secure-forms/config', {
        cookie: h.adminCookie,
        body: { url: endpoint.url, kinds: ['card', 'bank_account'] },
      })
      expect((await s.call('submit', { fields: CARD })).status).toBe(200)
      await s.finished('Secure form completed (card ending 1111)')
      s.close()
    })

    it('forwards a bank account and names it without digits in the transcript', async () => {
      const s = await requested('bank_account')
      const before = endpoint.received.length
      const r = await s.call('submit', {
        fields: { holderName: 'Canary Quokkason', iban: 'GB82 WEST 1234 5698 7654 32' },
      })
      expect(r.status).toBe(200)
      expect(JSON.parse(endpoint.received[before]!.body).fields).toEqual({
        holderName: 'Canary Quokkason',
        iban: 'GB82WEST12345698765432',
      })
      await s.finished('Secure form completed: bank account')
      expect(await everythingStored()).not.toContain('GB82WEST')
      s.close()
    })

    it('lets the visitor cancel, once', async () => {
      const s = await requested()
      expect((await s.call('cancel')).body).toEqual({ status: 'cancelled' })
      await s.finished('Secure form cancelled by the visitor')
      expect(events.filter((e) => e.type === 'secure_form.completed').at(-1)).toMatchObject({
        outcome: 'cancelled',
      })
      expect((await s.call('cancel')).body.error.code).toBe('PARLEY_ERR_SECURE_FORM_CLOSED')
      expect((await s.call('submit', { fields: CARD })).body.error.code).toBe('PARLEY_ERR_SECURE_FORM_CLOSED')
      s.close()
    })

    it('needs the CSRF header, a JSON body of fields, and limits calls per address', async () => {
      const s = await requested()
      const noCsrf = await fetch(`${h.url}/api/v1/secure-forms/${s.form.id}/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [FORM_TOKEN_HEADER]: s.token },
        body: JSON.stringify({ fields: CARD }),
      })
      expect(noCsrf.status).toBe(403)
      expect((await s.call('submit', { values: CARD })).body.error.code).toBe('PARLEY_ERR_BAD_REQUEST')
      expect((await s.call('submit', { fields: { number: 4111 } })).body.error.code).toBe(
        'PARLEY_ERR_BAD_REQUEST',
      )
      let limited: Awaited<ReturnType<typeof s.call>> | undefined
      for (let i = 0; i < 130 && !limited; i++) {
        const r = await s.call('cancel', undefined, { token: 'guess' })
        if (r.status === 429) limited = r
        else expect(r.status).toBe(404)
      }
      expect(limited?.body.error).toMatchObject({ code: 'PARLEY_ERR_RATE_LIMITED' })
      expect(limited?.body.error.retryAfterMs).toBeGreaterThan(0)
      s.close()
    })
  })
}
