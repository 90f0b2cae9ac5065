import { Secret, TOTP } from 'otpauth'
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
import { matchTotp, newRecoveryCodes, normalizeCode } from './mfa.js'
import { hashSecret } from './secrets.js'

describe('TOTP codes', () => {
  const secret = new Secret({ size: 20 }).base32
  const at = (t: number) =>
    TOTP.generate({
      secret: Secret.fromBase32(secret),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      timestamp: t,
    })
  const now = 1_800_000_000_000

  it('matches the current step and one step either side, returning the step the code belongs to', () => {
    const step = Math.floor(now / 30_000)
    expect(matchTotp(secret, at(now), now)).toBe(step)
    expect(matchTotp(secret, at(now - 30_000), now)).toBe(step - 1)
    expect(matchTotp(secret, at(now + 30_000), now)).toBe(step + 1)
  })

  it('refuses codes two steps away, of another secret, or not six digits', () => {
    expect(matchTotp(secret, at(now - 60_000), now)).toBeNull()
    expect(matchTotp(secret, at(now + 60_000), now)).toBeNull()
    expect(matchTotp(new Secret({ size: 20 }).base32, at(now), now)).toBeNull()
    for (const bad of ['', '12345', '1234567', 'abcdef', `${at(now)} `, "1' OR 1=1"])
      expect(matchTotp(secret, bad, now)).toBeNull()
  })

  it('makes ten distinct recovery codes of 50 random bits that survive copying with spaces or capitals', () => {
    const codes = newRecoveryCodes()
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/)
    expect(normalizeCode(' AbCde-FGh23 ')).toBe('abcdefgh23')
  })
})

for (const engine of ENGINES) {
  describe(`${engine}: MFA enrolment and sign-in`, () => {
    let h: Harness
    let events: ParleyEvent[] = []
    beforeAll(async () => {
      h = await startHarness(engine)
      events = recordEvents(h)
    })
    afterAll(async () => h?.close())

    const login = (email: string, password = TEST_PASSWORD) =>
      api(h, 'POST', '/api/v1/auth/login', { body: { email, password } })
    const cookieOf = (r: { headers: Headers }) => (r.headers.get('set-cookie') ?? '').split(';')[0]!
    /** An agent who enrolled from their signed-in session. */
    const enrolled = async (name: string) => {
      const agent = await addAgent(h, name)
      const start = await api(h, 'POST', '/api/v1/account/mfa/enrol', {
        cookie: agent.cookie,
        body: { password: TEST_PASSWORD },
      })
      const auth = new Authenticator(start.body.secret)
      const done = await api(h, 'POST', '/api/v1/account/mfa/confirm', {
        cookie: agent.cookie,
        body: { code: auth.code() },
      })
      expect(done.status).toBe(200)
      return {
        ...agent,
        auth,
        uri: start.body.uri as string,
        recoveryCodes: done.body.recoveryCodes as string[],
      }
    }

    it('enrols with a current code, shows 10 recovery codes once, and stores no secret or code in clear', async () => {
      const agent = await addAgent(h, 'Enid')
      // The password again first: a stolen session alone cannot add an authenticator.
      const noPassword = await api(h, 'POST', '/api/v1/account/mfa/enrol', {
        cookie: agent.cookie,
        body: { password: 'not the password' },
      })
      expect(noPassword.body.error.code).toBe('PARLEY_ERR_AUTH_FAILED')
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'auth.login', reason: 'bad_password', username: agent.email }),
      )
      const start = await api(h, 'POST', '/api/v1/account/mfa/enrol', {
        cookie: agent.cookie,
        body: { password: TEST_PASSWORD },
      })
      expect(start.status).toBe(200)
      expect(start.headers.get('cache-control')).toBe('no-store')
      const { secret, uri } = start.body
      expect(secret).toMatch(/^[A-Z2-7]{32}$/)
      const link = new URL(uri)
      expect(link.protocol).toBe('otpauth:')
      expect(link.searchParams.get('secret')).toBe(secret)
      expect(Object.fromEntries(link.searchParams)).toMatchObject({
        issuer: 'Parley',
        algorithm: 'SHA1',
        digits: '6',
        period: '30',
      })
      // Not enrolled until a code confirms it.
      expect((await api(h, 'GET', '/api/v1/account/mfa', { cookie: agent.cookie })).body).toMatchObject({
        enrolled: false,
      })
      const auth = new Authenticator(secret)
      const wrong = await api(h, 'POST', '/api/v1/account/mfa/confirm', {
        cookie: agent.cookie,
        body: { code: '000000' === auth.at(Authenticator.step()) ? '111111' : '000000' },
      })
      expect(wrong.status).toBe(401)
      expect(wrong.body.error.code).toBe('PARLEY_ERR_MFA_CODE_INVALID')
      const ok = await api(h, 'POST', '/api/v1/account/mfa/confirm', {
        cookie: agent.cookie,
        body: { code: auth.code() },
      })
      expect(ok.status).toBe(200)
      const codes: string[] = ok.body.recoveryCodes
      expect(codes).toHaveLength(10)
      expect(new Set(codes).size).toBe(10)
      const status = await api(h, 'GET', '/api/v1/account/mfa', { cookie: agent.cookie })
      expect(status.body).toMatchObject({ enrolled: true, recoveryCodesLeft: 10, required: false })
      expect(JSON.stringify(status.body)).not.toContain(codes[0])
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'auth.mfa_change', action: 'enrolled', agentId: agent.id }),
      )

      const db = h.parley.store.conn.db
      const row = await db
        .selectFrom('agent_mfa')
        .selectAll()
        .where('agent_id', '=', agent.id)
        .executeTakeFirstOrThrow()
      const sealed = Buffer.from(row.secret_sealed)
      expect(sealed.includes(Buffer.from(secret))).toBe(false)
      expect(sealed.includes(Buffer.from(Secret.fromBase32(secret).bytes))).toBe(false)
      const hashes = (
        await db
          .selectFrom('mfa_recovery_codes')
          .select('code_hash')
          .where('agent_id', '=', agent.id)
          .execute()
      ).map((r) => r.code_hash)
      expect(hashes).toHaveLength(10)
      for (const c of codes) {
        expect(hashes).not.toContain(c)
        // Keyed: a plain hash of a code (computable from a database copy) matches nothing.
        expect(hashes).not.toContain(hashSecret(c))
        expect(hashes).not.toContain(hashSecret(c.replace('-', '')))
      }
      const again = await api(h, 'POST', '/api/v1/account/mfa/enrol', {
        cookie: agent.cookie,
        body: { password: TEST_PASSWORD },
      })
      expect(again.body.error.code).toBe('PARLEY_ERR_MFA_ALREADY_ENROLLED')
      expect((await api(h, 'GET', '/api/v1/agents', { cookie: h.adminCookie })).body.items).toContainEqual(
        expect.objectContaining({ id: agent.id, mfaEnrolled: true }),
      )
    })

    it('asks for the code after the password; a replayed code is refused; a challenge gives one session', async () => {
      const agent = await enrolled('Mara')
      const first = await login(agent.email)
      expect(first.status).toBe(200)
      expect(first.headers.get('set-cookie')).toBeNull()
      expect(first.body).toEqual({
        mfa: 'verify',
        challenge: expect.any(String),
        expiresAt: expect.any(String),
      })
      const ttl = Date.parse(first.body.expiresAt) - Date.now()
      expect(ttl).toBeGreaterThan(4 * 60_000)
      expect(ttl).toBeLessThanOrEqual(5 * 60_000)
      // The code that confirmed enrolment was used: it never opens a session.
      const replay = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: first.body.challenge, code: agent.auth.at(Authenticator.step()) },
      })
      const usedStep = Authenticator.step()
      expect(replay.status).toBe(401)
      expect(replay.body.error.code).toBe('PARLEY_ERR_MFA_CODE_INVALID')
      expect(usedStep).toBeGreaterThan(0)
      const code = agent.auth.code()
      const ok = await api(h, 'POST', '/api/v1/auth/mfa', { body: { challenge: first.body.challenge, code } })
      expect(ok.status).toBe(200)
      expect(ok.body).toMatchObject({ agentId: agent.id, role: 'agent' })
      const cookie = ok.headers.get('set-cookie') ?? ''
      expect(cookie).toMatch(/HttpOnly/)
      expect(cookie).toMatch(/Secure/)
      expect(cookie).toMatch(/SameSite=Strict/)
      expect((await api(h, 'GET', '/api/v1/auth/me', { cookie: cookieOf(ok) })).status).toBe(200)
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'auth.login', outcome: 'success', username: agent.email }),
      )
      // The same challenge again, and the same code in a new sign-in: both refused.
      const twice = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: first.body.challenge, code: agent.auth.at(Authenticator.step() + 1) },
      })
      expect(twice.body.error.code).toBe('PARLEY_ERR_MFA_CHALLENGE_INVALID')
      const second = await login(agent.email)
      const reused = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: second.body.challenge, code },
      })
      expect(reused.body.error.code).toBe('PARLEY_ERR_MFA_CODE_INVALID')
    })

    it('gives no session by any other path: not the challenge as a cookie, not a socket, not a forged challenge', async () => {
      const agent = await enrolled('Nils')
      const r = await login(agent.email)
      const challenge: string = r.body.challenge
      const asCookie = `parley_session=${challenge}`
      expect((await api(h, 'GET', '/api/v1/auth/me', { cookie: asCookie })).status).toBe(401)
      expect((await api(h, 'GET', '/api/v1/conversations', { cookie: asCookie })).status).toBe(401)
      const ws = new Client(`${h.wsUrl}/ws?role=agent`, { cookie: asCookie })
      await ws.opened
      ws.send({ type: 'auth', session: challenge })
      expect((await ws.next((f) => f.type === 'error')).code).toBe('PARLEY_ERR_AUTH_FAILED')
      expect((await ws.closedP).code).toBe(4003)
      for (const forged of ['x'.repeat(43), `${challenge.slice(0, -2)}AA`]) {
        const f = await api(h, 'POST', '/api/v1/auth/mfa', {
          body: { challenge: forged, code: agent.auth.at(Authenticator.step()) },
        })
        expect(f.body.error.code).toBe('PARLEY_ERR_MFA_CHALLENGE_INVALID')
      }
      const noCode = await api(h, 'POST', '/api/v1/auth/mfa', { body: { challenge } })
      expect(noCode.body.error.code).toBe('PARLEY_ERR_BAD_REQUEST')
      // A setup link (a forgotten password) sets the password, then asks for the code all the same.
      const link = await api(h, 'POST', `/api/v1/agents/${agent.id}/setup-link`, { cookie: h.adminCookie })
      const setup = await api(h, 'POST', '/api/v1/auth/setup', {
        body: { token: new URL(link.body.setupUrl).hash.replace('#token=', ''), password: TEST_PASSWORD },
      })
      expect(setup.status).toBe(200)
      expect(setup.headers.get('set-cookie')).toBeNull()
      expect(setup.body).toMatchObject({ mfa: 'verify', challenge: expect.any(String) })
      // A session of an agent signed in before enrolling ended when they enrolled elsewhere.
      const other = await addAgent(h, 'Olga')
      const second = await login(other.email)
      const secondCookie = cookieOf(second)
      const start = await api(h, 'POST', '/api/v1/account/mfa/enrol', {
        cookie: other.cookie,
        body: { password: TEST_PASSWORD },
      })
      await api(h, 'POST', '/api/v1/account/mfa/confirm', {
        cookie: other.cookie,
        body: { code: new Authenticator(start.body.secret).code() },
      })
      expect((await api(h, 'GET', '/api/v1/auth/me', { cookie: secondCookie })).status).toBe(401)
      expect((await api(h, 'GET', '/api/v1/auth/me', { cookie: other.cookie })).status).toBe(200)
    })

    it('counts wrong codes as failed sign-ins with an mfa reason, toward the same lock as passwords', async () => {
      const agent = await enrolled('Lena')
      const wrong = (challenge: string) =>
        api(h, 'POST', '/api/v1/auth/mfa', { body: { challenge, code: '000000' } })
      // Five wrong codes end a challenge.
      const first = await login(agent.email)
      for (let i = 0; i < 5; i++)
        expect((await wrong(first.body.challenge)).body.error.code).toBe('PARLEY_ERR_MFA_CODE_INVALID')
      expect((await wrong(first.body.challenge)).body.error.code).toBe('PARLEY_ERR_MFA_CHALLENGE_INVALID')
      const failures = events.filter(
        (e) => e.type === 'auth.login' && e.outcome === 'failure' && e.username === agent.email,
      )
      expect(failures).toHaveLength(5)
      expect(failures.every((e) => e.type === 'auth.login' && e.reason === 'mfa_invalid_code')).toBe(true)
      // The right password does not reset the count: five more wrong codes lock the account.
      const second = await login(agent.email)
      const pending = await login(agent.email)
      expect(second.body.mfa).toBe('verify')
      for (let i = 0; i < 5; i++) await wrong(second.body.challenge)
      const locked = await login(agent.email)
      expect(locked.status).toBe(429)
      expect(locked.body.error.code).toBe('PARLEY_ERR_AUTH_LOCKED')
      // A challenge from before the lock is refused too, even with the right code, unread.
      const late = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: pending.body.challenge, code: agent.auth.at(Authenticator.step() + 1) },
      })
      expect(late.body.error.code).toBe('PARLEY_ERR_AUTH_LOCKED')
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'auth.login', reason: 'mfa_locked', username: agent.email }),
      )
      // Unlocked by an admin, the agent signs in with the password and a right code.
      await api(h, 'POST', `/api/v1/agents/${agent.id}/unlock`, { cookie: h.adminCookie })
      const third = await login(agent.email)
      const ok = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: third.body.challenge, code: agent.auth.code() },
      })
      expect(ok.status).toBe(200)
    })

    it('accepts each recovery code once, with spaces or capitals, in place of a TOTP code', async () => {
      const agent = await enrolled('Rafa')
      const code = agent.recoveryCodes[3]!
      const first = await login(agent.email)
      const ok = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: first.body.challenge, code: ` ${code.toUpperCase()} ` },
      })
      expect(ok.status).toBe(200)
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'auth.mfa_change', action: 'recovery_code_used', agentId: agent.id }),
      )
      const status = await api(h, 'GET', '/api/v1/account/mfa', { cookie: cookieOf(ok) })
      expect(status.body.recoveryCodesLeft).toBe(9)
      const second = await login(agent.email)
      const again = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: second.body.challenge, code },
      })
      expect(again.body.error.code).toBe('PARLEY_ERR_MFA_CODE_INVALID')
      // Another agent's recovery code is no code for this one.
      const other = await enrolled('Sami')
      const third = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: second.body.challenge, code: other.recoveryCodes[0] },
      })
      expect(third.body.error.code).toBe('PARLEY_ERR_MFA_CODE_INVALID')
      // New codes replace the old ones.
      const renewed = await api(h, 'POST', '/api/v1/account/mfa/recovery-codes', {
        cookie: agent.cookie,
        body: { code: agent.recoveryCodes[0] },
      })
      expect(renewed.body.recoveryCodes).toHaveLength(10)
      const old = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: second.body.challenge, code: agent.recoveryCodes[1] },
      })
      expect(old.body.error.code).toBe('PARLEY_ERR_MFA_CODE_INVALID')
      const fresh = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: second.body.challenge, code: renewed.body.recoveryCodes[0] },
      })
      expect(fresh.status).toBe(200)
    })

    it('turns MFA off only with a current code; an admin can reset it (audited), ending the sessions', async () => {
      const agent = await enrolled('Dora')
      const wrong = await api(h, 'POST', '/api/v1/account/mfa/disable', {
        cookie: agent.cookie,
        body: { code: '000000' },
      })
      expect(wrong.body.error.code).toBe('PARLEY_ERR_MFA_CODE_INVALID')
      expect(
        events.some(
          (e) =>
            e.type === 'auth.login' && e.reason === 'mfa_disable_invalid_code' && e.username === agent.email,
        ),
      ).toBe(true)
      const off = await api(h, 'POST', '/api/v1/account/mfa/disable', {
        cookie: agent.cookie,
        body: { code: agent.auth.code() },
      })
      expect(off.status).toBe(200)
      expect((await login(agent.email)).body).toMatchObject({ agentId: agent.id })

      const lost = await enrolled('Ivo')
      const asAgent = await api(h, 'POST', `/api/v1/agents/${lost.id}/mfa/reset`, { cookie: agent.cookie })
      expect(asAgent.status).toBe(403)
      const unknown = await api(h, 'POST', '/api/v1/agents/nobody/mfa/reset', { cookie: h.adminCookie })
      expect(unknown.status).toBe(404)
      const reset = await api(h, 'POST', `/api/v1/agents/${lost.id}/mfa/reset`, { cookie: h.adminCookie })
      expect(reset.status).toBe(200)
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'auth.mfa_change',
          action: 'reset',
          agentId: lost.id,
          actor: expect.objectContaining({ kind: 'agent', role: 'admin' }),
        }),
      )
      expect((await api(h, 'GET', '/api/v1/auth/me', { cookie: lost.cookie })).status).toBe(401)
      expect((await login(lost.email)).body).toMatchObject({ agentId: lost.id })
      const twice = await api(h, 'POST', `/api/v1/agents/${lost.id}/mfa/reset`, { cookie: h.adminCookie })
      expect(twice.body.error.code).toBe('PARLEY_ERR_MFA_NOT_ENROLLED')
    })
  })

  describe(`${engine}: the tenant requires MFA`, () => {
    let h: Harness
    beforeAll(async () => {
      h = await startHarness(engine)
    })
    afterAll(async () => h?.close())

    const login = (email: string) =>
      api(h, 'POST', '/api/v1/auth/login', { body: { email, password: TEST_PASSWORD } })
    const setupWith = (setupUrl: string) =>
      api(h, 'POST', '/api/v1/auth/setup', {
        body: { token: new URL(setupUrl).hash.replace('#token=', ''), password: TEST_PASSWORD },
      })

    it('sends agents without MFA to enrolment before any session, by password or setup link', async () => {
      const before = await addAgent(h, 'Bea')
      const policy = (required: boolean, cookie = h.adminCookie) =>
        api(h, 'PUT', '/api/v1/security/mfa-policy', { cookie, body: { required } })
      // Only an admin, and only one with MFA, can require it.
      expect((await policy(true, before.cookie)).status).toBe(403)
      expect((await policy(true)).body.error.code).toBe('PARLEY_ERR_MFA_REQUIRED')
      const start = await api(h, 'POST', '/api/v1/account/mfa/enrol', {
        cookie: h.adminCookie,
        body: { password: TEST_PASSWORD },
      })
      const admin = new Authenticator(start.body.secret)
      await api(h, 'POST', '/api/v1/account/mfa/confirm', {
        cookie: h.adminCookie,
        body: { code: admin.code() },
      })
      expect((await policy(true)).body).toEqual({ required: true })
      expect((await api(h, 'GET', '/api/v1/security/mfa-policy', { cookie: h.adminCookie })).body).toEqual({
        required: true,
      })
      // Sessions of agents without MFA ended; the admin's goes on.
      expect((await api(h, 'GET', '/api/v1/auth/me', { cookie: before.cookie })).status).toBe(401)
      expect((await api(h, 'GET', '/api/v1/auth/me', { cookie: h.adminCookie })).status).toBe(200)

      const r = await login(before.email)
      expect(r.headers.get('set-cookie')).toBeNull()
      expect(r.body).toMatchObject({ mfa: 'enrol', challenge: expect.any(String) })
      // An enrol challenge is not a verify challenge, and no code is accepted before enrolling.
      const skip = await api(h, 'POST', '/api/v1/auth/mfa', {
        body: { challenge: r.body.challenge, code: '123456' },
      })
      expect(skip.body.error.code).toBe('PARLEY_ERR_MFA_CHALLENGE_INVALID')
      const enrol = await api(h, 'POST', '/api/v1/auth/mfa/enrol', { body: { challenge: r.body.challenge } })
      expect(enrol.body.uri).toMatch(/^otpauth:\/\/totp\//)
      const auth = new Authenticator(enrol.body.secret)
      const bad = await api(h, 'POST', '/api/v1/auth/mfa/enrol/confirm', {
        body: { challenge: r.body.challenge, code: '000000' },
      })
      expect(bad.body.error.code).toBe('PARLEY_ERR_MFA_CODE_INVALID')
      const done = await api(h, 'POST', '/api/v1/auth/mfa/enrol/confirm', {
        body: { challenge: r.body.challenge, code: auth.code() },
      })
      expect(done.status).toBe(200)
      expect(done.body.recoveryCodes).toHaveLength(10)
      const cookie = (done.headers.get('set-cookie') ?? '').split(';')[0]!
      expect((await api(h, 'GET', '/api/v1/auth/me', { cookie })).body.agentId).toBe(before.id)
      // Required means it cannot be turned off.
      const off = await api(h, 'POST', '/api/v1/account/mfa/disable', { cookie, body: { code: auth.code() } })
      expect(off.body.error.code).toBe('PARLEY_ERR_MFA_REQUIRED')

      // A new agent's setup link sets the password, then asks for enrolment: no session yet.
      const invite = await api(h, 'POST', '/api/v1/agents', {
        cookie: h.adminCookie,
        body: { email: 'new-hire@acme.test', name: 'New Hire' },
      })
      const setup = await setupWith(invite.body.setupUrl)
      expect(setup.headers.get('set-cookie')).toBeNull()
      expect(setup.body).toMatchObject({ mfa: 'enrol' })
      // A setup link for an enrolled agent (a forgotten password) still asks for the code.
      const link = await api(h, 'POST', `/api/v1/agents/${before.id}/setup-link`, { cookie: h.adminCookie })
      const reset = await setupWith(link.body.setupUrl)
      expect(reset.headers.get('set-cookie')).toBeNull()
      expect(reset.body).toMatchObject({ mfa: 'verify' })
      // Without the policy an agent without MFA gets a session straight away again.
      expect((await policy(false)).body).toEqual({ required: false })
      const plain = await addAgent(h, 'Plain')
      expect((await login(plain.email)).body).toMatchObject({ agentId: plain.id })
    })
  })
}
