import { randomBytes } from 'node:crypto'

const pool = { buf: Buffer.alloc(0), off: 0 }

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Time-ordered ids
 * land at the right edge of the primary-key index, so storing a message touches one index
 * page instead of a random one, which is most of what a commit writes.
 */
export function timeOrderedId(now = Date.now()): string {
  if (pool.off + 10 > pool.buf.length) {
    pool.buf = randomBytes(4096)
    pool.off = 0
  }
  const r = pool.buf.subarray(pool.off, pool.off + 10)
  pool.off += 10
  const hex = now.toString(16).padStart(12, '0')
  const b = Buffer.from([0x70 | (r[0]! & 0x0f), r[1]!, 0x80 | (r[2]! & 0x3f), ...r.subarray(3, 10)]).toString(
    'hex',
  )
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${b.slice(0, 4)}-${b.slice(4, 8)}-${b.slice(8, 20)}`
}
