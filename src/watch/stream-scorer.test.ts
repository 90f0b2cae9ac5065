import { describe, expect, it } from 'vitest'
import { seededRandom } from './scenario.js'
import {
  DEFAULT_STREAM_SCORER_OPTIONS,
  gaussianUpperTail,
  RunningRecord,
  SlidingRange,
  StreamScorer,
} from './stream-scorer.js'

const ALARM = DEFAULT_STREAM_SCORER_OPTIONS.alarmLevel

function scores(values: readonly number[], at?: (i: number) => number): number[] {
  const s = new StreamScorer()
  return values.map((v, i) => s.score(v, at?.(i)))
}

function noisy(n: number, seed: number, level = 100, spread = 4): number[] {
  const rnd = seededRandom(seed)
  return Array.from({ length: n }, () => level + rnd() * spread)
}

describe('stream scorer', () => {
  it('gives every row of a prefix the same score whatever rows follow (no look-ahead)', () => {
    const rnd = seededRandom(1)
    const prefix = Array.from({ length: 700 }, (_, i) => 50 + 10 * Math.sin(i / 20) + rnd() * 3)
    const at = (i: number): number => Date.UTC(2026, 0, 1) + i * 300_000
    const alone = scores(prefix, at)
    for (const seed of [2, 3, 4]) {
      const more = noisy(300, seed, seed * 40, seed * 20)
      expect(scores([...prefix, ...more], at).slice(0, prefix.length)).toEqual(alone)
    }
  })

  it('is deterministic: two scorers fed the same rows agree exactly', () => {
    const values = noisy(2000, 5).map((v, i) => (i % 333 === 0 ? v * 3 : v))
    expect(scores(values)).toEqual(scores(values))
  })

  it('scores a spike far above noise, within [0,1], and only once per incident', () => {
    const values = noisy(1000, 2)
    values[700] = 400
    values[701] = 380
    const out = scores(values)
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true)
    expect(out[700]).toBe(1)
    expect(Math.max(...out.slice(150, 700))).toBeLessThan(ALARM)
    expect(out.slice(701, 760).every((v) => v === 0)).toBe(true)
  })

  it('flags a level shift inside the seen range once it is sustained', () => {
    const rnd = seededRandom(6)
    // Early excursions set a wide range; the later shift to 160 stays inside it.
    const values = Array.from({ length: 3000 }, (_, i) =>
      i % 400 === 37 ? 200 : i >= 2500 ? 160 + rnd() * 4 : 100 + rnd() * 4,
    )
    const out = scores(values)
    const first = out.findIndex((v, i) => i >= 2500 && v >= ALARM)
    expect(first).toBeGreaterThanOrEqual(2500)
    expect(first).toBeLessThan(2520)
  })

  it('flags a missing beat in a learned rhythm although every value is in range', () => {
    const rnd = seededRandom(9)
    const beat = [0, 0, 10, 10]
    const values = Array.from({ length: 1200 }, (_, i) => beat[i % 4]! + rnd() * 0.5)
    values[1002] = 0.2 // the pulse due at 1002 does not come
    const out = scores(values)
    expect(Math.max(...out.slice(200, 1002))).toBeLessThan(ALARM)
    expect(out[1002]).toBeGreaterThanOrEqual(ALARM)
  })

  it('with timestamps, flags a daytime level at night although the value is in range', () => {
    const rnd = seededRandom(10)
    const start = Date.UTC(2026, 0, 5) // a Monday
    const at = (i: number): number => start + i * 3_600_000
    const daily = (i: number): number => (new Date(at(i)).getUTCHours() >= 8 ? 100 : 10) + rnd() * 4
    const values = Array.from({ length: 24 * 70 }, (_, i) => daily(i))
    const night = 24 * 63 + 3 // 03:00 on a weekday, nine weeks in
    for (let i = night; i < night + 3; i++) values[i] = 100 + rnd() * 4
    const timed = scores(values, at)
    expect(Math.max(...timed.slice(24 * 21, night))).toBeLessThan(ALARM)
    expect(Math.max(...timed.slice(night, night + 3))).toBeGreaterThanOrEqual(ALARM)
    // Without timestamps the same night looks like any morning.
    expect(Math.max(...scores(values).slice(night, night + 3))).toBeLessThan(ALARM)
  })

  it('flags a small step inside the seen range within a few rows of its onset, not before', () => {
    const rnd = seededRandom(11)
    // Excursions to 0 and 200 set a wide range early; the step of 4 is 3.5 noise deviations,
    // too little for the likelihood: the fast mean's gap to the slow one sets a record.
    const values = Array.from({ length: 3000 }, (_, i) =>
      i === 20 ? 0 : i === 30 ? 200 : i >= 2200 ? 104 + rnd() * 4 : 100 + rnd() * 4,
    )
    const out = scores(values)
    expect(Math.max(...out.slice(300, 2200))).toBeLessThan(ALARM)
    const first = out.findIndex((v, i) => i >= 2200 && v >= ALARM)
    expect(first).toBeGreaterThanOrEqual(2200)
    expect(first).toBeLessThan(2210)
  })

  it('alarms again for a new extreme well into the quiet period, not just after the alarm', () => {
    const values = noisy(1000, 12)
    values[600] = 300
    values[605] = 400 // five rows in: the same incident
    values[640] = 500 // forty rows in: a new one
    const out = scores(values)
    expect(out[600]).toBe(1)
    expect(out[605]).toBe(0)
    expect(out[640]).toBe(1)
    expect(Math.max(...out.slice(641, 700))).toBe(0)
  })

  it('starts its quiet period at any output at or above the alarm level, not only far above it', () => {
    const { refractory, refractoryBreak } = DEFAULT_STREAM_SCORER_OPTIONS
    const alarmLevel = 0.3
    const rnd = seededRandom(13)
    // Noise with bursts of every size: outputs land just above this alarm level as well as at 1.
    const values = Array.from({ length: 6000 }, (_, i) => 100 + rnd() * 4 + (i % 700 < 8 ? (i / 700) * 3 : 0))
    const s = new StreamScorer({ alarmLevel })
    const out = values.map((v) => s.score(v))
    const alarms = out.flatMap((v, i) => (v >= alarmLevel ? [i] : []))
    expect(alarms.filter((i) => out[i]! < 0.9).length).toBeGreaterThan(2)
    for (const i of alarms) {
      // Only a new extreme may speak before the quiet period ends, and not in its first rows.
      expect(Math.max(...out.slice(i + 1, i + 1 + refractoryBreak))).toBe(0)
      const next = alarms.find((j) => j > i) ?? Number.POSITIVE_INFINITY
      if (next < i + refractory) expect(out[next]).toBe(1)
    }
  })

  it('flags a jump far beyond recent behaviour that old bursts keep ordinary to the other views', () => {
    const rnd = seededRandom(14)
    // Bursts to 300–400 every 300 rows for the first half, then 100 ± 2 for good.
    const values = Array.from({ length: 3000 }, (_, i) =>
      i < 1500 && i % 300 < 5 ? 300 + rnd() * 100 : 100 + rnd() * 4,
    )
    values[2500] = 130 // 28 above a recent range of about 4: far beyond 1.5 ranges
    values[2700] = 108 // 4 above the recent maximum: within 1.5 ranges of it
    const out = scores(values)
    expect(out[2500]).toBe(DEFAULT_STREAM_SCORER_OPTIONS.recentWeight)
    expect(out[2700]).toBeLessThan(ALARM)
    expect(Math.max(...out.slice(1600, 2500))).toBeLessThan(ALARM)
    // Without the view the jump is in the seen range and no larger a surprise than the bursts.
    const off = new StreamScorer({ recentWindow: 0 })
    expect(values.map((v) => off.score(v))[2500]).toBeLessThan(ALARM)
  })

  it('keeps a flat series near 0 throughout', () => {
    // The likelihood of an unsurprising average is its Gaussian median: 0.5 → log score 0.03.
    expect(Math.max(...scores(Array.from({ length: 2000 }, () => 42)))).toBeLessThan(0.05)
  })

  it('keeps a learned periodic series below the alarm level', () => {
    const rnd = seededRandom(7)
    const values = Array.from({ length: 4000 }, (_, i) => 50 + 30 * Math.sin((2 * Math.PI * i) / 288) + rnd())
    const out = scores(values)
    // A few periods to learn the range and the level-to-level contexts, noise flicker included.
    expect(Math.max(...out.slice(2000))).toBeLessThan(ALARM)
  })

  it('ignores non-finite values without learning from them', () => {
    const values = noisy(800, 8)
    const withGaps = values.flatMap((v, i) => (i % 100 === 50 ? [Number.NaN, v] : [v]))
    const s = new StreamScorer()
    const out = withGaps.map((v) => s.score(v))
    expect(out.filter((_, i) => Number.isNaN(withGaps[i]!))).toEqual(
      out.filter((_, i) => Number.isNaN(withGaps[i]!)).map(() => 0),
    )
    expect(out.filter((_, i) => !Number.isNaN(withGaps[i]!))).toEqual(scores(values))
    // A broken timestamp only costs the hour-of-day view.
    expect(scores(values, () => Number.NaN)).toEqual(scores(values))
    expect(scores(values, () => Number.POSITIVE_INFINITY)).toEqual(scores(values))
  })
})

describe('sliding range', () => {
  it('matches the minimum and maximum of the last window values, ties and runs included', () => {
    const rnd = seededRandom(15)
    for (const window of [1, 2, 7, 50]) {
      const r = new SlidingRange(window)
      const seen: number[] = []
      for (let i = 0; i < 1000; i++) {
        // Rounded values repeat, and a slow drift makes long rising and falling runs.
        const x = Math.round(rnd() * 6 + Math.sin(i / 40) * 10) + 0 // + 0: no -0 from round
        r.push(x)
        seen.push(x)
        const last = seen.slice(-window)
        expect(r.full).toBe(seen.length >= window)
        expect([r.min, r.max]).toEqual([Math.min(...last), Math.max(...last)])
      }
    }
  })
})

describe('running record', () => {
  it('is never a record before it has learned a value, then needs the margin', () => {
    const r = new RunningRecord(0.1, 0.5)
    expect(r.record(5)).toBe(false)
    // The bar is max + 0.1 + 0.5·max: 7.6 over a maximum of 5.
    expect(r.record(7.5)).toBe(false)
    // 7.5 raised the maximum: the bar is now 11.35.
    expect(r.record(11.3)).toBe(false)
    expect(r.record(17.1)).toBe(true)
    expect(r.record(3)).toBe(false)
  })

  it('measures the relative margin from the size of a negative maximum', () => {
    const r = new RunningRecord(0, 0.5)
    r.record(-4)
    expect(r.record(-2.1)).toBe(false)
    expect(r.record(-1)).toBe(true)
  })
})

describe('gaussian upper tail', () => {
  it('matches tabulated normal tails to 1e-7 relative', () => {
    for (const [z, p] of [
      [0, 0.5],
      [1.959963985, 0.025],
      [-1.959963985, 0.975],
      [5, 2.866515719e-7],
    ] as const) {
      expect(Math.abs(gaussianUpperTail(z) - p) / p).toBeLessThan(2e-7)
    }
  })
})
