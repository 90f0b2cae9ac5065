import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'

/** A random, URL-safe secret (sessions, setup links, widget keys). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** Secrets are stored only as SHA-256: a database leak yields no usable session or link. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url')
}

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2)
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  // Verify against a fixed hash when the agent has none, so timing does not reveal which emails exist.
  const target = stored ?? DUMMY_HASH
  try {
    const ok = await verify(target, password)
    return ok && stored !== null
  } catch {
    return false
  }
}

const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$8rpeOW/tYbKVluIN9eP0BQ$dgzlLxfN4AVeWGjYdf4EhVYD/e8k8hyg6w6z+ZDMaVQ'

/** Visitor tokens: `v1.<tenant>.<site>.<visitor>.<mac>`, HMAC-SHA256 with the instance secret. */
export function signVisitorToken(
  secret: string,
  tenantId: string,
  siteId: string,
  visitorId: string,
): string {
  const body = `v1.${tenantId}.${siteId}.${visitorId}`
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
}

export function verifyVisitorToken(
  secret: string,
  token: string,
): { tenantId: string; siteId: string; visitorId: string } | null {
  const parts = token.split('.')
  if (parts.length !== 5 || parts[0] !== 'v1') return null
  const [, tenantId, siteId, visitorId, mac] = parts as [string, string, string, string, string]
  const expected = createHmac('sha256', secret).update(`v1.${tenantId}.${siteId}.${visitorId}`).digest()
  const given = Buffer.from(mac, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  return { tenantId, siteId, visitorId }
}
