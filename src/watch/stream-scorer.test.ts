import { describe, expect, it } from 'vitest'
import { seededRandom } from './scenario.js'
import { StreamScorer } from './stream-scorer.js'

function scores(values: number[]): number[] {
  const s = new StreamScorer()
  return values.map((v) => s.score(v))
}

describe('stream scorer', () => {
  it('gives row i the same score whatever comes after it (no look-ahead)', () => {
    const rnd = seededRandom(1)
    const base = Array.from({ length: 600 }, (_, i) => 50 + 10 * Math.sin(i / 20) + rnd())
    const changedFuture = base.map((v, i) => (i >= 400 ? v * 5 : v))
    expect(scores(base).slice(0, 400)).toEqual(scores(changedFuture).slice(0, 400))
  })

  it('scores a spike far above noise, within [0,1], and only once per incident', () => {
    const rnd = seededRandom(2)
    const values = Array.from({ length: 1000 }, () => 100 + rnd() * 4)
    values[700] = 400
    values[701] = 380
    const out = scores(values)
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true)
    expect(out[700]).toBeGreaterThan(0.8)
    expect(Math.max(...out.slice(150, 700))).toBeLessThan(0.5)
    expect(out.slice(701, 900).filter((v) => v >= 0.5)).toHaveLength(0)
  })
})
