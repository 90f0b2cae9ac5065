import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api } from '../harness.js'
import {
  ARTIFACTS,
  accessibilityProblems,
  type BrowserServer,
  recordDialogs,
  signedInAdmin,
  startBrowserServer,
  storedText,
  waitForText,
} from './pages.js'

const PASSWORD = 'a long enough password'

describe('API tokens in the console', () => {
  let s: BrowserServer
  let ctx: BrowserContext
  let admin: Page
  const dialogs: string[] = []

  beforeAll(async () => {
    s = await startBrowserServer()
    ;({ ctx, page: admin } = await signedInAdmin(s, PASSWORD))
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url })
    recordDialogs(admin, dialogs)
  }, 60_000)

  afterAll(async () => {
    await ctx?.close()
    await s?.close()
  }, 30_000)

  it('creates a token whose secret is shown once, then suspends, lifts and revokes it', async () => {
    await admin.getByRole('link', { name: 'API tokens' }).click()
    await waitForText(admin, 'No API tokens yet.')
    const form = admin.getByRole('form', { name: 'New API token' })
    await form.getByLabel('Name').fill('CRM sync')
    await form.getByRole('checkbox', { name: /conversations:read/ }).check()
    await form.getByLabel('Expires after (days)').fill('30')
    await form.getByRole('button', { name: 'Create token' }).click()

    const secretField = admin.getByLabel(/^Secret of CRM sync/)
    const secret = await secretField.inputValue()
    expect(secret).toMatch(/^parley_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
    await admin.getByRole('button', { name: 'Copy' }).click()
    expect(await admin.evaluate<string>('navigator.clipboard.readText()')).toBe(secret)
    const row = admin.getByRole('row').filter({ hasText: 'CRM sync' })
    await row.getByText('active').waitFor()
    expect(await row.textContent()).toContain('conversations:read')
    expect(await accessibilityProblems(admin)).toEqual([])
    await admin.screenshot({ path: join(ARTIFACTS, 'console-api-tokens.png') })

    // The secret works against the API, and is gone from the page once dismissed, and after a reload.
    const used = await api(s, 'GET', '/api/v1/conversations', { bearer: secret })
    expect(used.status).toBe(200)
    await admin.getByRole('button', { name: 'I have stored it' }).click()
    await admin.reload()
    await row.getByText('active').waitFor()
    const secretPart = secret.split('_').slice(2).join('_')
    expect(await admin.content()).not.toContain(secretPart)
    expect(await storedText(admin)).not.toContain(secretPart)

    // Suspend with a reason: the token answers 401 with its own code until the suspension is lifted.
    await row.getByRole('button', { name: 'Suspend CRM sync' }).click()
    await row.getByLabel('Reason').fill('rotating the CRM host')
    await row.getByRole('button', { name: 'Suspend', exact: true }).click()
    await row.getByText('rotating the CRM host').waitFor()
    await admin.screenshot({ path: join(ARTIFACTS, 'console-api-tokens-suspended.png') })
    expect((await api(s, 'GET', '/api/v1/conversations', { bearer: secret })).body.error.code).toBe(
      'PARLEY_ERR_TOKEN_SUSPENDED',
    )
    await row.getByRole('button', { name: 'Unsuspend CRM sync' }).click()
    await row.getByText('active').waitFor()
    expect((await api(s, 'GET', '/api/v1/conversations', { bearer: secret })).status).toBe(200)

    await row.getByRole('button', { name: 'Revoke CRM sync' }).click()
    await row.getByRole('button', { name: 'Yes, revoke crm sync' }).click()
    await row.getByText('revoked').waitFor()
    expect((await api(s, 'GET', '/api/v1/conversations', { bearer: secret })).body.error.code).toBe(
      'PARLEY_ERR_TOKEN_REVOKED',
    )
    expect(dialogs).toEqual([])
  })
})
