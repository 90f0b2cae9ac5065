/**
 * The detector core: a streaming scorer that turns one numeric series into an anomaly score in
 * [0,1] per point, using only points already seen (the score of point i is computed before
 * point i is learned). `bench/nab.ts` runs it bare over NAB; the watch engine applies the same
 * ideas to counts through `SeasonalBaseline` and Poisson tails.
 *
 * Five views of surprise, the largest one wins:
 * - range novelty: a value beyond everything seen so far (by a margin of the seen range) is 1;
 * - recent range novelty: a value beyond the range of the last few hundred points by more than
 *   that range again and a half. The all-time range forgets nothing, so after one old excursion
 *   (or a regime that has since calmed) a jump that dwarfs everything recent is still "in
 *   range"; measured against recent behaviour it is not;
 * - context novelty: the value's level (the seen range cut into a few levels) never followed
 *   the levels of the last few points; the share of known contexts so broken is the score;
 * - likelihood: the surprise of the value (against its hour-of-day slot when timestamps are
 *   given and the slot has history, else against all points) and of its step (x − previous x)
 *   in standard deviations of moving moments, squashed to [0,1), averaged over a few points, and
 *   tested against the running distribution of that average (an "anomaly likelihood": one
 *   Gaussian tail per stream, so scores of different streams can share one threshold).
 * - records: the averaged surprise, or the gap between a fast and a slow moving mean (in standard
 *   deviations of the slow one), beyond the largest value that statistic has reached in this
 *   stream. Range novelty asks the same of the value itself; a record is rare in any stream, calm
 *   or wild, so it needs no distribution and shares one threshold across streams as it is.
 * After an alarm-level output the scorer stays silent for a while: one incident, one alarm. Only
 * a new extreme of the value well into that while opens a new one.
 */

import { dayOfWeek, hourOfDay } from './baseline.js'

/** `dayOfWeek` counts from Thursday, the weekday of the epoch. */
const SATURDAY = 2
const SUNDAY = 3

export interface StreamScorerOptions {
  /** Points learned before range or context novelty give a score. */
  warmup: number
  /** A value beyond the seen range by this share of the range is novel. */
  rangeTolerance: number
  /** Points whose range recent range novelty measures against (0 turns that view off). */
  recentWindow: number
  /** A value beyond the recent range by this multiple of that range is novel to it. */
  recentRangeTolerance: number
  /** Output of recent range novelty: below 1, so a value new to the whole stream outranks it. */
  recentWeight: number
  /** Levels the seen range is cut into for context novelty. */
  contextLevels: number
  /** Longest context (previous points) whose continuation is checked. */
  contextLength: number
  /** Times a context must have been seen before a new continuation of it counts as novel. */
  contextEvidence: number
  /** Weight of a new point in the moments of the value and of the step. */
  slowAlpha: number
  /** Weight of a new point in the moments of its hour-of-day slot (weekdays and weekends apart). */
  seasonalAlpha: number
  /** Points a slot must have learned before the value is judged against it instead of overall. */
  seasonalWarmup: number
  /** Surprise (in standard deviations) that maps to a raw score of 1 − 1/e. */
  rawScale: number
  /** Raw scores averaged before the likelihood test, so sustained surprise outweighs one blip. */
  averageOver: number
  /** Memory, in points, of the distribution of averaged raw scores. */
  likelihoodMemory: number
  /** Floor on that distribution's standard deviation, so a calm stream is not over-sensitive. */
  likelihoodMinStd: number
  /** Points learned before the likelihood gives a score. */
  likelihoodWarmup: number
  /** Weight of the likelihood view: below 1, so a novel value or context outranks it. */
  likelihoodWeight: number
  /** An averaged surprise above its largest earlier value by this much is a record. */
  surpriseRecordMargin: number
  /** A mean gap above its largest earlier value by this share of it is a record. */
  shiftRecordMargin: number
  /** Weight of a new point in the fast moving mean of the mean gap. */
  shiftFastAlpha: number
  /** Weight of a new point in the slow moving mean and deviation of the mean gap. */
  shiftSlowAlpha: number
  /** Points learned before a statistic's largest value is tracked (young moments swing widely). */
  recordWarmup: number
  /** Output of a record: below 1, so a novel value outranks it. */
  recordWeight: number
  /** Points after an alarm-level output during which the output is 0. */
  refractory: number
  /** Points into that quiet period after which a novel value alarms again (a new incident). */
  refractoryBreak: number
  /** Output level treated as an alarm. */
  alarmLevel: number
}

export const DEFAULT_STREAM_SCORER_OPTIONS: StreamScorerOptions = {
  warmup: 10,
  rangeTolerance: 0.02,
  recentWindow: 500,
  recentRangeTolerance: 1.5,
  recentWeight: 0.9,
  contextLevels: 4,
  contextLength: 6,
  contextEvidence: 3,
  slowAlpha: 0.003,
  seasonalAlpha: 0.005,
  seasonalWarmup: 30,
  rawScale: 6,
  averageOver: 10,
  likelihoodMemory: 5000,
  likelihoodMinStd: 0.02,
  likelihoodWarmup: 50,
  likelihoodWeight: 0.95,
  surpriseRecordMargin: 0.02,
  shiftRecordMargin: 0.6,
  shiftFastAlpha: 0.2,
  shiftSlowAlpha: 0.01,
  recordWarmup: 20,
  recordWeight: 0.9,
  refractory: 120,
  refractoryBreak: 15,
  alarmLevel: 0.69,
}

/** Exponentially weighted mean and variance; a plain running mean while younger than 1/alpha. */
class Moments {
  mean = 0
  variance = 0
  n = 0

  update(x: number, alpha: number): void {
    const a = Math.max(alpha, 1 / (this.n + 1))
    const d = x - this.mean
    this.mean += a * d
    this.variance = (1 - a) * (this.variance + a * d * d)
    this.n++
  }

  /** |x − mean| in standard deviations, with a floor so a constant stream does not divide by 0. */
  z(x: number): number {
    const sd = Math.sqrt(this.variance) + 1e-9 + Math.abs(this.mean) * 1e-6
    return Math.abs(x - this.mean) / sd
  }
}

/** Which levels have followed each context of the last 1..length levels, and how often each context was seen. */
class ContextMemory {
  private readonly contexts = new Map<number, number>()
  private readonly continuations = new Set<number>()
  private readonly recent: number[] = []

  constructor(
    private readonly levels: number,
    private readonly length: number,
    private readonly evidence: number,
  ) {}

  /** Share of already-seen contexts that `level` has never followed; then learns them. */
  novelty(level: number): number {
    let known = 0
    let novel = 0
    // A leading 1 keeps contexts of different lengths apart; 6 levels of 4 stay far below 2^53.
    let key = 1
    for (let k = 1; k <= this.recent.length; k++) {
      key = key * this.levels + this.recent[this.recent.length - k]!
      const continuation = key * this.levels + level
      const seen = this.contexts.get(key) ?? 0
      if (seen >= this.evidence) {
        known++
        if (!this.continuations.has(continuation)) novel++
      }
      this.contexts.set(key, seen + 1)
      this.continuations.add(continuation)
    }
    this.recent.push(level)
    if (this.recent.length > this.length) this.recent.shift()
    return known > 0 ? novel / known : 0
  }
}

/**
 * The largest value a statistic has reached; `record(v)` tells whether `v` goes beyond it by
 * `absolute + relative·max`, then learns `v`. Before anything is learned nothing is a record.
 */
export class RunningRecord {
  private max = Number.POSITIVE_INFINITY

  constructor(
    private readonly absolute: number,
    private readonly relative: number,
  ) {}

  record(v: number): boolean {
    const beyond = v > this.max + this.absolute + this.relative * Math.abs(this.max)
    this.max = this.max === Number.POSITIVE_INFINITY ? v : Math.max(this.max, v)
    return beyond
  }
}

/**
 * Minimum and maximum of the last `window` values, exact, in O(1) amortised per value: two
 * monotonic queues (a value leaves the maximum's queue once a later one is at least as large,
 * since it can never again be the maximum). Each queue is a ring of `window` slots holding a
 * value and the number of the push that brought it.
 */
export class SlidingRange {
  private readonly maxes: MonotonicQueue
  private readonly mins: MonotonicQueue
  /** Values pushed so far. */
  private count = 0

  constructor(private readonly window: number) {
    this.maxes = new MonotonicQueue(window, 1)
    this.mins = new MonotonicQueue(window, -1)
  }

  /** Whether `window` values have been pushed, so min and max cover a full window. */
  get full(): boolean {
    return this.count >= this.window
  }

  get max(): number {
    return this.maxes.front
  }

  get min(): number {
    return this.mins.front
  }

  push(x: number): void {
    const k = this.count++
    this.maxes.push(x, k, k - this.window)
    this.mins.push(x, k, k - this.window)
  }
}

/** The queue behind one side of `SlidingRange`: `sign` 1 keeps maxima, −1 minima. */
class MonotonicQueue {
  private readonly values: Float64Array
  private readonly born: Float64Array
  private head = 0
  /** Live entries, from `head` on, wrapping around the ring. */
  private size = 0

  constructor(
    private readonly capacity: number,
    private readonly sign: 1 | -1,
  ) {
    this.values = new Float64Array(capacity)
    this.born = new Float64Array(capacity)
  }

  get front(): number {
    return this.values[this.head]!
  }

  /** Drops the front if it was pushed at `expired`, drops what `x` outranks, then appends `x`. */
  push(x: number, k: number, expired: number): void {
    const cap = this.capacity
    if (this.size > 0 && this.born[this.head] === expired) {
      this.head = this.head + 1 === cap ? 0 : this.head + 1
      this.size--
    }
    const sx = this.sign * x
    while (this.size > 0) {
      let last = this.head + this.size - 1
      if (last >= cap) last -= cap
      if (this.sign * this.values[last]! > sx) break
      this.size--
    }
    let slot = this.head + this.size
    if (slot >= cap) slot -= cap
    this.values[slot] = x
    this.born[slot] = k
    this.size++
  }
}

export class StreamScorer {
  private readonly o: StreamScorerOptions
  private readonly level = new Moments()
  private readonly step = new Moments()
  private readonly averaged = new Moments()
  private readonly fast = new Moments()
  private readonly slow = new Moments()
  private readonly surpriseRecord: RunningRecord
  private readonly shiftRecord: RunningRecord
  /** The averaged raw surprise of the last point, set by `likelihood`. */
  private surprise = 0
  private readonly slots = Array.from({ length: 48 }, () => new Moments())
  private readonly context: ContextMemory
  private readonly recent: SlidingRange | null
  private readonly recentRaw: number[] = []
  private recentRawSum = 0
  private lo = Number.POSITIVE_INFINITY
  private hi = Number.NEGATIVE_INFINITY
  private prev = 0
  private n = 0
  private quiet = 0

  constructor(options: Partial<StreamScorerOptions> = {}) {
    this.o = { ...DEFAULT_STREAM_SCORER_OPTIONS, ...options }
    this.context = new ContextMemory(this.o.contextLevels, this.o.contextLength, this.o.contextEvidence)
    this.surpriseRecord = new RunningRecord(this.o.surpriseRecordMargin, 0)
    this.shiftRecord = new RunningRecord(0, this.o.shiftRecordMargin)
    this.recent = this.o.recentWindow > 0 ? new SlidingRange(this.o.recentWindow) : null
  }

  /**
   * Scores `x` against what came before it, then learns from it. `at` (epoch ms) is optional:
   * with it, the value is judged against its hour of day, weekdays and weekends apart.
   */
  score(x: number, at?: number): number {
    if (!Number.isFinite(x)) return 0
    const o = this.o
    const young = this.n <= o.warmup
    const range = this.hi - this.lo
    const novelValue =
      !young && (x > this.hi + o.rangeTolerance * range || x < this.lo - o.rangeTolerance * range)
    this.lo = Math.min(this.lo, x)
    this.hi = Math.max(this.hi, x)
    const span = this.hi - this.lo
    const bin =
      span > 0 ? Math.min(o.contextLevels - 1, Math.floor(((x - this.lo) / span) * o.contextLevels)) : 0
    const novelContext = this.context.novelty(bin)
    let out = novelValue ? 1 : young ? 0 : novelContext
    out = Math.max(out, o.likelihoodWeight * this.likelihood(x, at))
    if (this.records(x)) out = Math.max(out, o.recordWeight)
    if (this.recentlyNovel(x)) out = Math.max(out, o.recentWeight)
    this.prev = x
    this.n++
    if (this.quiet > 0) {
      this.quiet--
      if (!novelValue || this.quiet >= o.refractory - o.refractoryBreak) return 0
    }
    if (out >= o.alarmLevel) this.quiet = o.refractory
    return out
  }

  /** Whether `x` lies beyond the range of the last `recentWindow` points by the tolerance; then learns it. */
  private recentlyNovel(x: number): boolean {
    const recent = this.recent
    if (!recent) return false
    let novel = false
    if (recent.full) {
      const margin = this.o.recentRangeTolerance * (recent.max - recent.min)
      novel = x > recent.max + margin || x < recent.min - margin
    }
    recent.push(x)
    return novel
  }

  /**
   * Whether the averaged surprise (set by `likelihood` for this point) or the gap between the
   * fast and slow moving means sets a record; then learns both.
   */
  private records(x: number): boolean {
    const o = this.o
    this.fast.update(x, o.shiftFastAlpha)
    // The slow moments have not seen x yet: the gap is the fast mean's surprise against them.
    const shift = this.slow.z(this.fast.mean)
    this.slow.update(x, o.shiftSlowAlpha)
    if (this.n <= o.recordWarmup) return false
    const surpriseRecord = this.surpriseRecord.record(this.surprise)
    const shiftRecord = this.shiftRecord.record(shift)
    return this.n >= o.likelihoodWarmup && (surpriseRecord || shiftRecord)
  }

  /**
   * Numenta's "anomaly likelihood" on a raw surprise in [0,1): the Gaussian upper tail of the
   * recent average raw score against its own running distribution, on a log scale that spreads
   * the last nines (tail 1e-10 → 1) so one corpus-wide threshold can tell them apart.
   */
  private likelihood(x: number, at: number | undefined): number {
    const o = this.o
    const slot = at !== undefined && Number.isFinite(at) && at >= 0 ? this.slots[seasonalSlot(at)]! : null
    // Once its slot knows the hour, a daily peak is judged against other peaks, not the day.
    const levelZ = slot && slot.n >= o.seasonalWarmup ? slot.z(x) : this.level.z(x)
    const z = this.n > 1 ? Math.min(50, Math.max(levelZ, this.step.z(x - this.prev))) : 0
    this.level.update(x, o.slowAlpha)
    slot?.update(x, o.seasonalAlpha)
    if (this.n > 0) this.step.update(x - this.prev, o.slowAlpha)
    const raw = 1 - Math.exp(-z / o.rawScale)
    this.recentRaw.push(raw)
    this.recentRawSum += raw
    if (this.recentRaw.length > o.averageOver) this.recentRawSum -= this.recentRaw.shift()!
    const average = this.recentRawSum / this.recentRaw.length
    this.surprise = average
    let tail = 0.5
    if (this.averaged.n >= o.likelihoodWarmup) {
      const sd = Math.max(Math.sqrt(this.averaged.variance), o.likelihoodMinStd)
      tail = gaussianUpperTail((average - this.averaged.mean) / sd)
    }
    this.averaged.update(average, 1 / o.likelihoodMemory)
    return Math.min(1, Math.max(0, Math.log(tail + 1e-10) / Math.log(1e-10)))
  }
}

/** Hour of day, plus 24 on Saturdays and Sundays (UTC). */
function seasonalSlot(at: number): number {
  const day = dayOfWeek(at)
  return hourOfDay(at) + (day === SATURDAY || day === SUNDAY ? 24 : 0)
}

/** Chebyshev coefficients of Numerical Recipes' `erfcc` (relative error < 1.2e-7 everywhere). */
const ERFC_COEFFICIENTS = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587,
  -0.82215223, 0.17087277,
]

/** P(Z > z) for a standard normal Z. */
export function gaussianUpperTail(z: number): number {
  const x = z / Math.SQRT2
  const a = Math.abs(x)
  const t = 1 / (1 + 0.5 * a)
  let poly = 0
  for (let i = ERFC_COEFFICIENTS.length - 1; i >= 0; i--) poly = ERFC_COEFFICIENTS[i]! + t * poly
  const erfc = t * Math.exp(-a * a + poly)
  return 0.5 * (x >= 0 ? erfc : 2 - erfc)
}
