import { createHmac, randomUUID } from 'node:crypto'
import { lookup } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { ParleyError } from '../errors/index.js'

/**
 * The signature a receiver checks: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Binding the time stops replays of an old delivery; receivers should refuse t older than 5 min.
 */
export function signWebhook(secret: string, body: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`
}

/** Addresses a webhook may never reach: loopback, private, link-local (cloud metadata), CGNAT, multicast. */
export function isPrivateAddress(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number) as [number, number]
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      a >= 224
    )
  }
  const x = ip.toLowerCase()
  return (
    x === '::' ||
    x === '::1' ||
    x.startsWith('fc') ||
    x.startsWith('fd') ||
    /^fe[89ab]/.test(x) ||
    x.startsWith('ff')
  )
}

/** Checks a webhook URL before it is saved: https only, no credentials, no private literal address. */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ParleyError('PARLEY_ERR_WEBHOOK_URL_REFUSED', 'the webhook URL is not a URL')
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    throw new ParleyError('PARLEY_ERR_WEBHOOK_URL_REFUSED', 'webhooks are delivered over https only')
  }
  if (url.username || url.password)
    throw new ParleyError('PARLEY_ERR_WEBHOOK_URL_REFUSED', 'put no credentials in a webhook URL')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!allowPrivate && (host === 'localhost' || (isIP(host) && isPrivateAddress(host)))) {
    throw new ParleyError(
      'PARLEY_ERR_WEBHOOK_URL_REFUSED',
      'webhooks may not target private, loopback or link-local addresses',
    )
  }
  return url
}

type Resolve = (
  hostname: string,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
) => void

const systemResolve: Resolve = (hostname, callback) =>
  lookup(hostname, { all: false }, (err, address, family) => callback(err, address, family))

/** A DNS lookup for sockets that fails when the name resolves to a private address (unless allowed). */
export function privateAddressGuard(allowPrivate: boolean, resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, _options, callback) =>
    resolve(hostname, (err, address, family) => {
      if (!err && !allowPrivate && isPrivateAddress(address)) {
        return callback(
          new ParleyError('PARLEY_ERR_WEBHOOK_URL_REFUSED', 'the webhook host resolves to a private address'),
          '',
          0,
        )
      }
      callback(err, address, family)
    })
}

/**
 * POSTs one signed JSON delivery. The address is checked after DNS resolution, inside the
 * connection itself, so a name that resolves (or re-resolves) to a private address is refused
 * too. Redirects are not followed. Resolves with the HTTP status; throws on refusal or timeout.
 */
export function deliverWebhook(
  target: { url: string; secret: string },
  event: string,
  payload: unknown,
  opts: { allowPrivate: boolean; timeoutMs?: number },
): Promise<number> {
  const url = checkWebhookUrl(target.url, opts.allowPrivate)
  const body = JSON.stringify(payload)
  const guardedLookup = privateAddressGuard(opts.allowPrivate)
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup,
        timeout: opts.timeoutMs ?? 5000,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Parley-Webhook/1',
          'x-parley-event': event,
          'x-parley-delivery': randomUUID(),
          'x-parley-signature': signWebhook(target.secret, body),
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('timeout', () => req.destroy(new Error('webhook timed out')))
    req.on('error', reject)
    req.end(body)
  })
}
