/**
 * The gate in front of the engine: it keeps the event clock (the watermark), and refuses,
 * with a counted reason, events that are duplicated, too late or from a skewed clock.
 * Small reordering (within `reorderToleranceMs`) is accepted as normal network jitter.
 */
import type { RejectReason, WatchEvent } from './watch.schema.js'

export interface IntakeOptions {
  /** Events this much older than the newest accepted one are still taken. */
  reorderToleranceMs: number
  /** Events this much newer than the watermark are treated as a skewed clock. */
  maxFutureSkewMs: number
  /** This many future events in a row mean time really jumped (a gap in the feed), not skew. */
  jumpAfter: number
  /** How long an event id (or line fingerprint) is remembered for duplicate detection. */
  dedupWindowMs: number
}

export const DEFAULT_INTAKE_OPTIONS: IntakeOptions = {
  reorderToleranceMs: 2 * 60_000,
  maxFutureSkewMs: 5 * 60_000,
  jumpAfter: 25,
  dedupWindowMs: 10 * 60_000,
}

export class EventIntake {
  private readonly o: IntakeOptions
  /** Newest accepted event time; -Infinity before the first event. */
  watermark = Number.NEGATIVE_INFINITY
  private readonly seen = new Map<string, number>()
  private futureRun = 0
  private futureRunStart = 0

  constructor(options: Partial<IntakeOptions> = {}) {
    this.o = { ...DEFAULT_INTAKE_OPTIONS, ...options }
  }

  /** Returns null when the event may be used, else why not. `key` overrides `event.id` for duplicates. */
  check(e: WatchEvent, key?: string): RejectReason | null {
    const t = e.ts
    if (!Number.isFinite(t)) return 'clock_skew'
    const wm = this.watermark
    if (wm !== Number.NEGATIVE_INFINITY) {
      if (t > wm + this.o.maxFutureSkewMs) {
        // A single node with a fast clock must not drag the whole stream forward; a run of
        // agreeing future events means the feed itself jumped (e.g. a replay with a gap).
        if (this.futureRun === 0 || Math.abs(t - this.futureRunStart) > this.o.maxFutureSkewMs) {
          this.futureRun = 0
          this.futureRunStart = t
        }
        this.futureRun++
        if (this.futureRun < this.o.jumpAfter) return 'clock_skew'
      } else {
        this.futureRun = 0
        if (t < wm - this.o.reorderToleranceMs) return 'out_of_order'
      }
    }
    const id = key ?? e.id ?? undefined
    if (id !== undefined) {
      if (this.seen.has(id)) return 'duplicate'
      this.seen.set(id, t)
    }
    if (t > wm) {
      this.watermark = t
      this.futureRun = 0
      this.evict()
    }
    return null
  }

  private evict(): void {
    // Map iteration follows insertion order, which is close to time order: trim from the front.
    if (this.seen.size < 4096) return
    const cutoff = this.watermark - this.o.dedupWindowMs
    for (const [k, t] of this.seen) {
      if (t >= cutoff) break
      this.seen.delete(k)
    }
  }
}
