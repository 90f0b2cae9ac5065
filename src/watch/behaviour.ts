/**
 * "New behaviour" detectors: per actor (transcript reads, exports, masked-value reveals against
 * the actor's own history and their peers'), per API token (new IPs, new routes) and per
 * account (failed sign-ins on one username). Each returns a trigger, never an alert: the engine
 * de-duplicates and diagnoses.
 */
import type { DataAccessFeatures, TokenFeatures } from './diagnosis.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export interface BehaviourOptions {
  /** An actor's reads in one hour must reach at least this before anything is said. */
  minReadsPerHour: number
  /** …and this multiple of their own daily mean… */
  ownFactor: number
  /** …and this multiple of the 90th percentile of their peers' daily means. */
  peerFactor: number
  /** History an actor needs before their first export counts as new behaviour. */
  firstExportAfterMs: number
  /** A token learns its IPs and routes for this long before novelty counts. */
  tokenLearnMs: number
  /** Failed sign-ins on one account within 15 minutes that look like brute force. */
  accountFailures: number
}

export const DEFAULT_BEHAVIOUR_OPTIONS: BehaviourOptions = {
  minReadsPerHour: 40,
  ownFactor: 4,
  peerFactor: 3,
  firstExportAfterMs: 3 * DAY,
  tokenLearnMs: DAY,
  accountFailures: 12,
}

const RING = 512

/** What an actor normally does with transcripts, and what they did lately. */
export class ActorHistory {
  readonly firstSeen: number
  private day: number
  today = 0
  /** Exponentially weighted mean of daily reads (zero days included). */
  dailyMean = 0
  days = 0
  everExported = false
  private readonly hourHist = new Float64Array(24)
  private readonly ts = new Float64Array(RING)
  private readonly kind = new Uint8Array(RING)
  private readonly conv: string[] = new Array(RING)
  private head = 0
  private size = 0

  constructor(at: number) {
    this.firstSeen = at
    this.day = Math.floor(at / DAY)
  }

  record(at: number, kind: 0 | 1 | 2, conversationId: string): void {
    const day = Math.floor(at / DAY)
    if (day > this.day) {
      const gap = Math.min(day - this.day, 60)
      for (let i = 0; i < gap; i++) {
        const x = i === 0 ? this.today : 0
        this.dailyMean = this.days === 0 ? x : this.dailyMean + 0.15 * (x - this.dailyMean)
        this.days++
      }
      this.day = day
      this.today = 0
    }
    if (kind === 0) this.today++
    this.hourHist[Math.floor(at / HOUR) % 24]!++
    this.ts[this.head] = at
    this.kind[this.head] = kind
    this.conv[this.head] = conversationId
    this.head = (this.head + 1) % RING
    if (this.size < RING) this.size++
  }

  /** Counts in the last `ms` ending at `at`: [reads, exports, reveals]. */
  recent(at: number, ms: number): [number, number, number] {
    const out: [number, number, number] = [0, 0, 0]
    for (let k = 1; k <= this.size; k++) {
      const i = (this.head - k + RING) % RING
      if (this.ts[i]! < at - ms) break
      const k2 = this.kind[i] as 0 | 1 | 2
      out[k2]++
    }
    return out
  }

  /** Time of the oldest access within the last `ms`. */
  since(at: number, ms: number): number {
    let first = at
    for (let k = 1; k <= this.size; k++) {
      const i = (this.head - k + RING) % RING
      if (this.ts[i]! < at - ms) break
      first = this.ts[i]!
    }
    return first
  }

  /** Share of recent accesses in hours this actor rarely works, and of sequential conversation ids. */
  shape(at: number, ms: number): { offHours: number; sequential: number } {
    let total = 0
    let off = 0
    let seq = 0
    let prev: number | null = null
    const mass = this.hourHist.reduce((a, b) => a + b, 0)
    for (let k = this.size; k >= 1; k--) {
      const i = (this.head - k + RING) % RING
      const t = this.ts[i]!
      if (t < at - ms) continue
      total++
      const h = Math.floor(t / HOUR) % 24
      // Off hours: an hour that held under 2% of this actor's history, or night time without history.
      if (mass < 200 ? h < 6 || h >= 22 : this.hourHist[h]! / mass < 0.02) off++
      const n = trailingNumber(this.conv[i]!)
      if (prev !== null && n !== null && Math.abs(n - prev) === 1) seq++
      prev = n
    }
    return { offHours: total === 0 ? 0 : off / total, sequential: total < 2 ? 0 : seq / (total - 1) }
  }
}

function trailingNumber(id: string): number | null {
  const m = /(\d{1,15})$/.exec(id)
  return m ? Number(m[1]) : null
}

/** 90th percentile of the daily means of actors with some history, or null without peers. */
export function peerDailyP90(actors: Iterable<ActorHistory>, except: ActorHistory): number | null {
  const means: number[] = []
  for (const a of actors) if (a !== except && a.days >= 2) means.push(a.dailyMean)
  if (means.length < 2) return null
  means.sort((a, b) => a - b)
  return means[Math.min(means.length - 1, Math.floor(means.length * 0.9))]!
}

/** Decides whether an actor's latest access is far beyond what they and their peers do. */
export function checkActor(
  a: ActorHistory,
  peers: () => number | null,
  at: number,
  kind: 0 | 1 | 2,
  o: BehaviourOptions,
): DataAccessFeatures | null {
  const firstExport = kind === 1 && !a.everExported && at - a.firstSeen >= o.firstExportAfterMs
  if (kind === 1) a.everExported = true
  const [reads, exports, reveals] = a.recent(at, HOUR)
  const volume = reads + reveals + 5 * exports
  if (!firstExport && volume < o.minReadsPerHour) return null
  const own = a.days >= 3 ? a.dailyMean : null
  const peer = volume >= o.minReadsPerHour ? peers() : null
  const threshold = Math.max(
    o.minReadsPerHour,
    o.ownFactor * Math.max(own ?? 0, 2),
    o.peerFactor * (peer ?? 0),
  )
  if (!firstExport && volume < threshold) return null
  const { offHours, sequential } = a.shape(at, HOUR)
  return {
    actor: '',
    since: firstExport && volume < o.minReadsPerHour ? at : a.since(at, HOUR),
    reads,
    exports,
    reveals,
    windowMinutes: 60,
    ownDailyMean: own,
    peerDailyP90: peer,
    offHoursShare: offHours,
    sequentialShare: sequential,
    firstExport,
  }
}

/** The IPs and routes a token is normally used from, and what was new lately. */
export class TokenHistory {
  readonly firstSeen: number
  private readonly ips = new Map<string, number>()
  private readonly routes = new Map<string, number>()
  private readonly novel: { at: number; ip: boolean }[] = []
  private readonly minute = new Float64Array(60)
  private minuteIndex = 0
  requests = 0
  private total = 0

  constructor(at: number) {
    this.firstSeen = at
  }

  record(at: number, ip: string, route: string, o: BehaviourOptions): TokenFeatures | null {
    const learning = at - this.firstSeen < o.tokenLearnMs
    const m = Math.floor(at / MINUTE)
    if (m !== this.minuteIndex) {
      for (let k = this.minuteIndex + 1; k <= m && k <= this.minuteIndex + 60; k++) this.minute[k % 60] = 0
      this.minuteIndex = m
    }
    this.minute[m % 60]!++
    this.total++
    let fresh = false
    if (!this.ips.has(ip)) {
      this.ips.set(ip, at)
      if (!learning) {
        this.novel.push({ at, ip: true })
        fresh = true
      }
    }
    if (!this.routes.has(route)) {
      this.routes.set(route, at)
      if (!learning) {
        this.novel.push({ at, ip: false })
        fresh = true
      }
    }
    if (!fresh) return null
    while (this.novel.length > 0 && this.novel[0]!.at < at - HOUR) this.novel.shift()
    let newIps = 0
    let newRoutes = 0
    for (const n of this.novel) n.ip ? newIps++ : newRoutes++
    // One new IP is a redeploy; several, or a new IP using a new route, is someone else.
    if (newIps < 3 && newRoutes < 2 && !(newIps >= 1 && newRoutes >= 1)) return null
    let lastHour = 0
    for (let k = 0; k < 60; k++) lastHour += this.minute[k]!
    const hours = Math.max((at - this.firstSeen) / HOUR, 1)
    return {
      token: '',
      since: this.novel[0]!.at,
      requests: lastHour,
      newIps,
      knownIps: this.ips.size - newIps,
      newRoutes,
      knownRoutes: this.routes.size - newRoutes,
      expectedRequests: this.total / hours,
    }
  }
}

/** Recent failed sign-ins per account, for brute force below the tenant-wide volume alarm. */
export class AccountFailures {
  private readonly recent = new Map<string, number[]>()

  /** Records a failure; returns the account's failures in the last 15 minutes and the first one's time. */
  record(at: number, username: string, o: BehaviourOptions): [number, number] {
    const key = username.toLowerCase()
    let list = this.recent.get(key)
    if (!list) {
      if (this.recent.size > 50_000) this.prune(at)
      list = []
      this.recent.set(key, list)
    }
    list.push(at)
    while (list.length > 0 && list[0]! < at - 15 * MINUTE) list.shift()
    if (list.length > o.accountFailures * 4) list.shift()
    return [list.length, list[0]!]
  }

  private prune(at: number): void {
    for (const [k, list] of this.recent)
      if (list.length === 0 || list.at(-1)! < at - 15 * MINUTE) this.recent.delete(k)
  }
}
