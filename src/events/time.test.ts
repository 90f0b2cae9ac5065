import { describe, expect, it } from 'vitest'
import { isoTime } from './time.js'

describe('isoTime', () => {
  it('formats exactly as Date#toISOString, within a second, across seconds and at the edges', () => {
    const times = [
      0,
      1,
      999,
      1000,
      1_700_000_000_000,
      1_700_000_000_007,
      1_700_000_000_007, // the same millisecond again: answered from the last one formatted
      1_700_000_000_070,
      1_700_000_000_999,
      1_700_000_001_000,
      951_782_399_999, // 2000-02-28T23:59:59.999Z, then a leap day
      951_782_400_000,
      253_402_300_799_999, // the last millisecond of year 9999
      253_402_300_800_000, // six-digit years from here
      -1,
      1.5,
    ]
    for (let i = 0; i < 2000; i++) times.push(Math.floor(Math.random() * 4_102_444_800_000))
    // Sorted and shuffled: the cached second is hit and missed in both orders.
    for (const order of [[...times].sort((a, b) => a - b), times]) {
      for (const ms of order) expect(isoTime(ms)).toBe(new Date(ms).toISOString())
    }
  })
})
