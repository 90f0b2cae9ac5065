import { describe, expect, it } from 'vitest'
import { formatUuidV7, newUuidV7 } from './index.js'

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('UUIDv7', () => {
  it('carries the time in its first 48 bits and the RFC 9562 version and variant', () => {
    const id = newUuidV7(1_700_000_000_123)
    expect(id).toMatch(V7)
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(1_700_000_000_123)
  })

  it('formats the given random bytes, from an offset', () => {
    const bytes = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(formatUuidV7(0, bytes, 3)).toBe('00000000-0000-7f01-8203-040506070809')
  })

  it('sorts by time across milliseconds and does not repeat', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => newUuidV7(1_700_000_000_000 + Math.floor(i / 3)))
    for (let i = 3; i < ids.length; i += 3) expect(ids[i]! > ids[i - 1]!).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
