import { describe, expect, it } from 'vitest'
import { SNIPPET_LENGTH, snippetAround } from './snippet.js'

const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ')

describe('snippetAround', () => {
  it('returns a short text whole, with whitespace collapsed', () => {
    expect(snippetAround('Hello\n  there', ['there'])).toBe('Hello there')
  })

  it('centres a long text on the first hit and marks both cuts', () => {
    const text = `${filler(40)} the refund was approved ${filler(40)}`
    const s = snippetAround(text, ['refund'])
    expect(s).toContain('refund was approved')
    expect(s.startsWith('…')).toBe(true)
    expect(s.endsWith('…')).toBe(true)
    expect(s.length).toBeLessThanOrEqual(SNIPPET_LENGTH + 2)
    expect(s.length).toBeGreaterThan(SNIPPET_LENGTH - 40)
  })

  it('matches the hit after normalisation (accents and case)', () => {
    const text = `${filler(40)} Crème brûlée ${filler(40)}`
    expect(snippetAround(text, ['creme'])).toContain('Crème brûlée')
  })

  it('shows the end of the text when the hit is the last word, without a trailing mark', () => {
    const text = `${filler(60)} finally`
    const s = snippetAround(text, ['finally'])
    expect(s.endsWith('finally')).toBe(true)
    expect(s.startsWith('…')).toBe(true)
  })

  it('starts at the beginning when nothing matches', () => {
    const text = filler(60)
    const s = snippetAround(text, ['absent'])
    expect(s.startsWith('word0 ')).toBe(true)
    expect(s.endsWith('…')).toBe(true)
  })

  it('never cuts a surrogate pair', () => {
    const text = `${'😀'.repeat(100)} hit ${'😀'.repeat(100)}`
    const s = snippetAround(text, ['hit'])
    expect(s).toContain('hit')
    expect(s).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
  })
})
