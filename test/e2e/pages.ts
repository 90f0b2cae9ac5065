import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { buildApp, createTenant, loadConfig, type NewTenant, type ParleyApp } from '../../src/server/index.js'
import { launchChromium } from '../browser.js'
import { completeSetup } from '../harness.js'
import { freePort } from '../processes.js'

/** Where the end-to-end tests leave screenshots for a reviewer (ignored by git). */
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-results')

export interface BrowserServer {
  parley: ParleyApp
  url: string
  tenant: NewTenant
  browser: Browser
  close(): Promise<void>
}

/** A Parley server on a loopback port whose demo site allows its own origin, and Debian's chromium. */
export async function startBrowserServer(): Promise<BrowserServer> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const config = loadConfig(
    { DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-e2e-')), LOG_LEVEL: 'silent' },
    { port, host: '127.0.0.1', publicUrl: url },
  )
  const parley = await buildApp(config)
  await parley.app.listen({ port, host: '127.0.0.1' })
  const tenant = await createTenant(parley, {
    name: 'Demo Bank',
    adminEmail: 'admin@demo.test',
    allowedOrigins: [url],
  })
  const browser = await launchChromium()
  mkdirSync(ARTIFACTS, { recursive: true })
  return {
    parley,
    url,
    tenant,
    browser,
    close: async () => {
      await browser.close()
      await parley.close()
    },
  }
}

/** Records every alert/confirm/prompt a page opens (an injected script would open one). */
export function recordDialogs(page: Page, into: string[]): void {
  page.on('dialog', (d) => {
    into.push(d.message())
    void d.dismiss()
  })
}

/** The visible text of a page, closed shadow roots included (the accessibility tree sees them). */
export async function visibleText(page: Page): Promise<string> {
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

/** Completes a setup link in the console's setup form; the console opens signed in and connected. */
export async function setUpAgent(
  page: Page,
  setupUrl: string,
  name: string,
  password: string,
): Promise<void> {
  await page.goto(setupUrl)
  await page.getByLabel('Your name').fill(name)
  await page.getByLabel('Password (12 characters or more)').fill(password)
  await page.getByRole('button', { name: 'Save and sign in' }).click()
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 })
}

/**
 * A visitor opens the demo page's widget with the keyboard only: Tab reaches the launcher inside
 * the widget, Enter opens it and focuses the first pre-chat field; Enter there starts the chat.
 */
export async function startWidgetChat(visitor: Page, url: string, name: string): Promise<void> {
  await visitor.goto(`${url}/demo`)
  await visitor.waitForSelector('[data-parley]', { state: 'attached' })
  await waitForText(visitor, 'Chat')
  await visitor.keyboard.press('Tab')
  await visitor.keyboard.press('Enter')
  await waitForText(visitor, 'Start chat')
  await visitor.keyboard.type(name)
  await visitor.keyboard.press('Enter')
  await waitForText(visitor, 'Start chat', { absent: true })
}

/** Waits until the page's visible text contains (or no longer contains) `text`. */
export async function waitForText(
  page: Page,
  text: string,
  opts: { absent?: boolean; timeout?: number } = {},
): Promise<void> {
  const until = Date.now() + (opts.timeout ?? 10_000)
  for (;;) {
    const has = (await visibleText(page)).includes(text)
    if (has !== (opts.absent ?? false)) return
    if (Date.now() > until)
      throw new Error(`timed out waiting for "${text}" to be ${opts.absent ? 'gone' : 'shown'}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

/** How often `text` occurs in the page's visible text. */
export async function countText(page: Page, text: string): Promise<number> {
  return (await visibleText(page)).split(text).length - 1
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/**
 * Accessibility problems axe-core finds on the page as it is now, serious and critical ones only:
 * `rule: target` strings, so a failing assertion says what and where.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol, which the page's CSP does not govern.
  await page.evaluate(AXE)
  const violations = await page.evaluate<
    { id: string; impact: string | null; nodes: { target: string[] }[] }[]
  >(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => ({ target: n.target.map(String) })) })))`,
  )
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`))
}

/** Signs in on the console's sign-in form; resolves when the console is connected. */
export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/console`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 })
}

/**
 * Completes the first administrator's setup with `password` and signs them in on a fresh
 * desktop-sized page (10 s default timeout).
 */
export async function signedInAdmin(
  s: BrowserServer,
  password: string,
): Promise<{ ctx: BrowserContext; page: Page }> {
  await completeSetup(s.url, s.tenant.setupUrl, password)
  const ctx = await s.browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await ctx.newPage()
  page.setDefaultTimeout(10_000)
  await signIn(page, s.url, 'admin@demo.test', password)
  return { ctx, page }
}

/** Everything the page keeps in localStorage and sessionStorage, as one string to search. */
export async function storedText(page: Page): Promise<string> {
  return page.evaluate<string>('JSON.stringify([{ ...localStorage }, { ...sessionStorage }])')
}
