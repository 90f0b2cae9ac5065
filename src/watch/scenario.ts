/**
 * A seeded generator of multi-tenant traffic with known incidents, shared by the behaviour
 * tests and `bench/watch.ts`. Tenants differ in size and timezone, have hour-of-day and weekly
 * cycles, day-to-day noise and slow growth; incidents of every diagnosable kind are injected
 * with their true onset, so detection delay and diagnosis accuracy can be measured.
 */
import type { Cause } from './diagnosis.js'
import type { WatchEvent } from './watch.schema.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export interface TenantProfile {
  name: string
  conversationsPerDay: number
  agents: number
  tokens: number
  utcOffsetHours: number
  /** Traffic growth over 30 days, e.g. 0.2 for +20%. */
  growthPerMonth: number
}

export interface IncidentSpec {
  kind: Cause
  tenant: string
  /** Day (0-based) and local hour of the onset. */
  day: number
  hour: number
  minutes: number
  /** Surge size relative to normal traffic, for volume incidents. */
  factor?: number
}

export interface Incident extends IncidentSpec {
  onset: number
  end: number
}

export interface Scenario {
  start: number
  end: number
  tenants: TenantProfile[]
  incidents: Incident[]
  events: WatchEvent[]
}

export const DEFAULT_TENANTS: TenantProfile[] = [
  {
    name: 'northbank',
    conversationsPerDay: 2400,
    agents: 30,
    tokens: 3,
    utcOffsetHours: 1,
    growthPerMonth: 0.25,
  },
  {
    name: 'city-clinic',
    conversationsPerDay: 500,
    agents: 10,
    tokens: 2,
    utcOffsetHours: -5,
    growthPerMonth: 0.1,
  },
  {
    name: 'harbour-insurance',
    conversationsPerDay: 1200,
    agents: 18,
    tokens: 2,
    utcOffsetHours: 0,
    growthPerMonth: 0.15,
  },
  {
    name: 'smile-dental',
    conversationsPerDay: 100,
    agents: 3,
    tokens: 1,
    utcOffsetHours: 2,
    growthPerMonth: 0.3,
  },
]

/** mulberry32: small, fast and good enough for traffic shapes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Share of a weekday's traffic in each local hour: quiet nights, a working-day plateau. */
const DAY_SHAPE = (() => {
  const raw = Array.from(
    { length: 24 },
    (_, h) => 0.08 + Math.exp(-((h - 13) ** 2) / 18) + 0.3 * Math.exp(-((h - 20) ** 2) / 4),
  )
  const sum = raw.reduce((a, b) => a + b, 0)
  return raw.map((v) => v / sum)
})()
const WEEKDAY_FACTOR = [0.45, 1.05, 1.1, 1.05, 1, 0.95, 0.4] // Sunday..Saturday

const USER_AGENTS = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36', 28],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1', 22],
  ['Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36', 16],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15', 10],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Firefox/127.0', 8],
  ['Mozilla/5.0 (Windows NT 10.0) Edg/126.0', 8],
  ['Mozilla/5.0 (X11; Linux x86_64) Chrome/125.0 Safari/537.36', 4],
  ['Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) Mobile/15E148', 4],
] as const
const UA_TOTAL = USER_AGENTS.reduce((a, [, w]) => a + w, 0)
const REFERRERS = [
  null,
  'https://www.google.com/',
  'https://www.bing.com/',
  'https://duckduckgo.com/',
  'https://www.facebook.com/',
]
const LANDING = ['/', '/contact', '/help', '/pricing', '/accounts', '/appointments', '/faq', '/login']

class Gen {
  readonly rnd: () => number
  readonly buckets = new Map<number, WatchEvent[]>()
  seq = 0
  constructor(seed: number) {
    this.rnd = seededRandom(seed)
  }
  push(e: WatchEvent): void {
    const m = Math.floor(e.ts / MINUTE)
    let b = this.buckets.get(m)
    if (!b) {
      b = []
      this.buckets.set(m, b)
    }
    b.push(e)
  }
  int(n: number): number {
    return Math.floor(this.rnd() * n)
  }
  poisson(lambda: number): number {
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()))
    const l = Math.exp(-lambda)
    let k = 0
    let p = 1
    do {
      k++
      p *= this.rnd()
    } while (p > l)
    return k - 1
  }
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.rnd() || 1e-12)) * Math.cos(2 * Math.PI * this.rnd())
  }
  ip(): string {
    return `${11 + this.int(200)}.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`
  }
  ua(): string {
    let r = this.rnd() * UA_TOTAL
    for (const [ua, w] of USER_AGENTS) {
      r -= w
      if (r <= 0) return ua
    }
    return USER_AGENTS[0][0]
  }
}

interface TenantRun {
  p: TenantProfile
  agents: string[]
  supervisor: string
  tokens: { id: string; ips: string[]; routes: string[] }[]
  convSeq: number
}

function localHour(t: number, p: TenantProfile): number {
  return (((Math.floor(t / HOUR) + p.utcOffsetHours) % 24) + 24) % 24
}
function localDay(t: number, p: TenantProfile): number {
  // 1970-01-01 was a Thursday (4).
  return (((Math.floor((t + p.utcOffsetHours * HOUR) / DAY) + 4) % 7) + 7) % 7
}

/** Conversations per minute a tenant normally gets at `t`. */
export function normalRate(p: TenantProfile, t: number, start: number): number {
  const growth = 1 + (p.growthPerMonth * (t - start)) / (30 * DAY)
  return (p.conversationsPerDay * growth * DAY_SHAPE[localHour(t, p)]! * WEEKDAY_FACTOR[localDay(t, p)]!) / 60
}

function conversation(
  g: Gen,
  r: TenantRun,
  t: number,
  shape: Partial<WatchEvent & { type: 'conversation.started' }>,
  bot: boolean,
): void {
  const id = `c-${++r.convSeq}`
  const ip = shape.ip ?? g.ip()
  g.push({
    ts: t,
    tenant: r.p.name,
    type: 'conversation.started',
    ip,
    userAgent: shape.userAgent ?? g.ua(),
    visitorId: `v-${g.int(1e9)}`,
    referrer: shape.referrer !== undefined ? shape.referrer : REFERRERS[g.int(REFERRERS.length)]!,
    landingPage: shape.landingPage ?? LANDING[g.int(LANDING.length)]!,
  })
  if (bot) {
    g.push({
      ts: t + 2000,
      tenant: r.p.name,
      type: 'message.sent',
      conversationId: id,
      sender: 'visitor',
      length: g.rnd() < 0.3 ? 0 : 37,
      ip,
    })
    return
  }
  const turns = 1 + Math.floor(-Math.log(g.rnd() || 1e-9) * 3)
  let at = t
  for (let i = 0; i < turns; i++) {
    at += 5000 + g.int(60_000)
    g.push({
      ts: at,
      tenant: r.p.name,
      type: 'message.sent',
      conversationId: id,
      sender: 'visitor',
      length: 5 + Math.floor(Math.exp(3.5 + g.normal() * 0.8)),
      ip,
    })
    at += 10_000 + g.int(90_000)
    g.push({
      ts: at,
      tenant: r.p.name,
      type: 'message.sent',
      conversationId: id,
      sender: 'agent',
      length: 20 + Math.floor(Math.exp(4 + g.normal() * 0.6)),
    })
  }
}

function normalMinute(g: Gen, r: TenantRun, m: number, start: number, dayNoise: number): void {
  const t0 = m * MINUTE
  const p = r.p
  const rate = normalRate(p, t0, start) * dayNoise
  for (let i = g.poisson(rate); i > 0; i--) conversation(g, r, t0 + g.int(MINUTE), {}, false)
  const work = localHour(t0, p) >= 8 && localHour(t0, p) < 18 && localDay(t0, p) % 6 !== 0
  const perAgentMin = work ? 1 / 600 : 1 / 20000
  for (const agent of r.agents) {
    if (g.rnd() < perAgentMin * 0.35) {
      const fail = g.rnd() < 0.06
      const ip = `10.${p.name.length}.0.${1 + g.int(50)}`
      g.push({
        ts: t0 + g.int(MINUTE),
        tenant: p.name,
        type: 'auth.login',
        outcome: fail ? 'failure' : 'success',
        username: agent,
        ip,
      })
      if (!fail)
        g.push({
          ts: t0 + 59_000,
          tenant: p.name,
          type: 'auth.mfa',
          outcome: g.rnd() < 0.03 ? 'failure' : 'success',
          username: agent,
          ip,
        })
    }
    if (g.rnd() < perAgentMin * 3) {
      g.push({
        ts: t0 + g.int(MINUTE),
        tenant: p.name,
        type: 'transcript.read',
        actor: agent,
        conversationId: `c-${1 + g.int(r.convSeq + 1)}`,
        ip: null,
      })
    }
    if (g.rnd() < perAgentMin * 0.3) {
      g.push({
        ts: t0 + g.int(MINUTE),
        tenant: p.name,
        type: 'value.reveal',
        actor: agent,
        conversationId: `c-${1 + g.int(r.convSeq + 1)}`,
        ip: null,
      })
    }
  }
  if (g.rnd() < perAgentMin * 6) {
    const type = g.rnd() < 0.2 ? 'transcript.export' : 'transcript.read'
    g.push({
      ts: t0 + g.int(MINUTE),
      tenant: p.name,
      type,
      actor: r.supervisor,
      conversationId: `c-${1 + g.int(r.convSeq + 1)}`,
      ip: null,
    })
  }
  for (const k of r.tokens) {
    for (let i = g.poisson(0.5); i > 0; i--) {
      g.push({
        ts: t0 + g.int(MINUTE),
        tenant: p.name,
        type: 'api.request',
        token: k.id,
        ip: k.ips[g.int(k.ips.length)]!,
        route: k.routes[g.int(k.routes.length)]!,
      })
    }
  }
  if (g.rnd() < 1 / 900) {
    g.push({
      ts: t0 + g.int(MINUTE),
      tenant: p.name,
      type: 'widget.load',
      origin: 'https://translate.goog',
      allowed: false,
      ip: g.ip(),
    })
  }
}

function incidentMinute(g: Gen, r: TenantRun, inc: Incident, m: number, start: number): void {
  const t0 = m * MINUTE
  const p = r.p
  const base = Math.max(normalRate(p, t0, start), 0.3)
  const factor = inc.factor ?? 10
  const at = () => t0 + g.int(MINUTE)
  switch (inc.kind) {
    case 'bot_flood': {
      const n = g.poisson(base * (factor - 1))
      for (let i = 0; i < n; i++) {
        const ip = `${inc.day % 2 ? '185.220.101' : '45.134.26'}.${1 + g.int(24)}`
        conversation(
          g,
          r,
          at(),
          {
            ip,
            userAgent: g.rnd() < 0.8 ? 'python-requests/2.31' : 'HeadlessChrome/125.0',
            referrer: null,
            landingPage: '/',
          },
          true,
        )
      }
      break
    }
    case 'organic_surge': {
      const n = g.poisson(base * (factor - 1))
      for (let i = 0; i < n; i++) {
        const campaign = g.rnd() < 0.7
        conversation(
          g,
          r,
          at(),
          campaign
            ? { referrer: 'https://news.example.com/spring-offer', landingPage: '/offers/spring' }
            : {},
          false,
        )
      }
      break
    }
    case 'credential_stuffing':
      for (let i = g.poisson(25); i > 0; i--) {
        g.push({
          ts: at(),
          tenant: p.name,
          type: 'auth.login',
          outcome: g.rnd() < 0.01 ? 'success' : 'failure',
          username: `user${g.int(100000)}@mail.example`,
          ip: g.ip(),
        })
      }
      break
    case 'brute_force':
      for (let i = g.poisson(4); i > 0; i--) {
        g.push({
          ts: at(),
          tenant: p.name,
          type: 'auth.login',
          outcome: 'failure',
          username: r.agents[0]!,
          ip: `203.0.113.${7 + g.int(2)}`,
        })
      }
      break
    case 'data_exfiltration': {
      const actor = r.agents[1]!
      for (let i = 0; i < 6; i++) {
        const seq = 1000 + (m - Math.floor(inc.onset / MINUTE)) * 6 + i
        g.push({
          ts: t0 + i * 9000,
          tenant: p.name,
          type: 'transcript.read',
          actor,
          conversationId: `c-${seq}`,
          ip: '10.9.9.9',
        })
      }
      if (g.rnd() < 0.15)
        g.push({
          ts: at(),
          tenant: p.name,
          type: 'transcript.export',
          actor,
          conversationId: `c-${1000 + g.int(400)}`,
          ip: '10.9.9.9',
        })
      break
    }
    case 'token_abuse': {
      const k = r.tokens[0]!
      for (let i = g.poisson(10); i > 0; i--) {
        g.push({
          ts: at(),
          tenant: p.name,
          type: 'api.request',
          token: k.id,
          ip: `198.51.100.${10 + g.int(6)}`,
          route: g.rnd() < 0.5 ? 'GET /v1/transcripts' : 'GET /v1/agents',
        })
      }
      break
    }
    case 'widget_abuse':
      for (let i = g.poisson(8); i > 0; i--) {
        g.push({
          ts: at(),
          tenant: p.name,
          type: 'widget.load',
          origin: `https://clone${g.int(5)}.phish.example`,
          allowed: false,
          ip: g.ip(),
        })
      }
      break
    case 'unknown': {
      // An integration posting agent messages into existing conversations: a surge no rule explains.
      const n = g.poisson(Math.max(base * 4, 2) * factor)
      for (let i = 0; i < n; i++) {
        g.push({
          ts: at(),
          tenant: p.name,
          type: 'message.sent',
          conversationId: `c-${1 + g.int(r.convSeq)}`,
          sender: 'agent',
          length: 20 + g.int(400),
        })
      }
      break
    }
  }
}

/** Generates `days` days of traffic from `start` (UTC midnight), time-ordered, plus the incidents' truth. */
export function generateScenario(options: {
  seed: number
  days: number
  start?: number
  tenants?: TenantProfile[]
  incidents?: IncidentSpec[]
}): Scenario {
  const g = new Gen(options.seed)
  const start = options.start ?? Date.UTC(2026, 2, 2)
  const end = start + options.days * DAY
  const tenants = options.tenants ?? DEFAULT_TENANTS
  const runs: TenantRun[] = tenants.map((p) => ({
    p,
    agents: Array.from({ length: p.agents }, (_, i) => `agent${i + 1}@${p.name}.example`),
    supervisor: `supervisor@${p.name}.example`,
    tokens: Array.from({ length: p.tokens }, (_, i) => ({
      id: `tok_${p.name}_${i}`,
      ips: [`10.200.${i}.10`, `10.200.${i}.11`],
      routes: ['POST /v1/conversations', 'GET /v1/conversations', 'GET /v1/metrics'],
    })),
    convSeq: 0,
  }))
  const incidents: Incident[] = (options.incidents ?? []).map((s) => {
    const p = tenants.find((t) => t.name === s.tenant)
    if (!p) throw new Error(`incident for unknown tenant ${s.tenant}`)
    const onset = start + s.day * DAY + (s.hour - p.utcOffsetHours) * HOUR
    return { ...s, onset, end: onset + s.minutes * MINUTE }
  })
  const events: WatchEvent[] = []
  const noise = runs.map(() => 1)
  for (let m = Math.floor(start / MINUTE); m < Math.floor(end / MINUTE); m++) {
    const t0 = m * MINUTE
    if (t0 % DAY === 0) for (let i = 0; i < runs.length; i++) noise[i] = Math.exp(g.normal() * 0.08)
    for (let i = 0; i < runs.length; i++) {
      const r = runs[i]!
      normalMinute(g, r, m, start, noise[i]!)
      for (const inc of incidents)
        if (inc.tenant === r.p.name && t0 >= inc.onset && t0 < inc.end) incidentMinute(g, r, inc, m, start)
    }
    const due = g.buckets.get(m)
    if (due) {
      g.buckets.delete(m)
      due.sort((a, b) => a.ts - b.ts)
      for (const e of due) if (e.ts < end) events.push(e)
    }
  }
  return { start, end, tenants, incidents, events }
}
