import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { api, completeSetup } from '../harness.js'
import {
  ARTIFACTS,
  accessibilityProblems,
  type BrowserServer,
  recordDialogs,
  setUpAgent,
  signIn,
  startBrowserServer,
  startWidgetChat,
  storedText,
  visibleText,
} from './pages.js'

const PASSWORD = 'a long enough password'
const ACCOUNT = '004417852963'
const REASON = 'customer asked to confirm the account on file'

/** Whether the value is anywhere in the page: markup, title, URL or storage. */
const leaks = async (page: Page) =>
  [await page.content(), await page.title(), page.url(), await storedText(page)].some((t) =>
    t.includes(ACCOUNT),
  )

describe('revealing a tokenized value in the console', () => {
  let s: BrowserServer
  let adminCookie = ''
  let agentCtx: BrowserContext
  let agent: Page
  let adminCtx: BrowserContext
  let admin: Page
  let visitorCtx: BrowserContext
  const dialogs: string[] = []
  let conversationPath = ''

  beforeAll(async () => {
    s = await startBrowserServer()
    adminCookie = await completeSetup(s.url, s.tenant.setupUrl, PASSWORD)
    const policy = await api(s, 'PUT', '/api/v1/protect/policy', {
      cookie: adminCookie,
      body: {
        version: 1,
        default: 'remove',
        categories: { card_number: { mode: 'mask', keepLast: 4 }, bank_account: 'tokenize' },
        reveal: { roles: ['admin', 'agent'], requireApproval: true, windowMinutes: 5 },
      },
    })
    expect(policy.status, JSON.stringify(policy.body)).toBe(200)
    const rita = await api(s, 'POST', '/api/v1/agents', {
      cookie: adminCookie,
      body: { email: 'rita@demo.test', name: 'Rita', role: 'agent', capacity: 5 },
    })
    expect(rita.status).toBe(201)
    agentCtx = await s.browser.newContext({ viewport: { width: 1280, height: 800 } })
    agent = await agentCtx.newPage()
    agent.setDefaultTimeout(10_000)
    recordDialogs(agent, dialogs)
    // The agent's clock is Playwright's, so the end of the reveal window can be reached at once.
    await agent.clock.install()
    await setUpAgent(agent, rita.body.setupUrl, 'Rita', PASSWORD)
  }, 60_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return
    const name = task.name.replace(/\W+/g, '-').slice(0, 40)
    await agent
      ?.screenshot({ path: join(ARTIFACTS, `failed-console-reveal-agent-${name}.png`) })
      .catch(() => {})
    await admin
      ?.screenshot({ path: join(ARTIFACTS, `failed-console-reveal-admin-${name}.png`) })
      .catch(() => {})
  })

  afterAll(async () => {
    await visitorCtx?.close()
    await adminCtx?.close()
    await agentCtx?.close()
    await s?.close()
  }, 30_000)

  it('shows a token chip instead of the account number and asks for it with a reason', async () => {
    await expect
      .poll(() => s.parley.chat.router.anyAgentAvailable(s.tenant.tenantId), { timeout: 10_000 })
      .toBe(true)
    visitorCtx = await s.browser.newContext({ viewport: { width: 390, height: 800 }, isMobile: true })
    const visitor = await visitorCtx.newPage()
    visitor.setDefaultTimeout(10_000)
    await startWidgetChat(visitor, s.url, 'Vera')
    await visitor.keyboard.type(`my account number is ${ACCOUNT}`)
    await visitor.keyboard.press('Enter')

    await agent.getByRole('button', { name: /^Mine/ }).click()
    await agent.getByRole('list', { name: 'Mine conversations' }).getByRole('link', { name: /Vera/ }).click()
    const chip = agent.locator('.log .token-chip')
    await chip.waitFor()
    conversationPath = new URL(agent.url()).pathname
    expect(await chip.getByText('bank account · hidden').isVisible()).toBe(true)
    // The rest of the message is plain text; the digits are nowhere in the console.
    expect(await agent.locator('.log .msg .text').first().textContent()).toMatch(
      /^my account number is bank account · hidden/,
    )
    expect(await leaks(agent)).toBe(false)

    // The dialog takes focus, keeps it inside, and gives it back on Escape.
    const reveal = chip.getByRole('button', { name: 'Reveal…' })
    await reveal.click()
    const dialog = agent.getByRole('dialog', { name: 'Reveal the bank account' })
    const reason = dialog.getByLabel('Reason')
    await expect.poll(() => reason.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true)
    const ask = dialog.getByRole('button', { name: 'Ask to reveal' })
    expect(await ask.isDisabled()).toBe(true)
    await dialog.getByRole('button', { name: 'Cancel' }).focus()
    await agent.keyboard.press('Tab')
    expect(await reason.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true)
    expect(await accessibilityProblems(agent)).toEqual([])
    await agent.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    expect(await reveal.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true)

    await reveal.click()
    await reason.fill('too short')
    expect(await ask.isDisabled()).toBe(true)
    await reason.fill(REASON)
    await agent.screenshot({ path: join(ARTIFACTS, 'console-reveal-dialog.png') })
    await ask.click()
    await dialog.waitFor({ state: 'detached' })
    await chip.getByRole('status').filter({ hasText: "Waiting for a second admin's approval" }).waitFor()
    expect(await chip.getByRole('button', { name: 'Show value' }).count()).toBe(0)
    await agent.screenshot({ path: join(ARTIFACTS, 'console-reveal-waiting.png') })
    const [pending] = await s.parley.store.vault.revealRequests(s.tenant.tenantId, { limit: 10 })
    expect(pending).toMatchObject({ reason: REASON, state: 'pending', reveals: 0 })
  }, 60_000)

  it("lets a second admin approve, but never the admin's own request", async () => {
    adminCtx = await s.browser.newContext({ viewport: { width: 1280, height: 800 } })
    admin = await adminCtx.newPage()
    admin.setDefaultTimeout(10_000)
    recordDialogs(admin, dialogs)
    await signIn(admin, s.url, 'admin@demo.test', PASSWORD)
    // The pending request shows as a count on the nav entry.
    const nav = admin.getByRole('navigation', { name: 'Console' })
    const entry = nav.getByRole('link', { name: 'Reveals 1 waiting for approval' })
    await entry.waitFor()
    await entry.click()
    const row = admin.getByRole('row').filter({ hasText: 'Rita' })
    await row.getByText(REASON).waitFor()
    expect(await row.getByText('Waiting for approval').count()).toBe(1)
    // What is asked for, and where it was typed (a link to the conversation), never the value.
    expect(await row.getByText(/bank account/).count()).toBe(1)
    expect(await row.getByRole('link', { name: 'conversation' }).getAttribute('href')).toMatch(
      /^\/console\/c\//,
    )
    await admin.screenshot({ path: join(ARTIFACTS, 'console-reveal-admin-pending.png') })
    expect(await accessibilityProblems(admin)).toEqual([])
    await row.getByRole('button', { name: 'Approve' }).click()
    await admin.getByRole('status').filter({ hasText: 'Approved the request of Rita.' }).waitFor()
    await nav.getByRole('link', { name: 'Reveals', exact: true }).waitFor()
    await admin.getByLabel('Show').selectOption('approved')
    await admin
      .getByRole('row')
      .filter({ hasText: 'Rita' })
      .getByText(/Approved by You, until/)
      .waitFor()

    // The admin asks for the same value: no one but another admin may approve that.
    await admin.goto(`${s.url}${conversationPath}`)
    const chip = admin.locator('.log .token-chip')
    await chip.getByRole('button', { name: 'Reveal…' }).click()
    await admin.getByLabel('Reason').fill('chargeback investigation #4412')
    await admin.getByRole('button', { name: 'Ask to reveal' }).click()
    await chip.getByRole('status').filter({ hasText: "Waiting for a second admin's approval" }).waitFor()
    await admin
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: /^Reveals/ })
      .click()
    const own = admin.getByRole('row').filter({ hasText: 'chargeback investigation' })
    await own.getByText('You asked: another admin must approve it.').waitFor()
    expect(await own.getByRole('button', { name: 'Approve' }).count()).toBe(0)
    // Nor does the server let it through when asked directly.
    const [mine] = await s.parley.store.vault.revealRequests(s.tenant.tenantId, { limit: 1 })
    const self = await admin.request.post(`${s.url}/api/v1/vault/reveals/${mine!.id}/approve`, {
      headers: { 'x-parley-csrf': '1' },
    })
    expect(self.status()).toBe(403)
    expect((await self.json()).error.code).toBe('PARLEY_ERR_REVEAL_SELF_APPROVAL')
    await admin.screenshot({ path: join(ARTIFACTS, 'console-reveal-admin-own.png') })
  }, 60_000)

  it('shows the value to the agent until Hide or the end of the window, and keeps it nowhere', async () => {
    const chip = agent.locator('.log .token-chip')
    await chip.getByRole('button', { name: 'Check again' }).click()
    await chip.getByRole('status').filter({ hasText: 'Approved' }).waitFor()
    await chip.getByRole('button', { name: 'Show value' }).click()
    const value = chip.locator('.revealed')
    expect(await value.textContent()).toBe(ACCOUNT)
    expect(await chip.textContent()).toMatch(/hidden in [45]:\d\d/)
    await agent.screenshot({ path: join(ARTIFACTS, 'console-reveal-value.png') })
    expect(await storedText(agent)).not.toContain(ACCOUNT)
    expect(await agent.title()).not.toContain(ACCOUNT)
    expect(agent.url()).not.toContain(ACCOUNT)
    await chip.getByRole('button', { name: 'Hide' }).click()
    await value.waitFor({ state: 'detached' })
    expect(await leaks(agent)).toBe(false)
    expect((await visibleText(agent)).includes('The value is hidden.')).toBe(true)

    // On the Reveals screen too; the window's end hides it without a click.
    await agent.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Reveals' }).click()
    const row = agent.getByRole('row').filter({ hasText: REASON })
    await row.getByRole('button', { name: 'Show value' }).click()
    await row.getByText(ACCOUNT, { exact: true }).waitFor()
    // The count comes from the reveal list, which reloads after the value arrives: wait for it.
    await row.getByText(/shown 2×/).waitFor()
    await agent.clock.fastForward('05:01')
    await row.getByText(ACCOUNT, { exact: true }).waitFor({ state: 'detached' })
    expect(await visibleText(agent)).toContain('The reveal window has closed; the value is hidden.')
    await row.getByText(/the window has closed/).waitFor()
    expect(await leaks(agent)).toBe(false)
    expect(await accessibilityProblems(agent)).toEqual([])
    // What the server counted: each showing is audited.
    const [, asked] = await s.parley.store.vault.revealRequests(s.tenant.tenantId, { limit: 2 })
    expect(asked).toMatchObject({ reason: REASON, state: 'approved', reveals: 2 })
  }, 60_000)

  it('works at phone width', async () => {
    const phone = await s.browser.newContext({
      viewport: { width: 390, height: 800 },
      isMobile: true,
      hasTouch: true,
      storageState: await adminCtx.storageState(),
    })
    const page = await phone.newPage()
    page.setDefaultTimeout(10_000)
    recordDialogs(page, dialogs)
    await page.goto(`${s.url}/console/reveals`)
    await page.getByRole('heading', { name: 'Reveals' }).waitFor()
    await page.getByLabel('Show').selectOption('')
    await page.getByRole('row').filter({ hasText: REASON }).waitFor()
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
    await page.screenshot({ path: join(ARTIFACTS, 'console-reveal-phone.png'), fullPage: true })
    expect(await accessibilityProblems(page)).toEqual([])
    await phone.close()
    expect(dialogs).toEqual([])
  })
})
