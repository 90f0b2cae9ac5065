/**
 * Diagnosis: from the events behind an alert to the most likely cause, a confidence, the
 * evidence numbers and the recommended response. Pure functions over feature records, so each
 * rule can be tested with hand-made numbers.
 */
import type { WatchEvent } from './watch.schema.js'

export type Cause =
  | 'bot_flood'
  | 'organic_surge'
  | 'credential_stuffing'
  | 'brute_force'
  | 'data_exfiltration'
  | 'token_abuse'
  | 'widget_abuse'
  | 'unknown'

/** One number behind a diagnosis; `baseline` is what is normal for it when known. */
export interface Evidence {
  metric: string
  value: number
  baseline?: number
  detail?: string
}

export interface Diagnosis {
  cause: Cause
  /** 0..1, how much the winning explanation beats the others. */
  confidence: number
  evidence: Evidence[]
}

/** What the tenant should do for each cause; the automatic-response policy keys off the same causes. */
export const RECOMMENDATIONS: Record<Cause, string> = {
  bot_flood:
    'Throttle or challenge the widget for the listed IPs, networks and user agents; keep agents off the flood.',
  organic_surge:
    'Likely a campaign: confirm with marketing and acknowledge as expected with an expiry; add agents if needed.',
  credential_stuffing:
    'Lock or step-up the targeted accounts, rate-limit sign-in per IP and network, and force resets on any success.',
  brute_force:
    'Temporarily lock the targeted account, block the source IPs and ask its owner to confirm activity.',
  data_exfiltration:
    "Require step-up MFA or suspend the actor's access, review the transcripts read and exported, start an incident.",
  token_abuse:
    'Suspend or rotate the token, restrict it to known IPs and routes, and review the requests made.',
  widget_abuse:
    'Check the site allowlist; if the origins are not yours, keep them blocked and rotate the widget key.',
  unknown: 'Review the evidence; acknowledge as expected if you know the cause, or escalate to an incident.',
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : Number.isFinite(v) ? v : 0)
const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits

/** Networks are compared at /24 for IPv4 and /48 for IPv6: one hosting block, one owner. */
export function networkOf(ip: string): string {
  if (ip.includes(':')) return ip.split(':').slice(0, 3).join(':') + '::/48'
  const dot = ip.lastIndexOf('.')
  return dot < 0 ? ip : ip.slice(0, dot) + '.0/24'
}

class Tally {
  readonly counts = new Map<string, number>()
  total = 0
  add(key: string | null | undefined): void {
    if (key === null || key === undefined || key === '') return
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
    this.total++
  }
  top(): [string, number] {
    let best: [string, number] = ['', 0]
    for (const e of this.counts) if (e[1] > best[1]) best = e
    return best
  }
  topShare(): number {
    return this.total === 0 ? 0 : this.top()[1] / this.total
  }
}

export interface TrafficFeatures {
  conversations: number
  distinctIps: number
  distinctNetworks: number
  topIpShare: number
  topNetworkShare: number
  topNetwork: string
  topUserAgentShare: number
  topUserAgent: string
  visitorMessages: number
  messagesPerConversation: number
  emptyMessageShare: number
  repeatedMessageShare: number
  topReferrerShare: number
  topReferrer: string
  topLandingShare: number
  topLanding: string
}

/** Features of conversation traffic in a slice of events. */
export function trafficFeatures(events: readonly WatchEvent[]): TrafficFeatures {
  const ips = new Tally()
  const nets = new Tally()
  const uas = new Tally()
  const refs = new Tally()
  const landing = new Tally()
  const lengths = new Tally()
  let conversations = 0
  let visitorMessages = 0
  let messages = 0
  let empty = 0
  for (const e of events) {
    if (e.type === 'conversation.started') {
      conversations++
      ips.add(e.ip)
      nets.add(networkOf(e.ip))
      uas.add(e.userAgent ?? '(none)')
      refs.add(e.referrer ?? '(none)')
      landing.add(e.landingPage ?? '(none)')
    } else if (e.type === 'message.sent') {
      messages++
      if (e.sender === 'visitor') {
        visitorMessages++
        if (e.length <= 1) empty++
        else lengths.add(String(e.length))
      }
    }
  }
  const [topNetwork] = nets.top()
  const [topUserAgent] = uas.top()
  const [topReferrer] = refs.top()
  const [topLanding] = landing.top()
  return {
    conversations,
    distinctIps: ips.counts.size,
    distinctNetworks: nets.counts.size,
    topIpShare: ips.topShare(),
    topNetworkShare: nets.topShare(),
    topNetwork,
    topUserAgentShare: uas.topShare(),
    topUserAgent,
    visitorMessages,
    messagesPerConversation: conversations === 0 ? 0 : messages / conversations,
    emptyMessageShare: visitorMessages === 0 ? 0 : empty / visitorMessages,
    // The share of the single most common visitor message length: scripts repeat themselves.
    repeatedMessageShare: visitorMessages < 10 ? 0 : lengths.top()[1] / visitorMessages,
    topReferrerShare: refs.topShare(),
    topReferrer,
    topLandingShare: landing.topShare(),
    topLanding,
  }
}

/** Bot flood versus organic surge (campaign), judged against the traffic before the onset. */
export function diagnoseTraffic(
  now: TrafficFeatures,
  before: TrafficFeatures | null,
  ratio: number,
  conversationRatio: number,
): Diagnosis {
  const base = before && before.conversations >= 20 ? before : null
  const ipSpread = now.conversations === 0 ? 1 : now.distinctIps / now.conversations
  // Shares of a handful of conversations are noise: weigh them by sample size.
  const sample = clamp01(now.conversations / 20)
  const concentration = sample * Math.max(now.topIpShare, now.topNetworkShare, clamp01(1 - ipSpread * 1.1))
  const baseUa = base ? base.topUserAgentShare : 0.3
  const uaConcentration = sample * clamp01((now.topUserAgentShare - baseUa) / (1 - baseUa))
  const shape = Math.max(now.emptyMessageShare, clamp01((now.repeatedMessageShare - 0.2) / 0.6))
  const baseMpc = base ? base.messagesPerConversation : 4
  const thin = now.conversations >= 5 ? clamp01(1 - now.messagesPerConversation / Math.max(baseMpc, 1)) : 0
  const bot = clamp01(0.45 * concentration + 0.15 * uaConcentration + 0.3 * shape + 0.1 * thin)
  const baseRef = base ? Math.max(base.topReferrerShare, base.topLandingShare) : 0.4
  const campaign = clamp01((Math.max(now.topReferrerShare, now.topLandingShare) - baseRef) / (1 - baseRef))
  // A surge of people is a surge of conversations; more messages in the same conversations is not.
  const more = clamp01((conversationRatio - 1.5) / 2) * clamp01(now.conversations / 10)
  const organic = clamp01(
    (1 - concentration) * (1 - shape) * (0.55 + 0.45 * campaign) * more - 0.2 * uaConcentration,
  )
  const evidence: Evidence[] = [
    { metric: 'traffic_ratio', value: round(ratio, 2), baseline: 1 },
    { metric: 'conversation_ratio', value: round(conversationRatio, 2), baseline: 1 },
    { metric: 'conversations', value: now.conversations },
    { metric: 'distinct_ips', value: now.distinctIps },
    { metric: 'top_network_share', value: round(now.topNetworkShare), detail: now.topNetwork },
    { metric: 'top_user_agent_share', value: round(now.topUserAgentShare), baseline: round(baseUa) },
    { metric: 'empty_message_share', value: round(now.emptyMessageShare) },
    { metric: 'repeated_message_share', value: round(now.repeatedMessageShare) },
    {
      metric: 'messages_per_conversation',
      value: round(now.messagesPerConversation, 2),
      baseline: round(baseMpc, 2),
    },
    { metric: 'top_referrer_share', value: round(now.topReferrerShare), detail: now.topReferrer },
    { metric: 'top_landing_page_share', value: round(now.topLandingShare), detail: now.topLanding },
  ]
  return pick({ bot_flood: bot, organic_surge: organic }, evidence)
}

export interface AuthFeatures {
  failures: number
  successes: number
  mfaFailures: number
  distinctUsernames: number
  topUsernameShare: number
  topUsername: string
  distinctIps: number
  distinctNetworks: number
}

/** Features of sign-in traffic in a slice of events. */
export function authFeatures(events: readonly WatchEvent[]): AuthFeatures {
  const users = new Tally()
  const ips = new Tally()
  const nets = new Tally()
  let failures = 0
  let successes = 0
  let mfaFailures = 0
  for (const e of events) {
    if (e.type !== 'auth.login' && e.type !== 'auth.mfa') continue
    if (e.outcome === 'success') {
      if (e.type === 'auth.login') successes++
      continue
    }
    if (e.type === 'auth.mfa') mfaFailures++
    else failures++
    users.add(e.username.toLowerCase() || '(empty)')
    ips.add(e.ip)
    nets.add(networkOf(e.ip))
  }
  const [topUsername] = users.top()
  return {
    failures,
    successes,
    mfaFailures,
    distinctUsernames: users.counts.size,
    topUsernameShare: users.topShare(),
    topUsername,
    distinctIps: ips.counts.size,
    distinctNetworks: nets.counts.size,
  }
}

/** Credential stuffing (many accounts) versus brute force (one account). */
export function diagnoseAuth(f: AuthFeatures, expectedFailures: number): Diagnosis {
  const failed = f.failures + f.mfaFailures
  const failureRatio = failed + f.successes === 0 ? 0 : failed / (failed + f.successes)
  const brute = clamp01(((f.topUsernameShare - 0.3) / 0.5) * (0.5 + 0.5 * failureRatio))
  const manyUsers = clamp01((f.distinctUsernames - 3) / 20)
  const stuffing = clamp01(
    (1 - f.topUsernameShare) *
      manyUsers *
      (0.5 + 0.5 * failureRatio) *
      (0.7 + 0.3 * clamp01(f.distinctIps / 10)),
  )
  const evidence: Evidence[] = [
    { metric: 'failed_sign_ins', value: failed, baseline: round(expectedFailures, 2) },
    { metric: 'successful_sign_ins', value: f.successes },
    { metric: 'failure_ratio', value: round(failureRatio) },
    { metric: 'distinct_usernames', value: f.distinctUsernames },
    { metric: 'top_username_share', value: round(f.topUsernameShare), detail: f.topUsername },
    { metric: 'distinct_ips', value: f.distinctIps },
    { metric: 'distinct_networks', value: f.distinctNetworks },
    { metric: 'mfa_failures', value: f.mfaFailures },
  ]
  return pick({ brute_force: brute, credential_stuffing: stuffing }, evidence)
}

export interface DataAccessFeatures {
  actor: string
  /** First access of the burst: the alert's onset. */
  since: number
  reads: number
  exports: number
  reveals: number
  windowMinutes: number
  ownDailyMean: number | null
  peerDailyP90: number | null
  offHoursShare: number
  sequentialShare: number
  firstExport: boolean
}

/** One actor reading or exporting far beyond their own and their peers' history. */
export function diagnoseDataAccess(f: DataAccessFeatures): Diagnosis {
  const typical = Math.max(f.ownDailyMean ?? 0, f.peerDailyP90 ?? 0, 1)
  const volume = clamp01(Math.log10(Math.max(f.reads + f.reveals + 5 * f.exports, 1) / typical) / 1.3)
  const score = clamp01(
    0.5 * volume +
      0.2 * f.offHoursShare +
      0.2 * f.sequentialShare +
      (f.exports > 0 ? 0.1 : 0) +
      (f.firstExport ? 0.25 : 0),
  )
  const evidence: Evidence[] = [
    {
      metric: 'reads',
      value: f.reads,
      baseline: f.ownDailyMean === null ? undefined : round(f.ownDailyMean, 2),
    },
    { metric: 'exports', value: f.exports },
    { metric: 'reveals', value: f.reveals },
    { metric: 'window_minutes', value: f.windowMinutes },
    { metric: 'peer_daily_p90', value: round(f.peerDailyP90 ?? 0, 2) },
    { metric: 'off_hours_share', value: round(f.offHoursShare) },
    { metric: 'sequential_share', value: round(f.sequentialShare) },
    { metric: 'first_export', value: f.firstExport ? 1 : 0, detail: f.actor },
  ]
  return pick({ data_exfiltration: score }, evidence)
}

export interface TokenFeatures {
  token: string
  /** First novel use: the alert's onset. */
  since: number
  requests: number
  newIps: number
  knownIps: number
  newRoutes: number
  knownRoutes: number
  expectedRequests: number
}

/** A token used from new places or for new things. */
export function diagnoseToken(f: TokenFeatures): Diagnosis {
  const novelty = clamp01(f.newIps / 4) * 0.6 + clamp01(f.newRoutes / 2) * 0.4
  const volume = clamp01(Math.log10(Math.max(f.requests, 1) / Math.max(f.expectedRequests, 1)) / 1.5)
  const evidence: Evidence[] = [
    { metric: 'requests', value: f.requests, baseline: round(f.expectedRequests, 2) },
    { metric: 'new_ips', value: f.newIps, baseline: f.knownIps },
    { metric: 'new_routes', value: f.newRoutes, baseline: f.knownRoutes },
    { metric: 'token', value: 1, detail: f.token },
  ]
  return pick({ token_abuse: clamp01(0.3 + 0.55 * novelty + 0.15 * volume) }, evidence)
}

/** Widget loads from origins not on the site's allowlist. */
export function diagnoseWidget(events: readonly WatchEvent[], expected: number): Diagnosis {
  const origins = new Tally()
  const ips = new Tally()
  for (const e of events) {
    if (e.type !== 'widget.load' || e.allowed) continue
    origins.add(e.origin || '(none)')
    ips.add(e.ip)
  }
  const [topOrigin, topCount] = origins.top()
  const evidence: Evidence[] = [
    { metric: 'unknown_origin_loads', value: origins.total, baseline: round(expected, 2) },
    { metric: 'distinct_origins', value: origins.counts.size },
    { metric: 'top_origin_loads', value: topCount, detail: topOrigin },
    { metric: 'distinct_ips', value: ips.counts.size },
  ]
  const strength = clamp01(Math.log10(Math.max(origins.total, 1) / Math.max(expected, 1)) / 1.5)
  return pick({ widget_abuse: clamp01(0.4 + 0.6 * strength) }, evidence)
}

/**
 * Picks the best-scoring cause; below 0.35 nothing explains the alert well and the answer is
 * `unknown`. Confidence is the winner's score discounted by how close the runner-up is.
 */
export function pick(scores: Partial<Record<Cause, number>>, evidence: Evidence[]): Diagnosis {
  let best: Cause = 'unknown'
  let bestScore = 0
  let second = 0
  for (const [cause, s] of Object.entries(scores) as [Cause, number][]) {
    if (s > bestScore) {
      second = bestScore
      bestScore = s
      best = cause
    } else if (s > second) second = s
  }
  if (bestScore < 0.35) {
    return { cause: 'unknown', confidence: round(clamp01(0.6 - bestScore), 2), evidence }
  }
  return {
    cause: best,
    confidence: round(clamp01(bestScore * (1 - 0.6 * (second / bestScore) ** 2)), 2),
    evidence,
  }
}
