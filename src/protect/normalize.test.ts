import { describe, expect, it } from 'vitest'
import { normalize, toInputRange } from './normalize.js'

describe('normalize', () => {
  it('returns plain ASCII unchanged without an offset map', () => {
    const n = normalize('card 4111 1111')
    expect(n.text).toBe('card 4111 1111')
    expect(n.starts).toBeNull()
  })
  it('drops zero-width characters and maps folded ranges back over them', () => {
    const input = '4\u200b1\u200d1\ufeff1'
    const n = normalize(input)
    expect(n.text).toBe('4111')
    expect(toInputRange(n, 0, 4)).toEqual([0, input.length])
    expect(toInputRange(n, 1, 2)).toEqual([2, 3])
  })
  it('folds full-width, Arabic-Indic, Devanagari and mathematical digits to ASCII', () => {
    const input = '４١१𝟗'
    const n = normalize(input)
    expect(n.text).toBe('4119')
    // The mathematical digit is a surrogate pair: one folded unit, two input units.
    expect(toInputRange(n, 3, 4)).toEqual([3, 5])
  })
  it('folds Cyrillic look-alikes, full-width letters, odd spaces and dashes', () => {
    expect(normalize('pаsswоrd').text).toBe('password')
    expect(normalize('ＰＩＮ').text).toBe('PIN')
    expect(normalize('4111\u00a01111\u20131111').text).toBe('4111 1111-1111')
  })
})
