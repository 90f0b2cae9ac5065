import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../src/server/index.js'
import { completeSetup } from '../harness.js'
import {
  ARTIFACTS,
  accessibilityProblems,
  type BrowserServer,
  countText,
  recordDialogs,
  startBrowserServer,
  startWidgetChat,
  visibleText,
  waitForText,
} from './pages.js'

const PASSWORD = 'a long enough password'
const HOSTILE = 'Card? <img src=x onerror=alert(1)> <script>alert(2)</script>'
const CANNED_BODY = 'Thank you for waiting, I am looking into it now.'

/** Texts of the messages the console shows in the open conversation, in order. */
const transcript = (page: Page) => page.locator('.log .msg .text').allTextContents()

describe('the React agent console in a real browser', () => {
  let s: BrowserServer
  let agentCtx: BrowserContext
  let agent: Page
  let visitorCtx: BrowserContext
  let visitor: Page
  const dialogs: string[] = []
  let conversationId = ''

  beforeAll(async () => {
    s = await startBrowserServer()
    await completeSetup(s.url, s.tenant.setupUrl, PASSWORD)
    agentCtx = await s.browser.newContext({ viewport: { width: 1280, height: 800 } })
    await agentCtx.grantPermissions(['notifications'], { origin: s.url })
    // Count desktop notifications and beeps: the page's own Notification and AudioContext, wrapped.
    // (A string: this file is type-checked without the DOM library.)
    await agentCtx.addInitScript(`
      window.__notifications = []
      window.__beeps = 0
      const Native = window.Notification
      window.Notification = class extends Native {
        constructor(title, options) {
          super(title, options)
          window.__notifications.push(title + ': ' + (options?.body ?? ''))
        }
      }
      const create = AudioContext.prototype.createOscillator
      AudioContext.prototype.createOscillator = function () {
        window.__beeps++
        return create.call(this)
      }
    `)
    agent = await agentCtx.newPage()
    agent.setDefaultTimeout(10_000)
    recordDialogs(agent, dialogs)
  }, 60_000)

  // A failing step leaves a picture of both sides for whoever reads the CI log.
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return
    const name = task.name.replace(/\W+/g, '-').slice(0, 40)
    await agent?.screenshot({ path: join(ARTIFACTS, `failed-console-${name}.png`) }).catch(() => {})
    await visitor?.screenshot({ path: join(ARTIFACTS, `failed-widget-${name}.png`) }).catch(() => {})
  })

  afterAll(async () => {
    await visitorCtx?.close()
    await agentCtx?.close()
    await s?.close()
  }, 30_000)

  it('serves every console path with the strict CSP and no inline script', async () => {
    for (const path of ['/console', '/console/setup', '/console/c/some-id', '/console/admin/canned']) {
      const res = await fetch(`${s.url}${path}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
      const html = await res.text()
      expect(html).toContain('<div id="root">')
      // Every script is an external file from Parley's own origin.
      expect(html.match(/<script[^>]*>[^<]+<\/script>/g) ?? []).toEqual([])
      const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!
      const js = await fetch(`${s.url}${asset}`)
      expect(js.status).toBe(200)
      expect(js.headers.get('cache-control')).toContain('immutable')
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline')
    expect((await fetch(`${s.url}/console/assets/missing.js`)).status).toBe(404)
  })

  it('signs in and creates a canned response on the admin screen', async () => {
    await agent.goto(`${s.url}/console`)
    await agent.getByRole('button', { name: 'Sign in' }).waitFor()
    expect(await accessibilityProblems(agent)).toEqual([])
    await agent.getByLabel('Email').fill('admin@demo.test')
    await agent.getByLabel('Password').fill('not the password')
    await agent.getByRole('button', { name: 'Sign in' }).click()
    // The server's own message is shown.
    await agent
      .getByRole('alert')
      .filter({ hasText: /email or password/i })
      .waitFor()
    await agent.getByLabel('Password').fill(PASSWORD)
    await agent.getByRole('button', { name: 'Sign in' }).click()
    await agent.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 })
    await agent.getByLabel('Desktop alerts').check()

    await agent
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Canned responses' })
      .click()
    await expect
      .poll(() => agent.evaluate<string>('document.activeElement?.textContent'))
      .toBe('Canned responses')
    const form = agent.getByRole('form', { name: 'New canned response' })
    await form.getByLabel('Shortcut').fill('thanks')
    await form.getByLabel('Title').fill('Thanks for waiting')
    await form.getByLabel('Text').fill(CANNED_BODY)
    await form.getByRole('button', { name: 'Add canned response' }).click()
    await agent.getByRole('form', { name: '/thanks' }).waitFor()
    // A second one with the same shortcut is refused with the server's message.
    await form.getByLabel('Shortcut').fill('thanks')
    await form.getByLabel('Title').fill('Again')
    await form.getByLabel('Text').fill('Again')
    await form.getByRole('button', { name: 'Add canned response' }).click()
    await form.getByRole('alert').filter({ hasText: 'another record already uses this shortcut' }).waitFor()
    await agent.screenshot({ path: join(ARTIFACTS, 'console-admin.png') })
    expect(await accessibilityProblems(agent)).toEqual([])
  })

  it('receives a chat live, replies, shows markup as text, and inserts a canned response with /', async () => {
    await agent.getByRole('link', { name: 'Inbox' }).first().click()
    await agent.getByRole('button', { name: /^Mine/ }).click()
    await expect
      .poll(() => s.parley.chat.router.anyAgentAvailable(s.tenant.tenantId), { timeout: 10_000 })
      .toBe(true)

    visitorCtx = await s.browser.newContext({ viewport: { width: 390, height: 800 }, isMobile: true })
    visitor = await visitorCtx.newPage()
    visitor.setDefaultTimeout(10_000)
    recordDialogs(visitor, dialogs)
    await startWidgetChat(visitor, s.url, 'Vera')
    await visitor.keyboard.type(HOSTILE)
    await visitor.keyboard.press('Enter')

    // The inbox learns of the chat over the socket, with its unread count; nothing is reloaded.
    const item = agent.getByRole('list', { name: 'Mine conversations' }).getByRole('link', { name: /Vera/ })
    await item.waitFor({ timeout: 15_000 })
    await expect.poll(() => item.textContent()).toContain('1 unread')
    await expect
      .poll(() => agent.evaluate<string[]>('window.__notifications'))
      .toContainEqual(expect.stringContaining('Vera started a chat'))
    expect(await agent.evaluate<number>('window.__beeps')).toBeGreaterThan(0)
    await agent.screenshot({ path: join(ARTIFACTS, 'console-inbox.png') })
    expect(await accessibilityProblems(agent)).toEqual([])
    // Keyboard: Alt+↓ opens the queue's next conversation, and focus lands on its heading.
    await agent.keyboard.press('Alt+ArrowDown')
    await expect.poll(() => agent.evaluate<string>('document.activeElement?.id')).toBe('conversation-title')
    conversationId = decodeURIComponent(new URL(agent.url()).pathname.split('/').pop()!)
    await expect.poll(() => transcript(agent)).toEqual([HOSTILE])
    expect(await agent.locator('.log img, .log script').count()).toBe(0)
    const panel = agent.getByRole('complementary', { name: 'Visitor' })
    await expect.poll(() => panel.textContent()).toMatch(/Chrome \d+.*on Linux/)
    expect(await panel.textContent()).toContain(`${s.url}/demo`)
    expect(await panel.textContent()).toMatch(/Local time\d\d:\d\d/)

    // Typing shows both ways.
    await visitor.keyboard.type('one more')
    await agent.getByText('Vera is typing…').waitFor()
    const reply = agent.getByLabel('Reply to the visitor')
    await reply.pressSequentially('Hi')
    await waitForText(visitor, 'Agent is typing…')
    await reply.fill('Hi Vera! How can I help?')
    await reply.press('Enter')
    await waitForText(visitor, 'Hi Vera! How can I help?')
    // The visitor has read it: a receipt under the agent's message.
    await agent.getByText('Seen by the visitor').waitFor({ timeout: 10_000 })

    // `/` opens the canned responses; Enter inserts the chosen one, Enter again sends it.
    await reply.pressSequentially('/tha')
    const option = agent.getByRole('option', { name: /thanks/ })
    await option.waitFor()
    expect(await option.getAttribute('aria-selected')).toBe('true')
    await reply.press('Enter')
    expect(await reply.inputValue()).toBe(CANNED_BODY)
    await reply.press('Enter')
    await waitForText(visitor, CANNED_BODY)

    // An internal note stays with the agents.
    await agent.getByRole('checkbox', { name: 'Internal note' }).check()
    const note = agent.getByLabel('Internal note (agents only)')
    await note.fill('Checked the card order: shipped Monday')
    await note.press('Enter')
    await agent.locator('.log .msg.note').filter({ hasText: 'shipped Monday' }).waitFor()
    await agent.getByRole('checkbox', { name: 'Internal note' }).uncheck()
    expect(await visibleText(visitor)).not.toContain('shipped Monday')
    expect(await visibleText(visitor)).toContain(HOSTILE)
    await agent.screenshot({ path: join(ARTIFACTS, 'console-conversation.png') })
    expect(await accessibilityProblems(agent)).toEqual([])
    expect(dialogs).toEqual([])
  }, 60_000)

  it("loses and doubles nothing when the agent's network drops mid-chat", async () => {
    await agentCtx.setOffline(true)
    // Cut the sockets the way a dead network would; the console must notice and reconnect.
    for (const client of (
      s.parley.app as unknown as { websocketServer: { clients: Set<{ terminate(): void }> } }
    ).websocketServer.clients) {
      client.terminate()
    }
    await agent.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 10_000 })
    // The visitor's widget reconnects (their network is fine) and writes meanwhile.
    await waitForText(visitor, 'Reconnecting…', { absent: true })
    // (The half-typed "one more" is replaced, never sent.)
    await visitor.keyboard.press('Control+A')
    await visitor.keyboard.type('Are you still there?')
    await visitor.keyboard.press('Enter')
    // The agent answers while offline: the reply waits, marked as sending.
    const reply = agent.getByLabel('Reply to the visitor')
    await reply.fill('Yes, still here.')
    await reply.press('Enter')
    await agent.getByText('Sending…').waitFor()
    await agentCtx.setOffline(false)

    await agent.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 20_000 })
    await waitForText(visitor, 'Yes, still here.', { timeout: 15_000 })
    await expect.poll(() => transcript(agent), { timeout: 10_000 }).toContain('Are you still there?')
    await expect.poll(() => agent.getByText('Sending…').count()).toBe(0)
    const shown = await transcript(agent)
    expect(shown.filter((t) => t === 'Are you still there?')).toHaveLength(1)
    expect(shown.filter((t) => t === 'Yes, still here.')).toHaveLength(1)
    expect(await countText(visitor, 'Yes, still here.')).toBe(1)
    // What the server stored, read afresh after a reload: each message once, in order.
    await agent.reload()
    await expect
      .poll(() => transcript(agent), { timeout: 10_000 })
      .toEqual([
        HOSTILE,
        'Hi Vera! How can I help?',
        CANNED_BODY,
        'Checked the card order: shipped Monday',
        'Are you still there?',
        'Yes, still here.',
      ])
  }, 60_000)

  it('finds a message through transcript search and opens the conversation at it', async () => {
    await agent.getByRole('link', { name: 'Search' }).click()
    const box = agent.getByRole('searchbox', { name: 'Search messages' })
    // The index is built in the background: search until the message is in it.
    await expect
      .poll(
        async () => {
          await box.fill('shipped')
          await box.press('Enter')
          await agent
            .getByRole('status')
            .filter({ hasText: /shipped/ })
            .waitFor()
          return agent.locator('.results li').count()
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBe(1)
    await agent.locator('.results a').first().click()
    await agent.locator('.log .msg.hit').filter({ hasText: 'shipped Monday' }).waitFor()
    await expect.poll(() => agent.url()).toMatch(/\/console\/c\/[^?]+\?seq=\d+$/)
  })

  it('draws the reports as charts', async () => {
    await agent.getByRole('link', { name: 'Reports' }).click()
    await agent.getByRole('heading', { name: 'Chats per day' }).waitFor()
    const kpis = agent.locator('.kpis')
    await expect.poll(() => kpis.textContent()).toMatch(/Chats1/)
    expect(await agent.locator('figure.chart svg[role=img]').count()).toBeGreaterThanOrEqual(5)
    const perAgent = agent.getByRole('region', { name: 'Per agent' })
    expect(await perAgent.getByRole('row').filter({ hasText: 'Administrator' }).textContent()).toMatch(
      /^Administrator1/,
    )
    await agent.screenshot({ path: join(ARTIFACTS, 'console-reports.png'), fullPage: true })
    expect(await accessibilityProblems(agent)).toEqual([])
  })

  it('runs the admin screens: sites, agents, business hours, redaction policy, alerts', async () => {
    const nav = agent.getByRole('navigation', { name: 'Console' })
    await nav.getByRole('link', { name: 'Sites' }).click()
    const snippet = agent.getByLabel('Widget snippet (paste before </body>)')
    expect(await snippet.inputValue()).toMatch(/integrity="sha384-[^"]+"/)
    await agent.screenshot({ path: join(ARTIFACTS, 'console-admin-sites.png') })

    await nav.getByRole('link', { name: 'Agents and teams' }).click()
    const invite = agent.getByRole('form', { name: 'Invite an agent' })
    await invite.getByLabel('Name').fill('Bob')
    await invite.getByLabel('Email').fill('bob@demo.test')
    await invite.getByRole('button', { name: 'Invite' }).click()
    expect(await invite.getByLabel(/Setup link for Bob/).inputValue()).toContain('/console/setup#token=')
    await agent.getByRole('cell', { name: 'invited' }).waitFor()

    await nav.getByRole('link', { name: 'Business hours' }).click()
    await agent.getByRole('checkbox', { name: 'Always open' }).uncheck()
    await agent.getByLabel('Time zone').fill('Europe/Paris')
    await agent.getByRole('button', { name: 'Save hours' }).click()
    await agent.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
    const [site] = await s.parley.store.directory.sites(s.tenant.tenantId)
    expect(JSON.parse(site!.business_hours)).toMatchObject({
      timezone: 'Europe/Paris',
      days: { mon: [['09:00', '17:00']] },
    })

    await nav.getByRole('link', { name: 'Redaction policy' }).click()
    await agent.getByRole('button', { name: 'Add a custom pattern' }).click()
    const pattern = agent.getByRole('group', { name: 'pattern_1' })
    await pattern.getByLabel('Regular expression').fill('ACME-\\d{6}')
    await pattern.getByLabel('Test text').fill('member ACME-123456')
    const save = agent.getByRole('button', { name: 'Save policy' })
    // Not checked yet: saving waits for the check.
    expect(await save.isDisabled()).toBe(true)
    await pattern.getByRole('button', { name: 'Check pattern' }).click()
    await pattern.getByText('Checked ✓').waitFor()
    await save.click()
    await agent.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
    await agent.screenshot({ path: join(ARTIFACTS, 'console-admin-protect.png'), fullPage: true })
    expect(await accessibilityProblems(agent)).toEqual([])
    const policy = await s.parley.store.directory.protectPolicy(s.tenant.tenantId)
    expect(policy).toMatchObject({ customPatterns: [{ name: 'pattern_1', pattern: 'ACME-\\d{6}' }] })

    await nav.getByRole('link', { name: 'Secure forms' }).click()
    const secure = agent.getByRole('form', { name: 'Secure form settings' })
    await secure.getByLabel('Destination URL').fill('http://forms.example.com/parley')
    await secure.getByRole('checkbox', { name: 'Card' }).check()
    await secure.getByRole('button', { name: 'Save' }).click()
    await secure.getByRole('alert').filter({ hasText: /https/ }).waitFor()
    await secure.getByLabel('Destination URL').fill('https://forms.example.com/parley')
    await secure.getByRole('button', { name: 'Save' }).click()
    expect(await secure.getByLabel(/Signing secret/).inputValue()).toMatch(/^sfsec_/)

    await nav.getByRole('link', { name: 'Alerts' }).click()
    await agent.getByText('No alerts.', { exact: false }).waitFor()
    // An alert frame, as the watch service publishes one to admins, raises the banner at once.
    s.parley.chat.publish(s.tenant.tenantId, {
      audience: 'agents',
      conversationId: null,
      scope: { agentIds: [], teamIds: [], unassigned: false },
      exceptConnection: null,
      frame: {
        type: 'alert',
        alert: {
          id: 'e2e-alert',
          state: 'open',
          signal: 'conversation.started',
          severity: 'high',
          cause: 'bot_flood',
          recommendation: 'Throttle the widget for the offending network.',
        },
      },
    })
    const banner = agent.getByRole('region', { name: 'Open alerts' })
    await banner.getByText(/1 open alert: conversation.started \(high\) — bot_flood/).waitFor()
    expect(await banner.getByRole('link', { name: 'Review alerts' }).getAttribute('href')).toBe(
      '/console/admin/alerts',
    )
    expect(dialogs).toEqual([])
  })

  it('pages back through a long history, transfers to a team, claims back, and labels', async () => {
    const post = async (path: string, data: unknown) => {
      const res = await agentCtx.request.post(`${s.url}${path}`, { headers: { 'x-parley-csrf': '1' }, data })
      expect(res.status(), await res.text()).toBeLessThan(300)
      return res.json()
    }
    const id = conversationId
    for (let i = 1; i <= 60; i++) {
      await post(`/api/v1/conversations/${id}/messages`, { clientMsgId: `bulk-${i}`, text: `Bulk line ${i}` })
    }
    await post('/api/v1/teams', { name: 'Cards', agentIds: [] })
    await post('/api/v1/labels', { name: 'vip', color: '#aa0000' })

    await agent.goto(`${s.url}/console/c/${encodeURIComponent(id)}`)
    await agent.getByText('Bulk line 60').waitFor()
    expect(await agent.getByText('Bulk line 1', { exact: true }).count()).toBe(0)
    await agent.getByRole('button', { name: 'Load earlier messages' }).click()
    await agent.getByText('Bulk line 1', { exact: true }).waitFor()
    await expect.poll(() => transcript(agent)).toHaveLength(66)
    expect(await agent.getByRole('button', { name: 'Load earlier messages' }).count()).toBe(0)

    // Away, so the router does not hand the chat straight back: it waits in the queue.
    await agent.getByLabel('Status').selectOption('away')
    await expect.poll(() => s.parley.chat.router.anyAgentAvailable(s.tenant.tenantId)).toBe(false)
    await agent.getByRole('button', { name: 'Transfer' }).click()
    await agent.getByLabel('Transfer to').selectOption({ label: 'Cards' })
    await agent.getByRole('button', { name: 'Transfer', exact: true }).last().click()
    await agent.locator('.conversation-head .status').filter({ hasText: 'waiting' }).waitFor()
    await agent.getByRole('button', { name: /^Unassigned/ }).click()
    await agent
      .getByRole('list', { name: 'Unassigned conversations' })
      .getByRole('link', { name: /Vera/ })
      .waitFor()
    await agent.getByRole('button', { name: 'Claim' }).click()
    await agent.locator('.conversation-head .status').filter({ hasText: 'assigned' }).waitFor()
    await agent.getByLabel('Status').selectOption('online')

    await agent.getByRole('button', { name: 'Labels' }).click()
    await agent.getByRole('checkbox', { name: 'vip' }).check()
    await agent.getByRole('button', { name: /^Mine/ }).click()
    await expect
      .poll(() =>
        agent
          .getByRole('list', { name: 'Mine conversations' })
          .getByRole('link', { name: /Vera/ })
          .textContent(),
      )
      .toContain('vip')
    expect(dialogs).toEqual([])
  }, 40_000)

  it('asks the visitor for a secure form and shows its status', async () => {
    await agent.getByRole('button', { name: 'Secure form' }).click()
    const panel = agent.getByRole('form', { name: 'Secure form' })
    await panel.getByLabel('Form').selectOption('card')
    await panel.getByRole('button', { name: 'Send form' }).click()
    await panel.getByText('pending').waitFor()
    await expect.poll(() => transcript(agent)).toContainEqual(expect.stringMatching(/secure form/i))
    // A kind the admin did not enable is refused with the server's message.
    await panel.getByLabel('Form').selectOption('bank_account')
    await panel.getByRole('button', { name: 'Send form' }).click()
    await panel.getByRole('alert').waitFor()
  })

  it('works at phone width: menu, list, conversation, reply, close and reopen', async () => {
    const phone = await s.browser.newContext({
      viewport: { width: 390, height: 800 },
      isMobile: true,
      hasTouch: true,
      storageState: await agentCtx.storageState(),
    })
    const page = await phone.newPage()
    page.setDefaultTimeout(10_000)
    recordDialogs(page, dialogs)
    await page.goto(`${s.url}/console`)
    const nav = page.getByRole('navigation', { name: 'Console' })
    expect(await nav.isVisible()).toBe(false)
    await page.getByRole('button', { name: 'Menu' }).click()
    await nav.getByRole('link', { name: 'Inbox' }).click()
    expect(await nav.isVisible()).toBe(false)
    await page.getByRole('button', { name: /^Mine/ }).click()
    await page.getByRole('list', { name: 'Mine conversations' }).getByRole('link', { name: /Vera/ }).click()
    // One column: the conversation replaces the list, with a way back.
    expect(await page.getByRole('list', { name: 'Mine conversations' }).isVisible()).toBe(false)
    expect(await page.getByRole('link', { name: '← Inbox' }).isVisible()).toBe(true)
    const reply = page.getByLabel('Reply to the visitor')
    await reply.fill('Replying from my phone')
    await reply.press('Enter')
    await waitForText(visitor, 'Replying from my phone')
    const width = await page.evaluate<number>('document.documentElement.scrollWidth')
    expect(width).toBeLessThanOrEqual(390)
    await page.screenshot({ path: join(ARTIFACTS, 'console-phone.png') })
    expect(await accessibilityProblems(page)).toEqual([])

    await page.getByRole('button', { name: 'Close', exact: true }).click()
    await page.getByText('This conversation is closed; reopen it to reply.').waitFor()
    await page.getByRole('button', { name: 'Reopen' }).click()
    await reply.waitFor()
    await phone.close()
    expect(dialogs).toEqual([])
  })

  it('signs out', async () => {
    await agent.getByRole('button', { name: 'Sign out' }).click()
    await agent.getByRole('button', { name: 'Sign in' }).waitFor()
    const res = await agentCtx.request.get(`${s.url}/api/v1/auth/me`)
    expect(res.status()).toBe(401)
  })
})
