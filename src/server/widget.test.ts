import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, type Harness, startHarness } from '../../test/harness.js'

describe('sqlite: the widget bundle', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite')
  })
  afterAll(async () => h?.close())

  it('is served with the Subresource Integrity hash the embed snippet carries, under 20 KB gzipped', async () => {
    const res = await fetch(`${h.url}/widget.js`)
    expect(res.status, 'the widget is built by npm run build').toBe(200)
    const body = Buffer.from(await res.arrayBuffer())
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
    const sri = `sha384-${createHash('sha384').update(body).digest('base64')}`
    const sites = await api(h, 'GET', '/api/v1/sites', { cookie: h.adminCookie })
    const snippet: string = sites.body.items[0].snippet
    expect(snippet).toContain(`integrity="${sri}"`)
    expect(snippet).toContain('crossorigin="anonymous"')
    expect(snippet).toMatch(/^<script async src="[^"]+\/widget\.js"/)
    expect(gzipSync(body).length).toBeLessThanOrEqual(20 * 1024)
  })
})
