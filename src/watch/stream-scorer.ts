/**
 * The detector core: a streaming scorer that turns one numeric series into an anomaly score in
 * [0,1] per point, using only points already seen. The watch engine runs one per tenant signal
 * (through `SeasonalBaseline` for counts); `bench/nab.ts` runs it bare over NAB.
 *
 * Three raw views of "surprise" are combined, then calibrated against the scorer's own recent
 * history (a likelihood, as HTM does) so one global threshold fits quiet and noisy series alike:
 * - level: robust z of the point against an exponentially weighted median/MAD tracker;
 * - shift: a short mean against a long mean, scaled by the long spread (catches slow drifts);
 * - range: how far the point lies outside everything seen so far (new extremes).
 * After a high score the output is damped for a while: one incident should raise one alarm.
 */

export interface StreamScorerOptions {
  /** Points used to learn before any score above 0 is given. */
  warmup: number
  /** Weight of a new point in the slow trackers (level, spread). */
  slowAlpha: number
  /** Weight of a new point in the fast mean (shift view). */
  fastAlpha: number
  /** Raw scores kept to calibrate the likelihood. */
  calibrationWindow: number
  /** Raw scores averaged for the short view of the likelihood. */
  shortWindow: number
  /** Points after an alarm-level score during which the output is damped. */
  refractory: number
  /** Output level treated as an alarm for damping. */
  alarmLevel: number
}

export const DEFAULT_STREAM_SCORER_OPTIONS: StreamScorerOptions = {
  warmup: 150,
  slowAlpha: 0.01,
  fastAlpha: 0.2,
  calibrationWindow: 2000,
  shortWindow: 5,
  refractory: 200,
  alarmLevel: 0.5,
}

/** Q-function tail of the standard normal: P(Z > z), via erfc (Abramowitz–Stegun 7.1.26 is too coarse). */
export function normalTail(z: number): number {
  if (z < 0) return 1 - normalTail(-z)
  const x = z / Math.SQRT2
  // Chebyshev fit of erfc (Numerical Recipes erfcc), relative error < 1.2e-7 everywhere.
  const t = 1 / (1 + 0.5 * x)
  const y =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886187 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  return y / 2
}

export class StreamScorer {
  private readonly o: StreamScorerOptions
  private n = 0
  private center = 0
  private spread = 0
  private fast = 0
  private slow = 0
  private lo = Number.POSITIVE_INFINITY
  private hi = Number.NEGATIVE_INFINITY
  private readonly raw: Float64Array
  private rawSum = 0
  private rawSumSq = 0
  private rawCount = 0
  private rawHead = 0
  private readonly shortRing: Float64Array
  private shortSum = 0
  private quiet = 0

  constructor(options: Partial<StreamScorerOptions> = {}) {
    this.o = { ...DEFAULT_STREAM_SCORER_OPTIONS, ...options }
    this.raw = new Float64Array(this.o.calibrationWindow)
    this.shortRing = new Float64Array(this.o.shortWindow)
  }

  /** Scores `x` against what came before it, then learns from it. */
  score(x: number): number {
    const o = this.o
    const n = this.n
    let rawScore = 0
    if (n > 0) {
      const s = Math.max(this.spread, 1e-9 + Math.abs(this.center) * 1e-6)
      const level = Math.abs(x - this.center) / s
      const shift = Math.abs(this.fast - this.slow) / s
      const range = this.hi > this.lo ? Math.max(0, x - this.hi, this.lo - x) / (this.hi - this.lo) : 0
      rawScore = Math.max(squash(level, 4), squash(shift, 2), Math.min(1, range * 4))
    }
    this.learn(x)
    let out = 0
    if (n >= o.warmup) out = this.calibrate(rawScore)
    else this.pushRaw(rawScore)
    if (this.quiet > 0) {
      this.quiet--
      out *= 0.5
    } else if (out >= o.alarmLevel) {
      this.quiet = o.refractory
    }
    return out
  }

  private learn(x: number): void {
    const o = this.o
    if (this.n === 0) {
      this.center = x
      this.fast = x
      this.slow = x
      this.spread = 0
    } else {
      // Sign-step median tracker: robust to spikes, moves by a fraction of the spread.
      const step = Math.max(this.spread, 1e-9) * o.slowAlpha * 2
      this.center += x > this.center ? step : x < this.center ? -step : 0
      const dev = Math.abs(x - this.center)
      this.spread += o.slowAlpha * (Math.min(dev, this.spread * 6 || dev) - this.spread)
      if (this.n < 30) this.center += (x - this.center) / (this.n + 1)
      this.fast += o.fastAlpha * (x - this.fast)
      this.slow += o.slowAlpha * (x - this.slow)
    }
    if (x < this.lo) this.lo = x
    if (x > this.hi) this.hi = x
    this.n++
  }

  private pushRaw(r: number): void {
    const w = this.o.calibrationWindow
    if (this.rawCount === w) {
      const old = this.raw[this.rawHead]!
      this.rawSum -= old
      this.rawSumSq -= old * old
    } else {
      this.rawCount++
    }
    this.raw[this.rawHead] = r
    this.rawHead = (this.rawHead + 1) % w
    this.rawSum += r
    this.rawSumSq += r * r
  }

  private calibrate(r: number): number {
    const sw = this.o.shortWindow
    const slot = this.n % sw
    this.shortSum += r - this.shortRing[slot]!
    this.shortRing[slot] = r
    const mean = this.rawSum / this.rawCount
    const std = Math.sqrt(Math.max(this.rawSumSq / this.rawCount - mean * mean, 1e-8))
    const shortMean = this.shortSum / sw
    const likelihood = 1 - normalTail((shortMean - mean) / std)
    this.pushRaw(r)
    // HTM's log scaling: spreads the 0.99… region over [0,1].
    const scaled = Math.log(1.0000000001 - likelihood) / Math.log(1.0000000001 - 0.9999999999)
    return Math.min(1, Math.max(scaled, 0))
  }
}

function squash(v: number, half: number): number {
  return v / (v + half)
}
