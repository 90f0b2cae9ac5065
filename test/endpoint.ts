import { createHmac, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  headers: http.IncomingHttpHeaders
  body: string
}

/** A real HTTP receiver on loopback that records every POST and answers with `status`. */
export async function startEndpoint() {
  const received: Received[] = []
  const state = { status: 200 }
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => {
      body += c
    })
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.writeHead(state.status, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/parley/secure-forms`,
    received,
    /** What the endpoint answers from now on. */
    answer(status: number) {
      state.status = status
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/**
 * What a receiver does with `X-Parley-Signature: t=<unix>,v1=<hex>`: recompute the HMAC over
 * "<t>.<raw body>" with the shared secret, compare in constant time, refuse old timestamps.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  maxAgeS = 300,
): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '')
  if (!m) return false
  if (Math.abs(Date.now() / 1000 - Number(m[1])) > maxAgeS) return false
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest()
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'))
}
