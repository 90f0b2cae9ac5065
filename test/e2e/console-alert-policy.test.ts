import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ARTIFACTS,
  accessibilityProblems,
  type BrowserServer,
  signedInAdmin,
  startBrowserServer,
} from './pages.js'

const PASSWORD = 'a long enough password'

describe('automatic responses in the console', () => {
  let s: BrowserServer
  let ctx: BrowserContext
  let admin: Page

  beforeAll(async () => {
    s = await startBrowserServer()
    ;({ ctx, page: admin } = await signedInAdmin(s, PASSWORD))
  }, 60_000)

  afterAll(async () => {
    await ctx?.close()
    await s?.close()
  }, 30_000)

  it('turns responses on from the Alerts screen, and they are stored', async () => {
    await admin.getByRole('link', { name: 'Alerts' }).click()
    const form = admin.getByRole('form', { name: 'Automatic responses' })
    // Everything starts off.
    expect(await form.getByLabel('API token abuse').inputValue()).toBe('off')
    expect(await form.getByLabel('Throttle for (minutes)').count()).toBe(0)

    await form.getByLabel('API token abuse').selectOption('suspend_token')
    await form.getByLabel('Likely data exfiltration').selectOption('require_step_up')
    await form.getByLabel('Bot flood').selectOption('throttle_widget')
    await form.getByLabel('Throttle for (minutes)').fill('45')
    await form.getByRole('button', { name: 'Save responses' }).click()
    await form.getByRole('status').filter({ hasText: 'Saved' }).waitFor()
    expect(await accessibilityProblems(admin)).toEqual([])
    await admin.screenshot({ path: join(ARTIFACTS, 'console-alert-policy.png') })

    // What the screen shows after a reload comes from the server.
    await admin.reload()
    const reloaded = admin.getByRole('form', { name: 'Automatic responses' })
    await reloaded.waitFor()
    expect(await reloaded.getByLabel('API token abuse').inputValue()).toBe('suspend_token')
    expect(await reloaded.getByLabel('Likely data exfiltration').inputValue()).toBe('require_step_up')
    expect(await reloaded.getByLabel('Credential stuffing').inputValue()).toBe('off')
    expect(await reloaded.getByLabel('Throttle for (minutes)').inputValue()).toBe('45')

    // Out of range: the form refuses to submit (the same 5–1440 bounds as the API), nothing changes.
    const minutes = reloaded.getByLabel('Throttle for (minutes)')
    await minutes.fill('2')
    await reloaded.getByRole('button', { name: 'Save responses' }).click()
    expect(
      await minutes.evaluate(
        (el) => (el as { validity: { rangeUnderflow: boolean } }).validity.rangeUnderflow,
      ),
    ).toBe(true)
    expect(await reloaded.getByRole('status').count()).toBe(0)
    await admin.reload()
    const after = admin.getByRole('form', { name: 'Automatic responses' })
    await after.waitFor()
    expect(await after.getByLabel('Throttle for (minutes)').inputValue()).toBe('45')
  }, 60_000)
})
