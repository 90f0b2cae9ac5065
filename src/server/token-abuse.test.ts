import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../test/engines.js'
import { api, type Harness, recordEvents, startHarness } from '../../test/harness.js'
import type { ParleyEvent } from '../events/index.js'

for (const engine of ENGINES) {
  describe(`${engine}: watch suspends an abused API token`, () => {
    let h: Harness
    let seen: ParleyEvent[] = []
    beforeAll(async () => {
      h = await startHarness(engine, { trustProxy: true })
      seen = recordEvents(h)
    })
    afterAll(async () => {
      await h?.close()
    })

    const policy = (body: Record<string, unknown>) =>
      api(h, 'PUT', '/api/v1/alerts/policy', { cookie: h.adminCookie, body })

    /**
     * A day and more of the tokens' ordinary use, up to now: one integration host calling one
     * route every few minutes (the token has learnt its habits after a day; the event clock
     * takes steps of under five minutes as the feed, larger ones as a skewed clock).
     */
    const ordinaryUse = (tokenIds: string[]) => {
      const now = Date.now()
      for (let t = now - 26 * 3_600_000; t < now - 60_000; t += 4 * 60_000) {
        for (const id of tokenIds)
          h.parley.events.emit({
            type: 'api.request',
            ts: new Date(t).toISOString(),
            tenant: h.tenant.tenantId,
            actor: { kind: 'token', id },
            origin: { channel: 'http', node: 'test', ip: '192.0.2.10' },
            method: 'GET',
            route: '/api/v1/teams',
            status: 200,
            durationMs: 3,
          })
      }
    }
    const alertAbout = async (tokenId: string) => {
      const list = await api(h, 'GET', '/api/v1/alerts', { cookie: h.adminCookie })
      return list.body.items.find((a: any) => a.alert.subject === tokenId)
    }

    it('suspends an abused token when the policy says so (its next request is 401), and only then', async () => {
      const newToken = async (name: string) => {
        const r = await api(h, 'POST', '/api/v1/api-tokens', {
          cookie: h.adminCookie,
          body: { name, scopes: ['conversations:read', 'directory:read'] },
        })
        const token = r.body as { id: string; secret: string }
        return {
          ...token,
          from: (ip: string, path: string) =>
            api(h, 'GET', path, { bearer: token.secret, headers: { 'x-forwarded-for': ip } }),
        }
      }
      const watched = await newToken('crm sync')
      const tolerated = await newToken('report export')
      ordinaryUse([watched.id, tolerated.id])

      // Policy off: the alert opens, the token keeps working, nothing is done to it.
      await policy({ tokenAbuse: 'off' })
      expect((await tolerated.from('203.0.113.60', '/api/v1/conversations')).status).toBe(200)
      await h.parley.watch.settled()
      await expect.poll(() => alertAbout(tolerated.id)).toBeDefined()
      expect((await alertAbout(tolerated.id)).alert.diagnosis.cause).toBe('token_abuse')
      expect((await tolerated.from('203.0.113.61', '/api/v1/teams')).status).toBe(200)

      // Policy on: someone else (a new address reading conversations, which this token never did).
      expect((await policy({ tokenAbuse: 'suspend_token' })).body).toMatchObject({
        tokenAbuse: 'suspend_token',
        botFlood: 'off',
      })
      expect((await watched.from('192.0.2.10', '/api/v1/teams')).status).toBe(200)
      expect((await watched.from('203.0.113.50', '/api/v1/conversations')).status).toBe(200)
      await h.parley.watch.settled()
      await expect
        .poll(async () => (await watched.from('203.0.113.51', '/api/v1/teams')).body.error?.code, {
          timeout: 5000,
        })
        .toBe('PARLEY_ERR_TOKEN_SUSPENDED')

      // The alert shows what was done; the suspension is an event like an admin's change.
      const alert = await alertAbout(watched.id)
      expect(alert.alert.diagnosis.cause).toBe('token_abuse')
      await expect
        .poll(async () => (await alertAbout(watched.id)).record.responses)
        .toEqual([{ response: 'suspend_token', target: watched.id, at: expect.any(Number) }])
      expect(seen).toContainEqual(
        expect.objectContaining({
          type: 'watch.response',
          alertId: alert.id,
          response: 'suspend_token',
          target: watched.id,
        }),
      )
      expect(seen).toContainEqual(
        expect.objectContaining({
          type: 'admin.change',
          resource: 'api_token',
          action: 'update',
          resourceId: watched.id,
          actor: { kind: 'system', id: 'system' },
        }),
      )
      const listed = await api(h, 'GET', '/api/v1/api-tokens', { cookie: h.adminCookie })
      expect(listed.body.items.find((t: any) => t.id === watched.id)).toMatchObject({
        status: 'suspended',
        suspendedBy: 'system',
        suspendedReason: `anomaly alert ${alert.id}: token_abuse`,
      })
      expect(listed.body.items.find((t: any) => t.id === tolerated.id)).toMatchObject({ status: 'active' })
      expect((await alertAbout(tolerated.id)).record.responses).toBeUndefined()
      expect(seen.some((e) => e.type === 'watch.response' && e.target === tolerated.id)).toBe(false)

      // An admin who reviewed it lifts the suspension, and the token works again.
      await api(h, 'POST', `/api/v1/api-tokens/${watched.id}/unsuspend`, { cookie: h.adminCookie })
      expect((await watched.from('192.0.2.10', '/api/v1/teams')).status).toBe(200)
    })
  })
}
