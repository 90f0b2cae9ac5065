import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { checkWebhookUrl, isPrivateAddress, privateAddressGuard, signWebhook } from './webhooks.js'

describe('webhooks', () => {
  it('signs the timestamp and body with HMAC-SHA256', () => {
    const sig = signWebhook('whsec_x', '{"a":1}', 1_800_000_000)
    const mac = createHmac('sha256', 'whsec_x').update('1800000000.{"a":1}').digest('hex')
    expect(sig).toBe(`t=1800000000,v1=${mac}`)
  })

  it('knows private, loopback, link-local and mapped addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(true)
    }
    for (const ip of ['93.184.216.34', '172.32.0.1', '2606:4700::1111'])
      expect(isPrivateAddress(ip), ip).toBe(false)
  })

  it('refuses http, credentials and private targets with PARLEY_ERR_WEBHOOK_URL_REFUSED', () => {
    for (const url of [
      'http://hooks.example.com/x',
      'https://user:pw@hooks.example.com/',
      'https://127.0.0.1/x',
      'https://[::1]/x',
      'https://169.254.169.254/latest',
      'https://localhost/x',
      'not a url',
    ]) {
      expect(() => checkWebhookUrl(url, false), url).toThrow(
        expect.objectContaining({ code: 'PARLEY_ERR_WEBHOOK_URL_REFUSED' }),
      )
    }
    expect(checkWebhookUrl('https://hooks.example.com/parley', false).hostname).toBe('hooks.example.com')
  })

  it('refuses a name that resolves to a private address, checked when the socket connects', async () => {
    const fakeDns =
      (ips: Record<string, string>) => (host: string, cb: (e: null, a: string, f: number) => void) =>
        cb(null, ips[host]!, 4)
    const guard = privateAddressGuard(
      false,
      fakeDns({ 'internal.example': '10.0.0.5', 'public.example': '93.184.216.34' }),
    )
    const outcome = (host: string) =>
      new Promise<{ err: unknown; address: string }>((resolve) =>
        guard(host, {}, (err, address) => resolve({ err, address: String(address) })),
      )
    expect((await outcome('internal.example')).err).toMatchObject({ code: 'PARLEY_ERR_WEBHOOK_URL_REFUSED' })
    expect(await outcome('public.example')).toEqual({ err: null, address: '93.184.216.34' })
    const allowing = privateAddressGuard(true, fakeDns({ 'internal.example': '10.0.0.5' }))
    await expect(
      new Promise((resolve) => allowing('internal.example', {}, (err) => resolve(err))),
    ).resolves.toBeNull()
  })
})
