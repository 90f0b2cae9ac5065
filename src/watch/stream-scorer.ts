/**
 * The detector core: a streaming scorer that turns one numeric series into an anomaly score in
 * [0,1] per point, using only points already seen (the score of point i is computed before
 * point i is learned). `bench/nab.ts` runs it bare over NAB; the watch engine applies the same
 * ideas to counts through `SeasonalBaseline` and Poisson tails.
 *
 * Three robust views of surprise, in units of a robust spread, the largest one wins:
 * - level: distance of the point from a sign-step median tracker;
 * - change: distance of the step (x − previous x) from its own median tracker;
 * - shift: a fast mean against the slow median (a level shift or drift).
 * After an alarm-level score the output is damped for a while: one incident, one alarm.
 */

export interface StreamScorerOptions {
  /** Points used to learn before any score above 0 is given. */
  warmup: number
  /** Weight of a new point in the slow trackers (median, spread). */
  slowAlpha: number
  /** Weight of a new point in the fast mean (shift view). */
  fastAlpha: number
  /** Weight of the change view against the level view. */
  changeWeight: number
  /** Weight of the shift view against the level view. */
  shiftWeight: number
  /** Surprise (in spreads) that maps to a score of 0.5. */
  halfScore: number
  /** Points after an alarm-level score during which the output is damped. */
  refractory: number
  /** Output level treated as an alarm for damping. */
  alarmLevel: number
  /** Factor applied to the output while damped. */
  damping: number
}

export const DEFAULT_STREAM_SCORER_OPTIONS: StreamScorerOptions = {
  warmup: 150,
  slowAlpha: 0.005,
  fastAlpha: 0.2,
  changeWeight: 0.7,
  shiftWeight: 1.5,
  halfScore: 10,
  refractory: 200,
  alarmLevel: 0.5,
  damping: 0.5,
}

/** A robust location/scale tracker: sign-step median and clipped mean absolute deviation. */
class RobustTracker {
  center = 0
  spread = 0
  n = 0

  update(x: number, alpha: number): void {
    if (this.n < 30) {
      this.center += (x - this.center) / (this.n + 1)
    } else {
      const step = Math.max(this.spread, 1e-9) * alpha * 2
      this.center += x > this.center ? step : x < this.center ? -step : 0
    }
    const dev = Math.abs(x - this.center)
    // A plain running mean while young, so early scores are not judged against a tiny spread;
    // later, clipping keeps one spike from inflating the spread it is judged against.
    const a = Math.max(alpha, 1 / (this.n + 1))
    const clipped = this.n < 30 ? dev : Math.min(dev, this.spread * 6 || dev)
    this.spread += a * (clipped - this.spread)
    this.n++
  }
}

export class StreamScorer {
  private readonly o: StreamScorerOptions
  private readonly level = new RobustTracker()
  private readonly change = new RobustTracker()
  private fast = 0
  private prev = 0
  private n = 0
  private quiet = 0

  constructor(options: Partial<StreamScorerOptions> = {}) {
    this.o = { ...DEFAULT_STREAM_SCORER_OPTIONS, ...options }
  }

  /** Scores `x` against what came before it, then learns from it. */
  score(x: number): number {
    const o = this.o
    const n = this.n
    let surprise = 0
    if (n > 0) {
      const floor = 1e-9 + Math.abs(this.level.center) * 1e-4
      const s = Math.max(this.level.spread, floor)
      const ds = Math.max(this.change.spread, floor)
      const levelZ = Math.abs(x - this.level.center) / s
      const changeZ = Math.abs(x - this.prev - this.change.center) / ds
      const shiftZ = Math.abs(this.fast - this.level.center) / s
      surprise = Math.max(levelZ, o.changeWeight * changeZ, o.shiftWeight * shiftZ)
    }
    this.level.update(x, o.slowAlpha)
    if (n > 0) this.change.update(x - this.prev, o.slowAlpha)
    this.fast = n === 0 ? x : this.fast + o.fastAlpha * (x - this.fast)
    this.prev = x
    this.n++
    let out = n >= o.warmup && Number.isFinite(surprise) ? surprise / (surprise + o.halfScore) : 0
    if (this.quiet > 0) {
      this.quiet--
      out *= o.damping
    } else if (out >= o.alarmLevel) {
      this.quiet = o.refractory
    }
    return out
  }
}
