import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../test/engines.js'
import { addAgent, api, type Harness, startHarness, TEST_PASSWORD } from '../../test/harness.js'
import { afterFailure, DEFAULT_LOCKOUT, FRESH_THROTTLE, lockRemaining } from './lockout.js'

describe('lockout rules', () => {
  it('locks after the limit inside the window, and counts afresh outside it', () => {
    let s = FRESH_THROTTLE
    for (let i = 0; i < DEFAULT_LOCKOUT.maxFailures - 1; i++) s = afterFailure(s, 1000 + i)
    expect(lockRemaining(s, 2000)).toBe(0)
    const locked = afterFailure(s, 2000)
    expect(lockRemaining(locked, 2000)).toBe(DEFAULT_LOCKOUT.lockMs)
    expect(lockRemaining(locked, 2000 + DEFAULT_LOCKOUT.lockMs)).toBe(0)
    // Failures spread wider than the window never add up to a lock.
    let slow = FRESH_THROTTLE
    for (let i = 0; i < 50; i++) slow = afterFailure(slow, i * (DEFAULT_LOCKOUT.windowMs / 5))
    expect(lockRemaining(slow, 50 * (DEFAULT_LOCKOUT.windowMs / 5))).toBe(0)
  })
})

for (const engine of ENGINES) {
  describe(`${engine}: sign-in lockout`, () => {
    let h: Harness
    beforeAll(async () => {
      h = await startHarness(engine)
    })
    afterAll(async () => h?.close())

    const login = (email: string, password: string) =>
      api(h, 'POST', '/api/v1/auth/login', { body: { email, password } })

    it('refuses even the right password once an account is locked, until an admin unlocks it', async () => {
      const rita = await addAgent(h, 'Rita')
      for (let i = 0; i < DEFAULT_LOCKOUT.maxFailures; i++) {
        expect((await login(rita.email, `wrong guess ${i}`)).body.error.code).toBe('PARLEY_ERR_AUTH_FAILED')
      }
      const locked = await login(rita.email, TEST_PASSWORD)
      expect(locked.status).toBe(429)
      expect(locked.body.error.code).toBe('PARLEY_ERR_AUTH_LOCKED')
      expect(locked.body.error.retryAfterMs).toBeGreaterThan(0)
      expect((await api(h, 'POST', `/api/v1/agents/${rita.id}/unlock`, { cookie: rita.cookie })).status).toBe(
        403,
      )
      expect(
        (await api(h, 'POST', `/api/v1/agents/${rita.id}/unlock`, { cookie: h.adminCookie })).status,
      ).toBe(200)
      expect((await login(rita.email, TEST_PASSWORD)).status).toBe(200)
    })

    it('locks names of no agent alike, so a lock does not tell which accounts exist', async () => {
      for (let i = 0; i < DEFAULT_LOCKOUT.maxFailures; i++) await login('nobody@acme.test', `guess ${i}`)
      expect((await login('nobody@acme.test', 'guess')).body.error.code).toBe('PARLEY_ERR_AUTH_LOCKED')
    })

    it("locks the tenant's accounts that failed recently (the credential-stuffing response), not others", async () => {
      const ann = await addAgent(h, 'Ann')
      const bob = await addAgent(h, 'Bob')
      await login(ann.email, 'not her password')
      const since = Date.now() - 60_000
      const locked = await h.parley.identity.lockRecentlyFailed(h.tenant.tenantId, since, Date.now() + 60_000)
      expect(locked).toBeGreaterThanOrEqual(1)
      expect((await login(ann.email, TEST_PASSWORD)).body.error.code).toBe('PARLEY_ERR_AUTH_LOCKED')
      expect((await login(bob.email, TEST_PASSWORD)).status).toBe(200)
    })
  })
}
