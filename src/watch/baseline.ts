/**
 * Robust per-signal baselines: what count to expect in a given hour, learned from hourly
 * totals with hour-of-day and day-of-week seasonality (multiplicative), adapting to slow
 * growth, falling back gracefully when history is sparse, and clipping what it learns so an
 * attack cannot teach the baseline that attacks are normal.
 */

const HOUR = 3_600_000
const DAY = 24 * HOUR

export interface BaselineOptions {
  /** Weight of a new day in each hour-of-day level (about a 4-day memory). */
  hourAlpha: number
  /** Weight of a new week in each day-of-week factor. */
  dayAlpha: number
  /** Weight of a new hour in the flat level used while hour-of-day history is thin. */
  flatAlpha: number
  /** Learned counts are clipped to this multiple of the expectation (plus Poisson slack). */
  clipRatio: number
}

export const DEFAULT_BASELINE_OPTIONS: BaselineOptions = {
  hourAlpha: 0.2,
  dayAlpha: 0.3,
  flatAlpha: 1 / 48,
  clipRatio: 3,
}

/** Hour-of-day × day-of-week model of one count signal. Times are UTC epoch ms. */
export class SeasonalBaseline {
  private readonly o: BaselineOptions
  private readonly hod = new Float64Array(24)
  private readonly hodN = new Uint32Array(24)
  private readonly dow = new Float64Array(7).fill(1)
  private readonly dowN = new Uint32Array(7)
  private flat = 0
  /** Hours learned so far. */
  hours = 0
  private dayIndex = -1
  private dayActual = 0
  private dayPredicted = 0
  private lastDayOfWeek = 0

  constructor(options: Partial<BaselineOptions> = {}) {
    this.o = { ...DEFAULT_BASELINE_OPTIONS, ...options }
  }

  /** Expected count for the hour that contains `at`. */
  expectedHour(at: number): number {
    const h = hourOfDay(at)
    const d = dayOfWeek(at)
    return this.hourLevel(h) * (this.dowN[d]! > 0 ? this.dow[d]! : 1)
  }

  private hourLevel(h: number): number {
    const n = this.hodN[h]!
    // Shrink a thin hour-of-day estimate towards the flat level; after a week it stands alone.
    const k = n >= 8 ? 0 : 2 * (1 - n / 8)
    return n + k === 0 ? this.flat : (n * this.hod[h]! + k * this.flat) / (n + k)
  }

  /** Learns the closed hour starting at `hourStart` with `count` events. */
  learnHour(hourStart: number, count: number): void {
    const expected = this.expectedHour(hourStart)
    let x = count
    if (this.hours >= 24) {
      const cap = expected * this.o.clipRatio + 3 * Math.sqrt(expected) + 3
      if (x > cap) x = cap
    }
    const h = hourOfDay(hourStart)
    const d = dayOfWeek(hourStart)
    const day = Math.floor(hourStart / DAY)
    if (day !== this.dayIndex) {
      this.closeDay()
      this.dayIndex = day
    }
    this.dayActual += x
    this.dayPredicted += this.hourLevel(h)
    const factor = this.dowN[d]! > 0 ? Math.max(this.dow[d]!, 0.05) : 1
    const deseasoned = x / factor
    if (this.hodN[h] === 0) this.hod[h] = this.hours === 0 ? deseasoned : (deseasoned + this.flat) / 2
    else this.hod[h]! += this.o.hourAlpha * (deseasoned - this.hod[h]!)
    this.hodN[h]!++
    this.flat =
      this.hours === 0
        ? deseasoned
        : this.flat + Math.max(this.o.flatAlpha, 1 / (this.hours + 1)) * (deseasoned - this.flat)
    this.hours++
    this.lastDayOfWeek = d
  }

  private closeDay(): void {
    // Only full-ish days teach the day-of-week factor; a partial first day would skew it.
    if (this.dayIndex >= 0 && this.dayPredicted > 0 && this.hours >= 24) {
      const ratio = Math.min(this.dayActual / this.dayPredicted, 10)
      const d = this.lastDayOfWeek
      this.dow[d] = this.dowN[d] === 0 ? ratio : this.dow[d]! + this.o.dayAlpha * (ratio - this.dow[d]!)
      this.dowN[d]!++
    }
    this.dayActual = 0
    this.dayPredicted = 0
  }
}

export function hourOfDay(at: number): number {
  return Math.floor(at / HOUR) % 24
}

/** 0 = Thursday (the epoch's weekday); only used as a slot index. */
export function dayOfWeek(at: number): number {
  return Math.floor(at / DAY) % 7
}

const LOG_FACTORIAL_CACHE: number[] = [0]

function logFactorial(n: number): number {
  if (n < 256) {
    for (let i = LOG_FACTORIAL_CACHE.length; i <= n; i++)
      LOG_FACTORIAL_CACHE[i] = LOG_FACTORIAL_CACHE[i - 1]! + Math.log(i)
    return LOG_FACTORIAL_CACHE[n]!
  }
  // Stirling with two correction terms: exact to ~1e-10 beyond 256.
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n * n * n)
}

/** log P(X >= x) for X ~ Poisson(mu), accurate in the far upper tail where alerts live. */
export function poissonLogTail(x: number, mu: number): number {
  if (x <= 0) return 0
  if (mu <= 0) return Number.NEGATIVE_INFINITY
  if (x <= mu) return Math.log(0.5) // not in the upper tail; the caller only needs "not surprising"
  const logPmf = x * Math.log(mu) - mu - logFactorial(x)
  // Sum the following terms as a ratio series: term_{k+1}/term_k = mu/(x+k+1) < 1.
  let sum = 1
  let term = 1
  for (let k = 1; k < 1000; k++) {
    term *= mu / (x + k)
    sum += term
    if (term < 1e-12 * sum) break
  }
  return logPmf + Math.log(sum)
}
