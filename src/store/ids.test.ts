import { describe, expect, it } from 'vitest'
import { timeOrderedId } from './ids.js'

describe('timeOrderedId', () => {
  it('is a version-7 UUID with the RFC 9562 variant', () => {
    const id = timeOrderedId()
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('sorts by creation time and never repeats', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => timeOrderedId(1_700_000_000_000 + i))
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    expect(timeOrderedId(1_700_000_000_000).slice(0, 13)).toBe('018bcfe5-6800')
  })
})
