import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ARTIFACTS,
  type BrowserServer,
  countText,
  recordDialogs,
  setUpAgent,
  startBrowserServer,
  startWidgetChat,
  visibleText,
} from './pages.js'

describe('in a real browser: the demo widget and the console talk', () => {
  let s: BrowserServer
  const dialogs: string[] = []

  beforeAll(async () => {
    s = await startBrowserServer()
  }, 60_000)

  afterAll(async () => {
    await s?.close()
  })

  it('carries a chat from the widget to the console and back, survives a network drop, and runs no injected script', async () => {
    const { browser, parley, url } = s
    const agentCtx = await browser.newContext()
    const agent = await agentCtx.newPage()
    recordDialogs(agent, dialogs)
    await setUpAgent(agent, s.tenant.setupUrl, 'Alice Agent', 'a long enough password')
    // The console is connected and online before the visitor arrives.
    await expect
      .poll(() => parley.chat.router.anyAgentAvailable(s.tenant.tenantId), { timeout: 10_000 })
      .toBe(true)

    // A phone-sized visitor on the demo shop page.
    const visitorCtx = await browser.newContext({
      viewport: { width: 390, height: 800 },
      isMobile: true,
      hasTouch: true,
    })
    const visitor = await visitorCtx.newPage()
    recordDialogs(visitor, dialogs)
    await startWidgetChat(visitor, url, 'Vera')
    const hostile = 'Hello <img src=x onerror=alert(1)> <script>alert(2)</script>'
    await visitor.keyboard.type(hostile)
    await visitor.keyboard.press('Enter')

    const conversations = agent.getByRole('list', { name: 'Mine conversations' })
    await conversations.getByRole('link', { name: /Vera/ }).click({ timeout: 15_000 })
    await expect
      .poll(() => agent.locator('.log .msg .text').allTextContents(), { timeout: 10_000 })
      .toContain(hostile)
    const reply = agent.getByLabel('Reply to the visitor')
    await reply.fill('Hi! How can I help?')
    await reply.press('Enter')
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
    await reply.fill('Sent while you were offline')
    await reply.press('Enter')
    await visitorCtx.setOffline(false)
    await expect
      .poll(() => visibleText(visitor), { timeout: 20_000 })
      .toContain('Sent while you were offline')
    expect(await countText(visitor, 'Hi! How can I help?')).toBe(1)

    await visitor.screenshot({ path: join(ARTIFACTS, 'widget-phone.png') })
    await agent.screenshot({ path: join(ARTIFACTS, 'console.png') })
    expect(dialogs).toEqual([])
    await agentCtx.close()
    await visitorCtx.close()
  }, 90_000)
})
