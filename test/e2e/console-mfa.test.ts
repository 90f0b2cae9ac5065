import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { api, completeSetup } from '../harness.js'
import { Authenticator } from '../totp.js'
import {
  ARTIFACTS,
  accessibilityProblems,
  type BrowserServer,
  signIn,
  startBrowserServer,
  waitForText,
} from './pages.js'

const PASSWORD = 'a long enough password'

describe('two-step sign-in in the console, in a real browser', () => {
  let s: BrowserServer
  let ctx: BrowserContext
  let page: Page
  let adminCookie = ''
  let agent = { id: '', email: 'mina@demo.test' }
  let auth: Authenticator
  let recovery: string[] = []

  beforeAll(async () => {
    s = await startBrowserServer()
    adminCookie = await completeSetup(s.url, s.tenant.setupUrl, PASSWORD)
    const invite = await api(s, 'POST', '/api/v1/agents', {
      cookie: adminCookie,
      body: { email: agent.email, name: 'Mina' },
    })
    agent = { id: invite.body.id, email: agent.email }
    await completeSetup(s.url, invite.body.setupUrl, PASSWORD)
    ctx = await s.browser.newContext({ viewport: { width: 1280, height: 800 } })
    page = await ctx.newPage()
    page.setDefaultTimeout(10_000)
  }, 60_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return
    const name = task.name.replace(/\W+/g, '-').slice(0, 40)
    await page?.screenshot({ path: join(ARTIFACTS, `failed-mfa-${name}.png`) }).catch(() => {})
  })

  afterAll(async () => {
    await ctx?.close()
    await s?.close()
  }, 30_000)

  it('sets up an authenticator app from Account security and shows the recovery codes once', async () => {
    await signIn(page, s.url, agent.email, PASSWORD)
    await page.getByRole('link', { name: 'Account security' }).click()
    await waitForText(page, 'Two-step sign-in is off')
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click()
    const again = page.getByLabel('Your password, to confirm it is you')
    await again.fill('not my password')
    await page.getByRole('button', { name: 'Continue' }).click()
    await waitForText(page, 'the password was not accepted')
    await again.fill(PASSWORD)
    await page.getByRole('button', { name: 'Continue' }).click()
    const key = page.getByLabel('Key', { exact: true })
    await expect.poll(() => key.inputValue()).toMatch(/^[A-Z2-7 ]{39}$/)
    expect(await page.getByLabel('Link (otpauth)').inputValue()).toMatch(/^otpauth:\/\/totp\/Parley:/)
    auth = new Authenticator((await key.inputValue()).replace(/ /g, ''))
    await page.getByLabel('Code from your authenticator app').fill(auth.code())
    await page.getByRole('button', { name: 'Confirm' }).click()
    const list = page.getByRole('list', { name: 'Recovery codes' })
    await list.waitFor()
    recovery = await list.locator('code').allTextContents()
    expect(recovery).toHaveLength(10)
    expect(await accessibilityProblems(page)).toEqual([])
    await page.screenshot({ path: join(ARTIFACTS, 'mfa-recovery-codes.png') })
    await page.getByRole('button', { name: 'I have saved them' }).click()
    await waitForText(page, 'Two-step sign-in is on')
    await waitForText(page, '10 of 10 recovery codes left')
  })

  it('asks for the code after the password, and opens the console only with a right one', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Email').fill(agent.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    const code = page.getByLabel('Code from your authenticator app, or a recovery code')
    await code.waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await code.fill('000000')
    await page.getByRole('button', { name: 'Verify' }).click()
    await waitForText(page, 'the code was not accepted')
    await code.fill(auth.code())
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 })
  })

  it('prompts for a code when a step-up is required, then reconnects', async () => {
    await s.parley.identity.mfa.requireStepUp(s.tenant.tenantId, agent.id, {
      channel: 'system',
      node: 'test',
    })
    const dialog = page.getByRole('dialog', { name: "Verify it's you" })
    await dialog.waitFor()
    await page.screenshot({ path: join(ARTIFACTS, 'mfa-step-up.png') })
    await dialog.getByLabel('Code from your authenticator app, or a recovery code').fill(recovery[0]!)
    await dialog.getByRole('button', { name: 'Verify' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 })
    // A REST call that needs the factor goes through now (the session stepped up).
    await page.getByRole('link', { name: 'Search' }).click()
    await waitForText(page, 'Search')
  })
})
