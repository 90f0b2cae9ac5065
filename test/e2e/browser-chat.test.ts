import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, createTenant, loadConfig, type ParleyApp } from '../../src/server/index.js'
import { launchChromium } from '../browser.js'
import { freePort } from '../processes.js'

const ARTIFACTS = resolve(import.meta.dirname, '../../test-results')

/** The visible text of a page, closed shadow roots included (the accessibility tree sees them). */
async function visibleText(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page)
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
    nodes: { role?: { value: string }; name?: { value: string } }[]
  }
  await cdp.detach()
  return nodes
    .filter((n) => n.role?.value === 'StaticText')
    .map((n) => n.name?.value ?? '')
    .join('\n')
}

describe('in a real browser: the demo widget and the console talk', () => {
  let parley: ParleyApp
  let browser: Browser
  let url: string
  let setupUrl: string
  let tenantId = ''
  const dialogs: string[] = []

  beforeAll(async () => {
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    const config = loadConfig(
      { DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-e2e-')), LOG_LEVEL: 'silent' },
      { port, host: '127.0.0.1', publicUrl: url },
    )
    parley = await buildApp(config)
    await parley.app.listen({ port, host: '127.0.0.1' })
    const tenant = await createTenant(parley, {
      name: 'Demo Bank',
      adminEmail: 'admin@demo.test',
      allowedOrigins: [url],
    })
    setupUrl = tenant.setupUrl
    tenantId = tenant.tenantId
    browser = await launchChromium()
    mkdirSync(ARTIFACTS, { recursive: true })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await parley?.close()
  })

  it('carries a chat from the widget to the console and back, survives a network drop, and runs no injected script', async () => {
    const agentCtx = await browser.newContext()
    const agent = await agentCtx.newPage()
    agent.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
    await agent.goto(setupUrl)
    await agent.fill('#name', 'Alice Agent')
    await agent.fill('#password', 'a long enough password')
    await agent.click('button[type=submit]')
    await agent.waitForURL(`${url}/console`)
    await agent.waitForSelector('#me:not(:empty)')
    // The console is connected and online before the visitor arrives.
    await expect.poll(() => parley.chat.router.anyAgentAvailable(tenantId), { timeout: 10_000 }).toBe(true)

    // A phone-sized visitor on the demo shop page.
    const visitorCtx = await browser.newContext({
      viewport: { width: 390, height: 800 },
      isMobile: true,
      hasTouch: true,
    })
    const visitor = await visitorCtx.newPage()
    visitor.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
    await visitor.goto(`${url}/demo`)
    await visitor.waitForSelector('[data-parley]', { state: 'attached' })
    await expect.poll(() => visibleText(visitor)).toContain('Chat')
    // Keyboard only: Tab reaches the launcher inside the widget, Enter opens it and focuses the
    // first field of the pre-chat form; Enter there starts the chat and focuses the message box.
    await visitor.keyboard.press('Tab')
    await visitor.keyboard.press('Enter')
    await expect.poll(() => visibleText(visitor)).toContain('Start chat')
    await visitor.keyboard.type('Vera')
    await visitor.keyboard.press('Enter')
    await expect.poll(() => visibleText(visitor)).not.toContain('Start chat')
    const hostile = 'Hello <img src=x onerror=alert(1)> <script>alert(2)</script>'
    await visitor.keyboard.type(hostile)
    await visitor.keyboard.press('Enter')

    await agent.waitForSelector('#list button', { timeout: 15_000 })
    await agent.click('#list button')
    await expect
      .poll(() => agent.locator('.msg').allTextContents(), { timeout: 10_000 })
      .toContainEqual(expect.stringContaining(hostile))
    await agent.fill('#text', 'Hi! How can I help?')
    await agent.press('#text', 'Enter')
    await expect.poll(() => visibleText(visitor), { timeout: 10_000 }).toContain('Hi! How can I help?')
    expect(await visibleText(visitor)).toContain(hostile)

    // The network drops: every socket is cut and the visitor stays offline for a while; the
    // agent reconnects and answers meanwhile; then the widget reconnects and resumes.
    await visitorCtx.setOffline(true)
    for (const client of (
      parley.app as unknown as { websocketServer: { clients: Set<{ terminate(): void }> } }
    ).websocketServer.clients) {
      client.terminate()
    }
    await expect.poll(() => visibleText(visitor), { timeout: 10_000 }).toContain('Reconnecting')
    await expect.poll(() => parley.gateway.connectionCount, { timeout: 10_000 }).toBe(1)
    await agent.fill('#text', 'Sent while you were offline')
    await agent.press('#text', 'Enter')
    await visitorCtx.setOffline(false)
    await expect
      .poll(() => visibleText(visitor), { timeout: 20_000 })
      .toContain('Sent while you were offline')
    const transcript = await visibleText(visitor)
    expect(transcript.split('Hi! How can I help?').length - 1).toBe(1)

    await visitor.screenshot({ path: join(ARTIFACTS, 'widget-phone.png') })
    await agent.screenshot({ path: join(ARTIFACTS, 'console.png') })
    expect(dialogs).toEqual([])
    await agentCtx.close()
    await visitorCtx.close()
  }, 90_000)
})
