/**
 * The watch engine: one pass over a time-ordered stream of watch events, per tenant and signal,
 * deciding with the past only. Counts go into one-minute buckets; when a minute closes, short
 * and long windows are tested against the seasonal baseline; behaviour detectors run per event.
 * A trigger opens an alert only when no alert of the same group is live (no alert storms).
 */

import { poissonLogTail, SeasonalBaseline } from './baseline.js'
import {
  AccountFailures,
  ActorHistory,
  type BehaviourOptions,
  checkActor,
  DEFAULT_BEHAVIOUR_OPTIONS,
  peerDailyP90,
  TokenHistory,
} from './behaviour.js'
import {
  authFeatures,
  type Cause,
  type Diagnosis,
  diagnoseAuth,
  diagnoseDataAccess,
  diagnoseToken,
  diagnoseTraffic,
  diagnoseWidget,
  type Evidence,
  RECOMMENDATIONS,
  trafficFeatures,
} from './diagnosis.js'
import { EventIntake, type IntakeOptions } from './intake.js'
import { REJECT_REASONS, type RejectReason, type WatchEvent } from './watch.schema.js'

const MINUTE = 60_000
/** Message events kept for diagnosis per tenant and minute (a sample; all are counted). */
const MESSAGES_BUFFERED_PER_MINUTE = 600

/** The per-tenant count signals with a seasonal baseline. */
export const SIGNALS = [
  'conversations',
  'messages',
  'visitor_ips',
  'sign_in_failures',
  'sign_in_successes',
  'mfa_failures',
  'transcript_reads',
  'transcript_exports',
  'value_reveals',
  'api_requests',
  'widget_unknown_origin',
] as const
export type Signal = (typeof SIGNALS)[number]
const NSIG = SIGNALS.length
const S = Object.fromEntries(SIGNALS.map((s, i) => [s, i])) as Record<Signal, number>
const GROUP_OF: string[] = [
  'traffic',
  'traffic',
  'traffic',
  'auth',
  'auth',
  'auth',
  'data',
  'data',
  'data',
  'api',
  'widget',
]
/** Smallest window count worth an alert, per signal (tiny counts are never an incident). */
const MIN_COUNT = [12, 40, 12, 15, 30, 10, 60, 10, 30, 200, 15]
/** Floor of the expected rate per minute, per signal: a quiet night is not "zero expected". */
const FLOOR_PER_MIN = [0.05, 0.2, 0.05, 0.05, 0.05, 0.02, 0.1, 0.01, 0.05, 0.5, 0.02]
/**
 * Events of some signals arrive in clusters (a conversation brings several messages, a retry
 * several failures), so counts vary more than Poisson. Counts are divided by the cluster size
 * before the tail test; messages use the learned messages-per-conversation instead.
 */
const DISPERSION = [1.3, 0, 1.3, 1.5, 1.5, 1.5, 2, 2, 2, 2, 2]

export type Severity = 'low' | 'medium' | 'high' | 'critical'

/** An alert as the engine opens it. Times are ISO-8601 strings taken from event `ts`. */
export interface WatchAlert {
  id: string
  tenant: string
  group: string
  signal: string
  /** The actor, token or account the alert is about, when it is about one. */
  subject?: string
  onset: string
  detectedAt: string
  severity: Severity
  diagnosis: Diagnosis
  recommendation: string
  observed: number
  expected: number
  windowMinutes: number
  /** Set when an acknowledgement (campaign, test) covered this alert: it was folded, not raised. */
  foldedInto?: string
}

/** A window during which alerts like an acknowledged one are folded into it. */
export interface Suppression {
  alertId: string
  tenant: string
  group: string
  cause?: Cause
  until: number
}

export interface WatchEngineOptions {
  intake: Partial<IntakeOptions>
  behaviour: Partial<BehaviourOptions>
  /** Window lengths (minutes) tested at each closed minute. */
  windows: number[]
  /** Observed must exceed expected by this factor… */
  minRatio: number
  /** …and be this improbable under the baseline (log of a Poisson tail). */
  maxLogP: number
  /** A tenant's first minutes only teach the baseline. */
  warmupMinutes: number
  /** An alert stays live (folding new triggers) until its group is quiet this long. */
  quietMinutes: number
  /** At most this many alerts per tenant per hour; more are counted as storm-suppressed. */
  maxAlertsPerTenantHour: number
  /** Recent events kept per tenant for diagnosis. */
  bufferSize: number
}

export const DEFAULT_ENGINE_OPTIONS: WatchEngineOptions = {
  intake: {},
  behaviour: {},
  windows: [2, 5, 15, 60],
  minRatio: 3,
  maxLogP: Math.log(1e-7),
  warmupMinutes: 6 * 60,
  quietMinutes: 60,
  maxAlertsPerTenantHour: 6,
  bufferSize: 20_000,
}

export interface WatchStats {
  events: number
  alerts: number
  folded: number
  stormSuppressed: number
  rejected: Record<RejectReason, number>
}

const RING = 128
const NONE: WatchAlert[] = []

interface Episode {
  alert: WatchAlert
  lastHit: number
}

class TenantState {
  readonly name: string
  readonly firstMinute: number
  /** Minute buckets: counts[minute % RING][signal]. */
  readonly counts = new Float64Array(RING * NSIG)
  readonly bucketMinute = new Float64Array(RING).fill(-1)
  readonly baselines: SeasonalBaseline[] = SIGNALS.map(() => new SeasonalBaseline())
  /** Next minute to evaluate and next hour to learn. */
  evalMinute: number
  learnHour: number
  lastEventMinute: number
  ipMinute = -1
  readonly ips = new Set<string>()
  readonly buffer: WatchEvent[] = []
  bufferHead = 0
  messageMinute = -1
  messagesBuffered = 0
  readonly actors = new Map<string, ActorHistory>()
  readonly tokens = new Map<string, TokenHistory>()
  readonly accounts = new AccountFailures()
  readonly episodes = new Map<string, Episode>()
  readonly opened: number[] = []

  constructor(name: string, minute: number) {
    this.name = name
    this.firstMinute = minute
    this.evalMinute = minute
    this.learnHour = Math.floor(minute / 60)
    this.lastEventMinute = minute
  }

  bucket(minute: number): number {
    const slot = minute % RING
    if (this.bucketMinute[slot] !== minute) {
      this.bucketMinute[slot] = minute
      this.counts.fill(0, slot * NSIG, slot * NSIG + NSIG)
    }
    return slot * NSIG
  }

  count(minute: number, signal: number): number {
    const slot = minute % RING
    return this.bucketMinute[slot] === minute ? this.counts[slot * NSIG + signal]! : 0
  }
}

export class WatchEngine {
  private readonly o: WatchEngineOptions
  private readonly b: BehaviourOptions
  private readonly intake: EventIntake
  private readonly tenants = new Map<string, TenantState>()
  private readonly suppressions: Suppression[] = []
  private readonly stats_: WatchStats = {
    events: 0,
    alerts: 0,
    folded: 0,
    stormSuppressed: 0,
    rejected: Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>,
  }

  constructor(options: Partial<WatchEngineOptions> = {}) {
    this.o = { ...DEFAULT_ENGINE_OPTIONS, ...options }
    this.b = { ...DEFAULT_BEHAVIOUR_OPTIONS, ...this.o.behaviour }
    this.intake = new EventIntake(this.o.intake)
  }

  /** Counts a line that never became an event (the parser's verdict). */
  reject(reason: RejectReason): void {
    this.stats_.rejected[reason]++
  }

  /** Totals so far: accepted events, alerts raised, folds and every rejection by reason. */
  stats(): WatchStats {
    return { ...this.stats_, rejected: { ...this.stats_.rejected } }
  }

  /** Folds alerts of `group` (and `cause`, when given) for `tenant` into `alertId` until `until`. */
  addSuppression(s: Suppression): void {
    this.suppressions.push(s)
  }

  /**
   * Takes one event. Returns the alerts it opened (usually none). `key` identifies the event for
   * duplicate detection when it has no `id` (the replay uses the raw line).
   */
  ingest(e: WatchEvent, key?: string): WatchAlert[] {
    const verdict = this.intake.check(e, key)
    if (verdict !== null) {
      this.stats_.rejected[verdict]++
      return NONE
    }
    this.stats_.events++
    const minute = Math.floor(e.ts / MINUTE)
    let t = this.tenants.get(e.tenant)
    if (!t) {
      t = new TenantState(e.tenant, minute)
      this.tenants.set(e.tenant, t)
    }
    let out = this.catchUp(t, Math.floor(this.intake.watermark / MINUTE))
    // A late event whose minute already left the ring is still counted as accepted, not bucketed.
    if (minute <= Math.floor(this.intake.watermark / MINUTE) - RING + 2) return out
    const base = t.bucket(minute)
    if (minute > t.lastEventMinute) t.lastEventMinute = minute
    const c = t.counts
    switch (e.type) {
      case 'conversation.started':
        c[base + S.conversations]!++
        if (t.ipMinute !== minute) {
          t.ipMinute = minute
          t.ips.clear()
        }
        if (!t.ips.has(e.ip)) {
          t.ips.add(e.ip)
          c[base + S.visitor_ips]!++
        }
        this.buffer(t, e)
        break
      case 'message.sent':
        c[base + S.messages]!++
        // Diagnosis reads message shapes from a sample: every message of a busy tenant kept
        // in the buffer would crowd out everything else and churn the heap at the message rate.
        if (t.messageMinute !== minute) {
          t.messageMinute = minute
          t.messagesBuffered = 0
        }
        if (t.messagesBuffered < MESSAGES_BUFFERED_PER_MINUTE) {
          t.messagesBuffered++
          this.buffer(t, e)
        }
        break
      case 'auth.login':
      case 'auth.mfa':
        if (e.outcome === 'success') {
          if (e.type === 'auth.login') c[base + S.sign_in_successes]!++
        } else {
          c[base + (e.type === 'auth.mfa' ? S.mfa_failures : S.sign_in_failures)]!++
          const [n, first] = t.accounts.record(e.ts, e.username, this.b)
          if (n >= this.b.accountFailures) {
            this.buffer(t, e)
            return this.concat(out, this.authTrigger(t, e.ts, n, first))
          }
        }
        this.buffer(t, e)
        break
      case 'transcript.read':
      case 'transcript.export':
      case 'value.reveal': {
        const kind = e.type === 'transcript.read' ? 0 : e.type === 'transcript.export' ? 1 : 2
        c[base + (kind === 0 ? S.transcript_reads : kind === 1 ? S.transcript_exports : S.value_reveals)]!++
        let a = t.actors.get(e.actor)
        if (!a) {
          a = new ActorHistory(e.ts)
          t.actors.set(e.actor, a)
        }
        a.record(e.ts, kind, e.conversationId)
        const f = checkActor(a, () => peerDailyP90(t.actors.values(), a), e.ts, kind, this.b)
        if (f) {
          const signal = f.firstExport ? 'transcript_exports.first' : SIGNALS[S.transcript_reads + kind]!
          const d = diagnoseDataAccess({ ...f, actor: e.actor })
          const typical = Math.max(f.ownDailyMean ?? 0, f.peerDailyP90 ?? 0)
          out = this.concat(
            out,
            this.open(
              t,
              e.ts,
              f.since,
              'data',
              signal,
              e.actor,
              d,
              f.reads + f.exports + f.reveals,
              typical,
              60,
            ),
          )
        }
        break
      }
      case 'api.request': {
        c[base + S.api_requests]!++
        let k = t.tokens.get(e.token)
        if (!k) {
          k = new TokenHistory(e.ts)
          t.tokens.set(e.token, k)
        }
        const f = k.record(e.ts, e.ip, e.route, this.b)
        if (f) {
          const d = diagnoseToken({ ...f, token: e.token })
          out = this.concat(
            out,
            this.open(
              t,
              e.ts,
              f.since,
              'api',
              'api_requests',
              e.token,
              d,
              f.requests,
              f.expectedRequests,
              60,
            ),
          )
        }
        break
      }
      case 'widget.load':
        if (!e.allowed) {
          c[base + S.widget_unknown_origin]!++
          this.buffer(t, e)
        }
        break
    }
    return out
  }

  /** Moves the clock to `at` without an event (live mode ticks), closing minutes of every tenant. */
  advanceTo(at: number): WatchAlert[] {
    if (at > this.intake.watermark) this.intake.watermark = at
    let out = NONE
    const minute = Math.floor(this.intake.watermark / MINUTE)
    for (const t of this.tenants.values()) out = this.concat(out, this.catchUp(t, minute))
    return out
  }

  /** Closes every open minute (end of a replay). */
  flush(): WatchAlert[] {
    return this.advanceTo(this.intake.watermark + MINUTE)
  }

  private concat(a: WatchAlert[], b: WatchAlert[]): WatchAlert[] {
    if (b.length === 0) return a
    if (a.length === 0) return b
    return a.concat(b)
  }

  private buffer(t: TenantState, e: WatchEvent): void {
    if (t.buffer.length < this.o.bufferSize) t.buffer.push(e)
    else {
      t.buffer[t.bufferHead] = e
      t.bufferHead = (t.bufferHead + 1) % this.o.bufferSize
    }
  }

  private recentEvents(t: TenantState, from: number, to: number): WatchEvent[] {
    const out: WatchEvent[] = []
    const n = t.buffer.length
    for (let k = 0; k < n; k++) {
      const e = t.buffer[(t.bufferHead + k) % n]!
      if (e.ts >= from && e.ts < to) out.push(e)
    }
    return out
  }

  /** Evaluates every minute of `t` that closed before `nowMinute`, and learns every closed hour. */
  private catchUp(t: TenantState, nowMinute: number): WatchAlert[] {
    let out = NONE
    const tolMin = Math.ceil((this.o.intake.reorderToleranceMs ?? 2 * MINUTE) / MINUTE)
    while (t.evalMinute < nowMinute) {
      const m = t.evalMinute
      // A tenant silent for over an hour has nothing in any window: skip straight to learning.
      if (m - t.lastEventMinute <= 60 && m - t.firstMinute >= this.o.warmupMinutes) {
        out = this.concat(out, this.evaluate(t, m))
      }
      t.evalMinute++
    }
    // Hours are learned once late events can no longer land in them.
    while ((t.learnHour + 1) * 60 + tolMin <= nowMinute) {
      const h = t.learnHour
      for (let s = 0; s < NSIG; s++) {
        let sum = 0
        for (let m = h * 60; m < h * 60 + 60; m++) sum += t.count(m, s)
        // Hours older than the ring (a long silence) were empty.
        t.baselines[s]!.learnHour(h * 60 * MINUTE, sum)
      }
      t.learnHour++
    }
    return out
  }

  private evaluate(t: TenantState, m: number): WatchAlert[] {
    let out = NONE
    const ws = this.o.windows
    const maxW = ws[ws.length - 1]!
    const ageHours = (m - t.firstMinute) / 60
    // Sparse history: widen the expectation while the baseline is young.
    const young = 1 + 2 / (1 + ageHours / 24)
    const convHour = t.baselines[S.conversations]!.expectedHour(m * MINUTE)
    for (let s = 0; s < NSIG; s++) {
      if (t.count(m, s) === 0) continue
      const perMin = t.baselines[s]!.expectedHour(m * MINUTE) / 60
      const cluster =
        DISPERSION[s]! > 0
          ? DISPERSION[s]!
          : Math.min(Math.max((2 * perMin * 60) / Math.max(convHour, 1e-9), 2), 40)
      const rate = Math.max(perMin, FLOOR_PER_MIN[s]!) * young
      let x = 0
      let wi = 0
      for (let k = 0; k < maxW && wi < ws.length; k++) {
        x += t.count(m - k, s)
        if (k + 1 !== ws[wi]) continue
        wi++
        const w = k + 1
        const mu = rate * w
        if (x < MIN_COUNT[s]! || x < this.o.minRatio * mu) continue
        if (poissonLogTail(Math.floor(x / cluster), mu / cluster) > this.o.maxLogP) continue
        out = this.concat(out, this.volumeTrigger(t, s, m, w, x, perMin * w))
        break
      }
    }
    return out
  }

  private onset(t: TenantState, s: number, m: number, perMin: number): number {
    let best = 0
    let sum = 0
    let at = m
    for (let k = 0; k < 60; k++) {
      sum += t.count(m - k, s) - 2 * Math.max(perMin, FLOOR_PER_MIN[s]!)
      if (sum > best) {
        best = sum
        at = m - k
      }
    }
    return at * MINUTE
  }

  private volumeTrigger(
    t: TenantState,
    s: number,
    m: number,
    w: number,
    x: number,
    mu: number,
  ): WatchAlert[] {
    const at = (m + 1) * MINUTE
    const group = GROUP_OF[s]!
    const key = `${group}|`
    const live = t.episodes.get(key)
    if (live && at - live.lastHit <= this.o.quietMinutes * MINUTE) {
      live.lastHit = at
      return NONE
    }
    const onset = this.onset(t, s, m, mu / w)
    const ratio = x / Math.max(mu, FLOOR_PER_MIN[s]! * w)
    let d: Diagnosis
    // Judge at least ten minutes of events: a one-minute sample says little about its sources.
    const from = Math.min(onset, at - 10 * MINUTE)
    if (group === 'traffic') {
      const before = this.recentEvents(t, from - 60 * MINUTE, from)
      let convs = 0
      const span = Math.max(Math.round((at - onset) / MINUTE), 1)
      for (let k = m - span + 1; k <= m; k++) convs += t.count(k, S.conversations)
      const convExpected = (t.baselines[S.conversations]!.expectedHour(m * MINUTE) / 60) * span
      const convRatio = convs / Math.max(convExpected, FLOOR_PER_MIN[S.conversations]! * span)
      d = diagnoseTraffic(
        trafficFeatures(this.recentEvents(t, from, at)),
        trafficFeatures(before),
        ratio,
        convRatio,
      )
    } else if (group === 'auth') {
      d = diagnoseAuth(authFeatures(this.recentEvents(t, from, at)), mu)
    } else if (group === 'widget') {
      d = diagnoseWidget(this.recentEvents(t, from, at), mu)
    } else {
      d = this.diagnoseSpread(t, group, onset, at, ratio)
    }
    return this.open(t, at, onset, group, SIGNALS[s]!, undefined, d, x, mu, w)
  }

  /** Tenant-wide data or API volume: blame one actor/token only if it dominates. */
  private diagnoseSpread(t: TenantState, group: string, from: number, at: number, ratio: number): Diagnosis {
    const evidence: Evidence[] = [
      { metric: 'volume_ratio', value: Math.round(ratio * 100) / 100, baseline: 1 },
    ]
    let top = 0
    let total = 0
    if (group === 'data') {
      for (const a of t.actors.values()) {
        const [r, e, v] = a.recent(at, at - from)
        total += r + e + v
        if (r + e + v > top) top = r + e + v
      }
    }
    evidence.push({
      metric: 'top_actor_share',
      value: total === 0 ? 0 : Math.round((top / total) * 1000) / 1000,
    })
    if (total > 0 && top / total >= 0.6) return { cause: 'data_exfiltration', confidence: 0.5, evidence }
    return { cause: 'unknown', confidence: 0.5, evidence }
  }

  private authTrigger(t: TenantState, at: number, n: number, from: number): WatchAlert[] {
    const key = 'auth|'
    const live = t.episodes.get(key)
    if (live && at - live.lastHit <= this.o.quietMinutes * MINUTE) {
      live.lastHit = at
      return NONE
    }
    const d = diagnoseAuth(authFeatures(this.recentEvents(t, from, at + 1)), 0)
    return this.open(
      t,
      at,
      from,
      'auth',
      'sign_in_failures.account',
      undefined,
      d,
      n,
      0,
      Math.ceil((at - from) / MINUTE),
    )
  }

  private open(
    t: TenantState,
    at: number,
    onset: number,
    group: string,
    signal: string,
    subject: string | undefined,
    diagnosis: Diagnosis,
    observed: number,
    expected: number,
    windowMinutes: number,
  ): WatchAlert[] {
    const key = `${group}|${subject ?? ''}`
    const quiet = this.o.quietMinutes * MINUTE
    const live = t.episodes.get(key)
    if (live && at - live.lastHit <= quiet) {
      live.lastHit = at
      return NONE
    }
    if (subject === undefined) {
      // A tenant-wide count rising because one actor or token misbehaves is the same incident.
      for (const [k, ep] of t.episodes) {
        if (k.startsWith(`${group}|`) && at - ep.lastHit <= quiet) {
          ep.lastHit = at
          return NONE
        }
      }
    }
    const tenant = t.name
    const alert: WatchAlert = {
      id: `${tenant}:${group}:${subject ?? '-'}:${at}`,
      tenant,
      group,
      signal,
      ...(subject !== undefined ? { subject } : {}),
      onset: new Date(Math.min(onset, at)).toISOString(),
      detectedAt: new Date(at).toISOString(),
      severity: severityOf(diagnosis.cause, observed / Math.max(expected, 1e-9)),
      diagnosis,
      recommendation: RECOMMENDATIONS[diagnosis.cause],
      observed,
      expected: Math.round(expected * 100) / 100,
      windowMinutes,
    }
    t.episodes.set(key, { alert, lastHit: at })
    const sup = this.suppressions.find(
      (s) =>
        s.tenant === tenant &&
        s.group === group &&
        s.until > at &&
        (s.cause === undefined || s.cause === diagnosis.cause),
    )
    if (sup) {
      this.stats_.folded++
      return [{ ...alert, foldedInto: sup.alertId }]
    }
    while (t.opened.length > 0 && t.opened[0]! <= at - 60 * MINUTE) t.opened.shift()
    if (t.opened.length >= this.o.maxAlertsPerTenantHour) {
      this.stats_.stormSuppressed++
      return NONE
    }
    t.opened.push(at)
    this.stats_.alerts++
    return [alert]
  }
}

/** Severity from the cause and how far the signal is above its baseline. */
export function severityOf(cause: Cause, ratio: number): Severity {
  if (cause === 'organic_surge') return ratio >= 20 ? 'medium' : 'low'
  if (cause === 'data_exfiltration' || cause === 'credential_stuffing')
    return ratio >= 10 ? 'critical' : 'high'
  if (cause === 'token_abuse') return 'high'
  if (ratio >= 20) return 'high'
  if (ratio >= 5 || cause === 'bot_flood' || cause === 'brute_force') return 'medium'
  return 'low'
}
