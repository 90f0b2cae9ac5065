import { describe, expect, it } from 'vitest'
import { luhnValid } from './checksums.js'
import { compileCustomPattern } from './custom-pattern.js'
import { compilePolicy, DEFAULT_POLICY } from './policy.js'
import { scanText } from './scan.js'

// mulberry32: a small seeded PRNG so every run sees the same cases.
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const policy = compilePolicy({ version: 1, default: 'remove' })
const PREFIXES: readonly [string, number][] = [
  ['4', 16],
  ['4', 19],
  ['51', 16],
  ['2720', 16],
  ['37', 15],
  ['6011', 16],
  ['3530', 16],
  ['36', 14],
  ['62', 17],
  ['6759', 12],
]
const NOISE = [...'abcdefghijklmnopqrstuvwxyz ABCXYZ,;:!?()"\'*_/\\é漢字😀абв—\n\t']
const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad']

describe('fuzz: cards in random noise', () => {
  it('redacts every valid card embedded in noise, whatever its disguise (2,000 seeded cases)', () => {
    const rand = prng(42)
    const int = (n: number) => Math.floor(rand() * n)
    for (let round = 0; round < 2000; round++) {
      const [prefix, len] = PREFIXES[int(PREFIXES.length)]!
      let body = prefix
      while (body.length < len - 1) body += String(int(10))
      let pan = ''
      for (let d = 0; d <= 9 && !pan; d++) if (luhnValid(body + d)) pan = body + d
      const sep = ['', ' ', '-', '.', ' - '][int(5)]!
      let shown = ''
      for (let k = 0; k < pan.length; k++) {
        if (k > 0 && k % 4 === 0) shown += sep
        let digit = pan[k]!
        if (rand() < 0.2) digit = String.fromCharCode(0xff10 + Number(digit)) // full-width
        shown += digit
        if (rand() < 0.15 && k < pan.length - 1) shown += ZERO_WIDTH[int(ZERO_WIDTH.length)]
      }
      const noise = (n: number) => Array.from({ length: n }, () => NOISE[int(NOISE.length)]).join('')
      const before = `${noise(int(40))} `
      const text = `${before}${shown} ${noise(int(40))}`
      const r = scanText(text, policy)
      const start = before.length
      const end = start + shown.length
      const hit = r.findings.find((f) => f.type === 'card_number' && f.start <= start && f.end >= end)
      expect(hit, `round ${round}: ${JSON.stringify(text)}`).toBeDefined()
      expect(r.text).not.toContain(shown)
    }
  })

  it('reports sorted, non-overlapping findings that never split a surrogate pair', () => {
    const rand = prng(7)
    const pieces = [
      '4111 1111 1111 1111',
      'a@b.co',
      '😀',
      '𝟒𝟏𝟏𝟏',
      'pin 1234',
      'ssn 234-56-7890',
      '\u200b',
      ' ',
      'x',
    ]
    for (let round = 0; round < 1000; round++) {
      const text = Array.from({ length: 12 }, () => pieces[Math.floor(rand() * pieces.length)]).join('')
      const { findings } = scanText(text, policy)
      let last = 0
      for (const f of findings) {
        expect(f.start).toBeGreaterThanOrEqual(last)
        expect(f.end).toBeGreaterThan(f.start)
        expect(f.end).toBeLessThanOrEqual(text.length)
        for (const at of [f.start, f.end]) {
          const c = text.charCodeAt(at)
          expect(c >= 0xdc00 && c <= 0xdfff, `offset ${at} splits a surrogate pair`).toBe(false)
        }
        last = f.end
      }
    }
  })
})

// Linear time: scanning 4x more hostile input must take about 4x longer, not 16x. The two sizes
// are timed in turn, five times, and each keeps its best run: a busy machine's pauses (GC,
// another process) then fall on both alike and stay out of the ratio.
function timeOf(fn: () => void): number {
  const t = performance.now()
  fn()
  return performance.now() - t
}

function linearRatio(small: () => void, large: () => void): number {
  let bestSmall = Number.POSITIVE_INFINITY
  let bestLarge = Number.POSITIVE_INFINITY
  for (let k = 0; k < 5; k++) {
    bestSmall = Math.min(bestSmall, timeOf(small))
    bestLarge = Math.min(bestLarge, timeOf(large))
  }
  return bestLarge / Math.max(bestSmall, 1)
}

describe('fuzz: hostile input stays linear', () => {
  const strict = compilePolicy(DEFAULT_POLICY)
  const custom = compilePolicy({
    version: 1,
    customPatterns: [{ name: 'acct', pattern: '\\d{1,60}x\\d{1,60}', test: '1x2' }],
  })
  it.each([
    ['a huge digit run', '1'],
    ['single digits and spaces', '1 '],
    ['card-like groups', '4111 '],
    ['zero-width between digits', '4\u200b'],
    ['full-width digits', '４'],
    ['at signs and letters', 'a@'],
    ['JWT-like fragments', 'eyJa.'],
    ['context words', 'password: pin code is '],
    ['unterminated key headers', '-----BEGIN PRIVATE KEY-----'],
    ['IBAN-like letters and digits', 'DE89 '],
    ['phone punctuation', '(1) '],
  ])('scans %s in linear time', (_what, unit) => {
    const small = unit.repeat(Math.ceil(40_000 / unit.length))
    const large = unit.repeat(Math.ceil(160_000 / unit.length))
    scanText(small, strict)
    scanText(large, strict)
    const ratio = linearRatio(
      () => scanText(small, strict),
      () => scanText(large, strict),
    )
    expect(ratio).toBeLessThan(10)
    expect(timeOf(() => scanText(large, strict))).toBeLessThan(2_000)
  })
  it('runs an accepted custom pattern in linear time on its worst input', () => {
    expect(compileCustomPattern({ name: 'acct', pattern: '\\d{1,60}x\\d{1,60}', test: '1x2' })).toBeDefined()
    const small = '1'.repeat(40_000)
    const large = '1'.repeat(160_000)
    const ratio = linearRatio(
      () => scanText(small, custom),
      () => scanText(large, custom),
    )
    expect(ratio).toBeLessThan(10)
  })
})
