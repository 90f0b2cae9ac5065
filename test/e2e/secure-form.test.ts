import { mkdirSync, mkdtempSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, createTenant, loadConfig, type NewTenant, type ParleyApp } from '../../src/server/index.js'
import { launchChromium } from '../browser.js'
import { startEndpoint, verifySignature } from '../endpoint.js'
import { api, Client, completeSetup, type Harness } from '../harness.js'
import { freePort } from '../processes.js'
import { ARTIFACTS, visibleText, waitForText } from './pages.js'

const PAN = '4111111111111111'

/**
 * A customer's shop page on its own origin, embedding the widget from Parley's origin. Before the
 * widget loads, a hostile script patches attachShadow so it holds even the widget's closed root.
 */
async function startShop(parleyUrl: string) {
  const state = { widgetKey: '' }
  const page =
    () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><h1>Acme shop</h1>
<script>
  window.__roots = []
  const attach = Element.prototype.attachShadow
  Element.prototype.attachShadow = function (init) { const r = attach.call(this, init); window.__roots.push(r); return r }
</script>
<script src="${parleyUrl}/widget.js" data-parley-key="${state.widgetKey}" crossorigin="anonymous" async></script>
</body></html>`
  const server = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(page()),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    state,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Run in the host page: every way its scripts might read the secure form's fields. */
const HOST_PAGE_READER = `(() => {
  const out = []
  const iframes = window.__roots.flatMap((r) => [...r.querySelectorAll('iframe')])
  out.push('iframes:' + iframes.length)
  for (const f of iframes) {
    out.push('contentDocument:' + (f.contentDocument === null ? 'null' : 'readable'))
    try { out.push('read:' + f.contentWindow.document.querySelector('input').value) }
    catch (e) { out.push('blocked:' + e.name) }
  }
  for (let i = 0; i < window.frames.length; i++) {
    try { out.push('frames:' + window.frames[i].document.body.innerHTML) }
    catch (e) { out.push('frames-blocked:' + e.name) }
  }
  return out
})()`

/** Focuses a button inside the widget's closed shadow root (CDP sees through it), as Tab would. */
async function focusButton(page: Page, name: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page)
  type Node = {
    nodeId: number
    nodeName: string
    nodeValue?: string
    children?: Node[]
    shadowRoots?: Node[]
  }
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: Node }
  const textOf = (n: Node): string => (n.nodeValue ?? '') + (n.children ?? []).map(textOf).join('')
  const find = (n: Node): Node | undefined => {
    if (n.nodeName === 'BUTTON' && textOf(n).trim() === name) return n
    for (const c of [...(n.shadowRoots ?? []), ...(n.children ?? [])]) {
      const hit = find(c)
      if (hit) return hit
    }
    return undefined
  }
  const button = find(root)
  if (!button) throw new Error(`no button "${name}"`)
  await cdp.send('DOM.focus', { nodeId: button.nodeId })
  await cdp.detach()
}

describe('in a real browser: a secure form is typed into an isolated frame', () => {
  let parley: ParleyApp
  let url: string
  let tenant: NewTenant
  let browser: Browser
  let shop: Awaited<ReturnType<typeof startShop>>
  let endpoint: Awaited<ReturnType<typeof startEndpoint>>

  beforeAll(async () => {
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    parley = await buildApp(
      loadConfig(
        { DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-e2e-sf-')), LOG_LEVEL: 'silent' },
        { port, host: '127.0.0.1', publicUrl: url, webhookAllowPrivate: true },
      ),
    )
    await parley.app.listen({ port, host: '127.0.0.1' })
    endpoint = await startEndpoint()
    browser = await launchChromium()
    mkdirSync(ARTIFACTS, { recursive: true })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await shop?.close()
    await endpoint?.close()
    await parley?.close()
  })

  it('goes from the agent request to the endpoint, shows "completed" on both sides, and the host page cannot read the field', async () => {
    // The widget may run on the shop's origin only (another port, so another origin than Parley's).
    shop = await startShop(url)
    tenant = await createTenant(parley, {
      name: 'Shop Bank',
      adminEmail: 'admin@shop.test',
      allowedOrigins: [shop.origin],
    })
    shop.state.widgetKey = tenant.widgetKey
    const h = { url, wsUrl: url.replace('http', 'ws') } as Harness
    const adminCookie = await completeSetup(url, tenant.setupUrl)
    const saved = await api(h, 'PUT', '/api/v1/secure-forms/config', {
      cookie: adminCookie,
      body: { url: endpoint.url, kinds: ['card'] },
    })
    expect(saved.status).toBe(200)
    const { client: agent } = await Client.agent(h, adminCookie)

    const visitor = await (await browser.newContext({ viewport: { width: 390, height: 800 } })).newPage()
    await visitor.goto(shop.origin)
    await visitor.waitForSelector('[data-parley]', { state: 'attached' })
    await waitForText(visitor, 'Chat')
    await visitor.keyboard.press('Tab')
    await visitor.keyboard.press('Enter')
    await waitForText(visitor, 'Start chat')
    await visitor.keyboard.type('Vera')
    await visitor.keyboard.press('Enter')
    const started = await agent.next((f) => f.type === 'conversation.updated', 10_000)
    const conversationId = started.conversation.id as string

    const form = await agent.request({ type: 'secure_form.request', conversationId, kind: 'card' })
    expect(form).toMatchObject({ type: 'secure_form.requested', kind: 'card', status: 'pending' })
    await waitForText(visitor, 'Open secure form')
    expect(await visibleText(visitor)).toContain('Secure form requested: card')
    await focusButton(visitor, 'Open secure form')
    await visitor.keyboard.press('Enter')

    await expect
      .poll(() => visitor.frames().some((f) => f.url().includes('/secure-form/')), { timeout: 10_000 })
      .toBe(true)
    const frame = visitor.frames().find((f) => f.url().includes('/secure-form/'))!
    // Once the page's script has drawn the form, the token has left the frame's address (the
    // frame is listed as soon as it starts loading, before the script ran).
    await frame.getByLabel('Card number').waitFor()
    expect(frame.url()).not.toContain('#t=')
    await frame.getByLabel('Card number').fill('4111 1111 1111 1111')
    await frame.getByLabel('Expiry date (MM/YY)').fill('12/39')
    await frame.getByLabel('Security code').fill('737')
    await frame.getByLabel('Name on card').fill('Vera Visitor')
    await visitor.screenshot({ path: join(ARTIFACTS, 'secure-form-open.png') })

    // A script on the host page holds the widget's closed shadow root and tries every way in.
    const attempts = (await visitor.evaluate(HOST_PAGE_READER)) as string[]
    expect(attempts).toContain('iframes:1')
    expect(attempts).toContain('contentDocument:null')
    expect(attempts).toContain('blocked:SecurityError')
    expect(attempts.join('\n')).not.toContain('4111')

    await frame.getByRole('button', { name: 'Send securely' }).click()
    await expect.poll(() => endpoint.received.length, { timeout: 10_000 }).toBe(1)
    const delivery = endpoint.received[0]!
    expect(
      verifySignature(saved.body.secret, delivery.headers['x-parley-signature'] as string, delivery.body),
    ).toBe(true)
    expect(JSON.parse(delivery.body)).toMatchObject({
      formId: form.id,
      kind: 'card',
      fields: { number: PAN, cvc: '737' },
    })

    await waitForText(visitor, 'Secure form completed (card ending 1111)')
    await waitForText(visitor, 'Sent securely.')
    const seen = await agent.next(
      (f) => f.type === 'message' && f.message.text === 'Secure form completed (card ending 1111)',
    )
    expect(seen.message.sender.kind).toBe('system')
    expect(visitor.frames().some((f) => f.url().includes('/secure-form/'))).toBe(false)
    expect(await visibleText(visitor)).not.toContain('4111 1111')
    await visitor.screenshot({ path: join(ARTIFACTS, 'secure-form-completed.png') })
    agent.close()
  }, 90_000)
})
