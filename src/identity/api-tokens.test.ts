import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../../test/engines.js'
import { api, Client, completeSetup, type Harness, recordEvents, startHarness } from '../../test/harness.js'
import type { ParleyEvent } from '../events/index.js'
import { createTenant } from '../server/index.js'
import { API_SCOPES, TOKEN_ROUTE_SCOPES } from './index.js'

const TOKEN_SHAPE = /^parley_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/

for (const engine of ENGINES) {
  describe(`${engine}: API tokens`, () => {
    let h: Harness
    let seen: ParleyEvent[] = []
    beforeAll(async () => {
      h = await startHarness(engine, { trustProxy: true })
      seen = recordEvents(h)
    })
    afterAll(async () => {
      await h?.close()
    })

    const create = async (scopes: string[], extra: Record<string, unknown> = {}) => {
      const r = await api(h, 'POST', '/api/v1/api-tokens', {
        cookie: h.adminCookie,
        body: { name: `integration ${scopes.join(' ')}`, scopes, ...extra },
      })
      expect(r.status).toBe(201)
      return r.body as { id: string; secret: string; expiresAt: string; status: string }
    }
    const row = (id: string) =>
      h.parley.store.conn.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()

    it('shows the secret once at creation and stores only its SHA-256', async () => {
      const before = Date.now()
      const t = await create(['conversations:read'])
      expect(t.secret).toMatch(TOKEN_SHAPE)
      expect(t.secret.startsWith(`parley_${t.id}_`)).toBe(true)
      expect(t.status).toBe('active')
      // Default expiry: 90 days.
      expect(Date.parse(t.expiresAt) - before).toBeGreaterThanOrEqual(90 * 86_400_000 - 1000)
      expect(Date.parse(t.expiresAt) - before).toBeLessThanOrEqual(90 * 86_400_000 + 60_000)
      const stored = await row(t.id)
      expect(stored.secret_hash).toBe(createHash('sha256').update(t.secret).digest('base64url'))
      const secretPart = t.secret.split('_').slice(2).join('_')
      expect(JSON.stringify(stored)).not.toContain(secretPart)
      const listed = await api(h, 'GET', '/api/v1/api-tokens', { cookie: h.adminCookie })
      expect(listed.status).toBe(200)
      expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(t.id)
      expect(JSON.stringify(listed.body)).not.toContain(secretPart)
      expect(JSON.stringify(listed.body)).not.toContain(stored.secret_hash)
      expect(seen).toContainEqual(
        expect.objectContaining({
          type: 'admin.change',
          resource: 'api_token',
          action: 'create',
          resourceId: t.id,
        }),
      )
    })

    it('refuses an expiry past 365 days, an unknown scope and no scope with PARLEY_ERR_BAD_REQUEST', async () => {
      for (const body of [
        { name: 'x', scopes: ['conversations:read'], expiresInDays: 366 },
        { name: 'x', scopes: ['conversations:read'], expiresInDays: 0 },
        { name: 'x', scopes: ['admin:*'] },
        { name: 'x', scopes: [] },
        { name: 'x', scopes: ['conversations:read'], tenantId: 'other' },
      ]) {
        const r = await api(h, 'POST', '/api/v1/api-tokens', { cookie: h.adminCookie, body })
        expect(r.status).toBe(400)
        expect(r.body.error.code).toBe('PARLEY_ERR_BAD_REQUEST')
      }
    })

    it('serves an allowed route and emits api.request with the token actor and the IP', async () => {
      const t = await create(['conversations:read', 'directory:write'])
      const { client } = await Client.visitor(h)
      const { conversation } = await client.request({ type: 'conversation.start' })
      client.close()
      const r = await api(h, 'GET', '/api/v1/conversations', {
        bearer: t.secret,
        headers: { 'x-forwarded-for': '198.51.100.21' },
      })
      expect(r.status).toBe(200)
      expect(r.body.items.map((c: { id: string }) => c.id)).toContain(conversation.id)
      await expect
        .poll(() =>
          seen.find(
            (e) =>
              e.type === 'api.request' && e.actor.kind === 'token' && e.route === '/api/v1/conversations',
          ),
        )
        .toMatchObject({
          tenant: h.tenant.tenantId,
          actor: { kind: 'token', id: t.id },
          origin: { ip: '198.51.100.21' },
          method: 'GET',
          status: 200,
        })
      const used = await row(t.id)
      expect(used.last_used_ip).toBe('198.51.100.21')
      expect(used.last_used_at).toBeGreaterThan(0)
      // A write needs no CSRF header (no browser sends Authorization on its own); it is the token's change.
      const label = await api(h, 'POST', '/api/v1/labels', {
        bearer: t.secret,
        headers: { 'x-parley-csrf': '' },
        body: { name: 'from-crm', color: '#336699' },
      })
      expect(label.status).toBe(201)
      expect(seen).toContainEqual(
        expect.objectContaining({
          type: 'admin.change',
          resource: 'label',
          actor: { kind: 'token', id: t.id },
        }),
      )
    })

    it('answers 403 PARLEY_ERR_TOKEN_SCOPE naming the missing scope', async () => {
      const t = await create(['directory:read'])
      const r = await api(h, 'GET', '/api/v1/conversations', { bearer: t.secret })
      expect(r.status).toBe(403)
      expect(r.body.error).toMatchObject({ code: 'PARLEY_ERR_TOKEN_SCOPE', scope: 'conversations:read' })
      const w = await api(h, 'POST', '/api/v1/teams', { bearer: t.secret, body: { name: 'nope' } })
      expect(w.body.error).toMatchObject({ code: 'PARLEY_ERR_TOKEN_SCOPE', scope: 'directory:write' })
      expect(seen).toContainEqual(
        expect.objectContaining({ type: 'access.denied', actor: { kind: 'token', id: t.id } }),
      )
      expect((await api(h, 'GET', '/api/v1/teams', { bearer: t.secret })).status).toBe(200)
    })

    it('cannot manage tokens, sessions, policies or reveals, nor open an agent socket', async () => {
      // Every scope there is: none of them opens these routes.
      const t = await create([...API_SCOPES])
      for (const [method, path, body] of [
        ['GET', '/api/v1/api-tokens', undefined],
        ['POST', '/api/v1/api-tokens', { name: 'child', scopes: ['reports:read'] }],
        ['POST', `/api/v1/api-tokens/${t.id}/unsuspend`, undefined],
        ['GET', '/api/v1/auth/me', undefined],
        ['POST', '/api/v1/auth/logout', undefined],
        ['POST', '/api/v1/agents', { email: 'evil@acme.test', name: 'Evil', role: 'admin' }],
        ['PUT', '/api/v1/alerts/policy', {}],
        ['GET', '/api/v1/vault/reveals', undefined],
        ['GET', '/api/v1/webhooks', undefined],
        ['PUT', '/api/v1/protect/policy', {}],
      ] as const) {
        const r = await api(h, method, path, { bearer: t.secret, ...(body ? { body } : {}) })
        expect({ path, status: r.status, code: r.body.error?.code }).toEqual({
          path,
          status: 403,
          code: 'PARLEY_ERR_TOKEN_ROUTE_DENIED',
        })
      }
      // The agent socket takes a session cookie only: neither the header nor the auth frame accept a token.
      const ws = new Client(`${h.wsUrl}/ws?role=agent`, { authorization: `Bearer ${t.secret}` })
      await ws.opened
      ws.send({ type: 'auth', session: t.secret })
      const answer = await ws.next((f) => f.type === 'auth.ok' || f.type === 'error')
      expect(answer).toMatchObject({ type: 'error', code: 'PARLEY_ERR_AUTH_FAILED' })
      await ws.closedP
    })

    it('answers 401 with a code per state: expired, revoked, suspended; and one vague code for a wrong token', async () => {
      const expired = await create(['directory:read'], { expiresInDays: 1 })
      await h.parley.store.conn.db
        .updateTable('api_tokens')
        .set({ expires_at: Date.now() - 1 })
        .where('id', '=', expired.id)
        .execute()
      const e = await api(h, 'GET', '/api/v1/teams', { bearer: expired.secret })
      expect([e.status, e.body.error.code]).toEqual([401, 'PARLEY_ERR_TOKEN_EXPIRED'])

      const revoked = await create(['directory:read'])
      const rv = await api(h, 'POST', `/api/v1/api-tokens/${revoked.id}/revoke`, { cookie: h.adminCookie })
      expect(rv.body).toMatchObject({ status: 'revoked' })
      const r = await api(h, 'GET', '/api/v1/teams', { bearer: revoked.secret })
      expect([r.status, r.body.error.code]).toEqual([401, 'PARLEY_ERR_TOKEN_REVOKED'])
      const reSuspend = await api(h, 'POST', `/api/v1/api-tokens/${revoked.id}/suspend`, {
        cookie: h.adminCookie,
        body: { reason: 'too late' },
      })
      expect(reSuspend.body.error.code).toBe('PARLEY_ERR_CONFLICT')

      const suspended = await create(['directory:read'])
      const s = await api(h, 'POST', `/api/v1/api-tokens/${suspended.id}/suspend`, {
        cookie: h.adminCookie,
        body: { reason: 'leaked in a CI log' },
      })
      expect(s.body).toMatchObject({ status: 'suspended', suspendedReason: 'leaked in a CI log' })
      const sr = await api(h, 'GET', '/api/v1/teams', {
        bearer: suspended.secret,
        headers: { 'x-forwarded-for': '203.0.113.9' },
      })
      expect([sr.status, sr.body.error.code]).toEqual([401, 'PARLEY_ERR_TOKEN_SUSPENDED'])
      // Its tenant learns that the suspended token was still tried, from where and on what.
      expect(seen).toContainEqual(
        expect.objectContaining({
          type: 'access.denied',
          tenant: h.tenant.tenantId,
          actor: { kind: 'token', id: suspended.id },
          origin: expect.objectContaining({ ip: '203.0.113.9' }),
          action: 'GET /api/v1/teams',
          reason: 'suspended',
        }),
      )
      const lifted = await api(h, 'POST', `/api/v1/api-tokens/${suspended.id}/unsuspend`, {
        cookie: h.adminCookie,
      })
      expect(lifted.body).toMatchObject({ status: 'active', suspendedAt: null })
      expect((await api(h, 'GET', '/api/v1/teams', { bearer: suspended.secret })).status).toBe(200)

      // Wrong secret for a real id, a look-alike, an injection string: the same vague 401.
      const wrongSecret = `${suspended.secret.slice(0, -4)}AAAA`
      for (const bad of [wrongSecret, 'parley_', "parley_' OR 1=1 --", `parley_${suspended.id}_`]) {
        const b = await api(h, 'GET', '/api/v1/teams', { bearer: bad })
        expect([b.status, b.body.error.code]).toEqual([401, 'PARLEY_ERR_TOKEN_INVALID'])
      }
      expect(seen).toContainEqual(
        expect.objectContaining({
          type: 'access.denied',
          actor: { kind: 'token', id: suspended.id },
          reason: 'wrong secret',
        }),
      )
      expect(
        (await api(h, 'POST', '/api/v1/api-tokens/nope/revoke', { cookie: h.adminCookie })).body.error.code,
      ).toBe('PARLEY_ERR_NOT_FOUND')
    })

    it("reaches only its own tenant's resources, and another tenant's admin cannot touch it", async () => {
      const other = await createTenant(h.parley, {
        name: 'Other Clinic',
        adminEmail: `admin-${engine}@other.test`,
        allowedOrigins: ['https://other.test'],
      })
      const otherCookie = await completeSetup(h.url, other.setupUrl)
      const { client } = await Client.visitor(h, { key: other.widgetKey, origin: 'https://other.test' })
      const { conversation: theirs } = await client.request({ type: 'conversation.start' })
      client.close()
      const theirTeam = await api(h, 'POST', '/api/v1/teams', {
        cookie: otherCookie,
        body: { name: 'Theirs' },
      })
      const t = await create([
        'conversations:read',
        'transcripts:export',
        'directory:read',
        'directory:write',
      ])

      const list = await api(h, 'GET', '/api/v1/conversations', { bearer: t.secret })
      expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(theirs.id)
      for (const path of [
        `/api/v1/conversations/${theirs.id}`,
        `/api/v1/conversations/${theirs.id}/export`,
      ]) {
        expect((await api(h, 'GET', path, { bearer: t.secret })).status).toBe(404)
      }
      const teams = await api(h, 'GET', '/api/v1/teams', { bearer: t.secret })
      expect(teams.body.items.map((x: { id: string }) => x.id)).not.toContain(theirTeam.body.id)
      const rename = await api(h, 'PATCH', `/api/v1/teams/${theirTeam.body.id}`, {
        bearer: t.secret,
        body: { name: 'pwned' },
      })
      expect(rename.status).toBe(404)
      // The other tenant's admin sees no trace of it and cannot revoke or suspend it.
      const theirList = await api(h, 'GET', '/api/v1/api-tokens', { cookie: otherCookie })
      expect(theirList.body.items.map((x: { id: string }) => x.id)).not.toContain(t.id)
      const revoke = await api(h, 'POST', `/api/v1/api-tokens/${t.id}/revoke`, { cookie: otherCookie })
      expect(revoke.status).toBe(404)
      expect((await api(h, 'GET', '/api/v1/teams', { bearer: t.secret })).status).toBe(200)
    })

    it('needs an admin session to manage tokens', async () => {
      expect((await api(h, 'GET', '/api/v1/api-tokens')).body.error.code).toBe('PARLEY_ERR_AUTH_REQUIRED')
      const noCsrf = await api(h, 'POST', '/api/v1/api-tokens', {
        cookie: h.adminCookie,
        headers: { 'x-parley-csrf': '' },
        body: { name: 'x', scopes: ['reports:read'] },
      })
      expect(noCsrf.body.error.code).toBe('PARLEY_ERR_AUTH_CSRF')
    })

    it('lists every token route with a scope in the OpenAPI document, and names only real routes', async () => {
      const doc = (await api(h, 'GET', '/api/v1/openapi.json')).body
      for (const [key, scope] of Object.entries(TOKEN_ROUTE_SCOPES)) {
        const [method, url] = key.split(' ') as [string, string]
        const op = doc.paths[url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[method.toLowerCase()]
        expect(op, key).toBeDefined()
        expect(op.security).toContainEqual({ apiToken: [scope] })
      }
      expect(doc.paths['/api/v1/api-tokens'].post.security).toEqual([{ session: [] }])
    })
  })
}
