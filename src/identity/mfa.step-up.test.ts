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
import { Authenticator } from '../../test/totp.js'
import type { ParleyEvent } from '../events/index.js'

for (const engine of ENGINES) {
  describe(`${engine}: step-up MFA`, () => {
    let h: Harness
    let conversationId: string
    let events: ParleyEvent[] = []
    beforeAll(async () => {
      h = await startHarness(engine)
      events = recordEvents(h)
      const { client } = await Client.visitor(h)
      conversationId = (await client.request({ type: 'conversation.start' })).conversation.id
      await client.request({ type: 'message.send', conversationId, clientMsgId: '1', text: 'hello there' })
      client.ws.close()
    })
    afterAll(async () => h?.close())

    const cookieOf = (r: { headers: Headers }) => (r.headers.get('set-cookie') ?? '').split(';')[0]!
    const enrolled = async (name: string, role: 'admin' | 'agent' = 'agent') => {
      const agent = await addAgent(h, name, { role })
      const start = await api(h, 'POST', '/api/v1/account/mfa/enrol', {
        cookie: agent.cookie,
        body: { password: TEST_PASSWORD },
      })
      const auth = new Authenticator(start.body.secret)
      const done = await api(h, 'POST', '/api/v1/account/mfa/confirm', {
        cookie: agent.cookie,
        body: { code: auth.code() },
      })
      return { ...agent, auth, recoveryCodes: done.body.recoveryCodes as string[] }
    }
    const read = (cookie: string) =>
      api(h, 'GET', `/api/v1/conversations/${conversationId}/messages`, { cookie })
    const exportOf = (cookie: string) =>
      api(h, 'GET', `/api/v1/conversations/${conversationId}/export`, { cookie })
    const search = (cookie: string) => api(h, 'GET', '/api/v1/search?q=hello', { cookie })
    const stepUp = (cookie: string, code: string) =>
      api(h, 'POST', '/api/v1/auth/step-up', { cookie, body: { code } })
    /** Makes the session's last verified code older than the 15 minutes sensitive routes accept. */
    const ageFactor = (agentId: string) =>
      h.parley.store.conn.db
        .updateTable('sessions')
        .set({ mfa_verified_at: Date.now() - 16 * 60_000 })
        .where('agent_id', '=', agentId)
        .execute()
    /** An agent reading far more transcripts than anyone, one after another: what watch calls exfiltration. */
    const readBurst = (agentId: string, n: number) => {
      for (let i = 0; i < n; i++)
        h.parley.events.emit({
          type: 'transcript.read',
          tenant: h.tenant.tenantId,
          actor: { kind: 'agent', id: agentId, role: 'agent' },
          origin: { channel: 'http', node: 'test', ip: '198.51.100.7' },
          conversationId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          messages: 3,
        })
    }
    const alertAbout = async (agentId: string) => {
      const list = await api(h, 'GET', '/api/v1/alerts', { cookie: h.adminCookie })
      return list.body.items.find((a: any) => a.alert.subject === agentId)
    }

    it('wants a code from the last 15 minutes for an export or a reveal decision, and step-up gives it', async () => {
      const agent = await enrolled('Elif')
      // Enrolling just now counts as a recent code.
      expect((await exportOf(agent.cookie)).status).toBe(200)
      await ageFactor(agent.id)
      const stale = await exportOf(agent.cookie)
      expect(stale.status).toBe(401)
      expect(stale.body.error).toMatchObject({ code: 'PARLEY_ERR_STEP_UP_REQUIRED' })
      expect(stale.body.error.message).toMatch(/verify a current code/)
      // Reading is not sensitive in itself: only a required step-up stops it.
      expect((await read(agent.cookie)).status).toBe(200)
      const wrong = await stepUp(agent.cookie, '000000')
      expect(wrong.body.error.code).toBe('PARLEY_ERR_MFA_CODE_INVALID')
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'auth.login',
          outcome: 'failure',
          reason: 'mfa_step_up_invalid_code',
          username: agent.email,
        }),
      )
      expect((await stepUp(agent.cookie, agent.auth.code())).status).toBe(200)
      expect((await exportOf(agent.cookie)).status).toBe(200)
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'auth.mfa_change', action: 'step_up_verified', agentId: agent.id }),
      )

      // A reveal decision: checked before anything else, so even an unknown request asks first.
      const admin = await enrolled('Ada', 'admin')
      await ageFactor(admin.id)
      const reveal = `/api/v1/vault/reveals/${crypto.randomUUID()}/approve`
      expect((await api(h, 'POST', reveal, { cookie: admin.cookie })).body.error.code).toBe(
        'PARLEY_ERR_STEP_UP_REQUIRED',
      )
      expect((await stepUp(admin.cookie, admin.recoveryCodes[0]!)).status).toBe(200)
      expect((await api(h, 'POST', reveal, { cookie: admin.cookie })).status).toBe(404)

      // Agents without MFA have nothing to step up with: their exports go on (the tenant can require MFA).
      const plain = await addAgent(h, 'Pia')
      expect((await exportOf(plain.cookie)).status).toBe(200)
      expect((await stepUp(plain.cookie, '123456')).body.error.code).toBe('PARLEY_ERR_MFA_NOT_ENROLLED')
      expect((await api(h, 'POST', '/api/v1/auth/step-up', { body: { code: '123456' } })).status).toBe(401)

      // The API description says which operations ask for what.
      const { paths } = (await api(h, 'GET', '/api/v1/openapi.json')).body
      expect(paths['/api/v1/conversations/{id}/export'].get['x-parley-factor']).toBe('recent')
      expect(paths['/api/v1/conversations/{id}/messages'].get['x-parley-factor']).toBe('transcript')
      expect(paths['/api/v1/search'].get['x-parley-factor']).toBe('transcript')
      expect(paths['/api/v1/vault/reveals/{id}/approve'].post['x-parley-factor']).toBe('recent')
      expect(paths['/api/v1/conversations'].get['x-parley-factor']).toBeUndefined()
    })

    it('watch require_step_up: every session of the agent steps up before reading again; sockets close with 4005', async () => {
      const policy = await api(h, 'PUT', '/api/v1/alerts/policy', {
        cookie: h.adminCookie,
        body: { dataExfiltration: 'require_step_up' },
      })
      expect(policy.body).toMatchObject({ dataExfiltration: 'require_step_up' })
      const agent = await enrolled('Xavi')
      // A second session, on another device, signed in with a recovery code.
      const login = await api(h, 'POST', '/api/v1/auth/login', {
        body: { email: agent.email, password: TEST_PASSWORD },
      })
      const mfa = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: login.body.challenge, code: agent.recoveryCodes[0] },
      })
      const other = cookieOf(mfa)
      const { client } = await Client.agent(h, agent.cookie)
      expect((await read(agent.cookie)).status).toBe(200)

      readBurst(agent.id, 60)
      await h.parley.watch.settled()
      await expect.poll(async () => (await read(agent.cookie)).status, { timeout: 5000 }).toBe(401)
      const alert = await alertAbout(agent.id)
      expect(alert.alert.diagnosis.cause).toBe('data_exfiltration')
      for (const cookie of [agent.cookie, other]) {
        expect((await read(cookie)).body.error.code).toBe('PARLEY_ERR_STEP_UP_REQUIRED')
        expect((await exportOf(cookie)).body.error.code).toBe('PARLEY_ERR_STEP_UP_REQUIRED')
        expect((await search(cookie)).body.error.code).toBe('PARLEY_ERR_STEP_UP_REQUIRED')
        // Still signed in: the rest of the console works, and says what to do.
        expect((await api(h, 'GET', '/api/v1/conversations', { cookie })).status).toBe(200)
      }
      expect((await client.closedP).code).toBe(4005)
      const again = new Client(`${h.wsUrl}/ws?role=agent`, { cookie: agent.cookie })
      await again.opened
      again.send({ type: 'auth' })
      expect((await again.next((f) => f.type === 'error')).code).toBe('PARLEY_ERR_STEP_UP_REQUIRED')
      expect((await again.closedP).code).toBe(4005)

      // Audited, and visible on the alert.
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'auth.mfa_change', action: 'step_up_required', agentId: agent.id }),
      )
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'watch.response',
          alertId: alert.id,
          response: 'require_step_up',
          target: agent.id,
        }),
      )
      await expect
        .poll(async () => (await alertAbout(agent.id)).record.responses)
        .toEqual([{ response: 'require_step_up', target: agent.id, at: expect.any(Number) }])
      // The agent is not suspended: a code lifts it, for that session only.
      expect((await stepUp(agent.cookie, agent.auth.code())).status).toBe(200)
      expect((await read(agent.cookie)).status).toBe(200)
      expect((await search(agent.cookie)).status).toBe(200)
      expect((await read(other)).body.error.code).toBe('PARLEY_ERR_STEP_UP_REQUIRED')
      const { client: back } = await Client.agent(h, agent.cookie)
      back.ws.close()
    })

    it('falls back to suspending an agent without MFA, and says so on the alert and in the event', async () => {
      await api(h, 'PUT', '/api/v1/alerts/policy', {
        cookie: h.adminCookie,
        body: { dataExfiltration: 'require_step_up' },
      })
      const agent = await addAgent(h, 'Nomfa')
      readBurst(agent.id, 60)
      await h.parley.watch.settled()
      await expect
        .poll(async () => (await api(h, 'GET', '/api/v1/auth/me', { cookie: agent.cookie })).status, {
          timeout: 5000,
        })
        .toBe(401)
      const login = await api(h, 'POST', '/api/v1/auth/login', {
        body: { email: agent.email, password: TEST_PASSWORD },
      })
      expect(login.body.error.code).toBe('PARLEY_ERR_AUTH_FAILED')
      const agents = await api(h, 'GET', '/api/v1/agents', { cookie: h.adminCookie })
      expect(agents.body.items).toContainEqual(expect.objectContaining({ id: agent.id, disabled: true }))
      const note = 'the agent has no MFA enrolled, so they were suspended instead'
      const alert = await alertAbout(agent.id)
      await expect
        .poll(async () => (await alertAbout(agent.id)).record.responses)
        .toEqual([{ response: 'require_step_up', target: agent.id, at: expect.any(Number), note }])
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'watch.response',
          alertId: alert.id,
          response: 'require_step_up',
          note,
        }),
      )
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'admin.change', resource: 'agent', resourceId: agent.id }),
      )
    })
  })
}
