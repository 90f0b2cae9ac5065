import { randomBytes } from 'node:crypto'
import { formatUuidV7 } from '../ids/index.js'

const pool = { buf: Buffer.alloc(0), off: 0 }

/**
 * A message id: a UUIDv7, time-ordered, so storing a message appends to the primary-key
 * index instead of touching a random page. Random bytes come from a pooled buffer: one
 * `randomBytes` call per 400 ids on the hot path.
 */
export function timeOrderedId(now = Date.now()): string {
  if (pool.off + 10 > pool.buf.length) {
    pool.buf = randomBytes(4096)
    pool.off = 0
  }
  const id = formatUuidV7(now, pool.buf, pool.off)
  pool.off += 10
  return id
}
