import { ParleyError } from '../errors/index.js'
import type { ConversationFacts, FirstResponse, SlotCount } from '../store/index.js'

/** The longest range a summary covers, in days (a leap year). */
export const MAX_REPORT_DAYS = 366

const DAY_MS = 86_400_000

export interface DurationStats {
  count: number
  avgSeconds: number | null
  p50Seconds: number | null
  p90Seconds: number | null
}

export interface RatingStats {
  count: number
  average: number | null
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    if (formatters.size > 500) formatters.clear()
    formatters.set(tz, f)
  }
  return f
}

/** The IANA zone as given, if `Intl` knows it; otherwise PARLEY_ERR_REPORT_TIMEZONE_INVALID. */
export function checkTimeZone(tz: string): string {
  try {
    formatterFor(tz)
    return tz
  } catch (err) {
    throw new ParleyError(
      'PARLEY_ERR_REPORT_TIMEZONE_INVALID',
      'tz must be an IANA time zone such as Europe/Berlin',
      {},
      { cause: err },
    )
  }
}

function localParts(ms: number, tz: string) {
  const parts: Record<string, string> = {}
  for (const p of formatterFor(tz).formatToParts(ms)) parts[p.type] = p.value
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    wall: Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    ),
  }
}

/** The calendar date (YYYY-MM-DD) an instant falls on in `tz`. */
export function localDateOf(ms: number, tz: string): string {
  return localParts(ms, tz).date
}

/**
 * The first instant of a local calendar date in `tz`: local midnight, or the end of the gap
 * when a DST change skips midnight (the day then starts at 01:00).
 */
export function startOfLocalDay(date: string, tz: string): number {
  const wallMidnight = Date.parse(`${date}T00:00:00Z`)
  // Two rounds find the offset in force at local midnight even across a DST change.
  let t = wallMidnight
  for (let i = 0; i < 2; i++) t = wallMidnight - (localParts(t, tz).wall - Math.floor(t / 1000) * 1000)
  // Offsets and DST changes fall on quarter hours: step to the exact first instant of the date.
  const QUARTER = 900_000
  while (localDateOf(t, tz) < date) t += QUARTER
  while (localDateOf(t - QUARTER, tz) === date) t -= QUARTER
  return t
}

/** Every date from `from` to `to` inclusive (YYYY-MM-DD, calendar arithmetic, no zone). */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = []
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10))
  return out
}

/** Checks a report range: real dates, from ≤ to, at most MAX_REPORT_DAYS days. */
export function checkRange(from: string, to: string): string[] {
  const real = (d: string) => {
    const t = Date.parse(`${d}T00:00:00Z`)
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d
  }
  if (!real(from) || !real(to) || from > to) {
    throw new ParleyError('PARLEY_ERR_REPORT_RANGE_INVALID', 'from and to must be dates with from ≤ to', {
      maxDays: MAX_REPORT_DAYS,
    })
  }
  const days = datesBetween(from, to)
  if (days.length > MAX_REPORT_DAYS) {
    throw new ParleyError(
      'PARLEY_ERR_REPORT_RANGE_INVALID',
      `a report covers at most ${MAX_REPORT_DAYS} days`,
      { maxDays: MAX_REPORT_DAYS },
    )
  }
  return days
}

/** The `p`-th percentile (0–100) of ascending `sorted`, interpolating between ranks; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo)
}

const round3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000)

/** Count, mean, median and 90th percentile of durations given in milliseconds, in seconds. */
export function durationStats(durationsMs: readonly number[]): DurationStats {
  const seconds = durationsMs.map((ms) => Math.max(0, ms) / 1000).sort((a, b) => a - b)
  return {
    count: seconds.length,
    avgSeconds: seconds.length ? round3(seconds.reduce((a, b) => a + b, 0) / seconds.length) : null,
    p50Seconds: round3(percentile(seconds, 50)),
    p90Seconds: round3(percentile(seconds, 90)),
  }
}

/** Count, mean and 1–5 distribution of satisfaction ratings. */
export function ratingStats(ratings: readonly number[]): RatingStats {
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 }
  const valid = ratings.filter((r) => Number.isInteger(r) && r >= 1 && r <= 5)
  for (const r of valid) distribution[String(r) as keyof typeof distribution]++
  return {
    count: valid.length,
    average: valid.length ? round3(valid.reduce((a, b) => a + b, 0) / valid.length) : null,
    distribution,
  }
}

/** Sums counts per local date of each slot's first instant; dates outside `dates` are ignored. */
export function bucketByLocalDate(
  slots: readonly SlotCount[],
  slotMs: number,
  tz: string,
  dates: readonly string[],
): Map<string, number> {
  const out = new Map(dates.map((d) => [d, 0]))
  for (const s of slots) {
    const date = localDateOf(s.slot * slotMs, tz)
    const current = out.get(date)
    if (current !== undefined) out.set(date, current + s.n)
  }
  return out
}

export interface SummaryInput {
  from: string
  to: string
  tz: string
  /** [start, end) of the range in epoch ms: local midnight of `from` to local midnight after `to`. */
  start: number
  end: number
  slotMs: number
  slots: { started: readonly SlotCount[]; closed: readonly SlotCount[]; offline: readonly SlotCount[] }
  conversations: readonly ConversationFacts[]
  firstResponses: readonly FirstResponse[]
  agents: readonly { id: string; name: string }[]
  teams: readonly { id: string; name: string }[]
}

export interface GroupSummary {
  conversations: number
  closed: number
  firstResponseP50Seconds: number | null
  resolutionP50Seconds: number | null
  satisfactionAverage: number | null
  satisfactionCount: number
}

/**
 * The summary report from the rows of a range. Which conversations count where:
 * - per day: `conversations` on the local date it started, `closed` on the date it closed;
 * - first response and satisfaction: conversations started in the range;
 * - resolution (closed − started): conversations closed in the range;
 * - per agent: the conversation's assignee, except first response, which is the agent who sent it;
 * - per team: the conversation's team.
 */
export function buildSummary(input: SummaryInput) {
  const dates = datesBetween(input.from, input.to)
  const inRange = (t: number | null): t is number => t !== null && t >= input.start && t < input.end
  const started = input.conversations.filter((c) => inRange(c.createdAt))
  const closed = input.conversations.filter((c) => inRange(c.closedAt))
  const startedIds = new Map(started.map((c) => [c.id, c]))
  const responses = input.firstResponses.flatMap((r) => {
    const conv = startedIds.get(r.conversationId)
    return conv ? [{ ...r, conv, ms: r.at - conv.createdAt }] : []
  })
  const resolutionMs = (c: { createdAt: number; closedAt: number | null }) => c.closedAt! - c.createdAt
  const ratings = (cs: readonly { rating: number | null }[]) =>
    cs.flatMap((c) => (c.rating === null ? [] : [c.rating]))

  const group = (
    startedHere: readonly (typeof started)[number][],
    closedHere: readonly (typeof closed)[number][],
    responsesHere: readonly (typeof responses)[number][],
  ): GroupSummary => {
    const satisfaction = ratingStats(ratings(startedHere))
    return {
      conversations: startedHere.length,
      closed: closedHere.length,
      firstResponseP50Seconds: durationStats(responsesHere.map((r) => r.ms)).p50Seconds,
      resolutionP50Seconds: durationStats(closedHere.map(resolutionMs)).p50Seconds,
      satisfactionAverage: satisfaction.average,
      satisfactionCount: satisfaction.count,
    }
  }
  /** One pass per list: rows grouped by agent (or team) id, not one scan per agent. */
  const by = <T>(rows: readonly T[], key: (row: T) => string | null) => {
    const out = new Map<string, T[]>()
    for (const row of rows) {
      const k = key(row)
      if (k === null) continue
      const list = out.get(k)
      if (list) list.push(row)
      else out.set(k, [row])
    }
    return (id: string) => out.get(id) ?? []
  }
  const agentOf = {
    started: by(started, (c) => c.agentId),
    closed: by(closed, (c) => c.agentId),
    responses: by(responses, (r) => r.agentId),
  }
  const teamOf = {
    started: by(started, (c) => c.teamId),
    closed: by(closed, (c) => c.teamId),
    responses: by(responses, (r) => r.conv.teamId),
  }

  const perDay = {
    started: bucketByLocalDate(input.slots.started, input.slotMs, input.tz, dates),
    closed: bucketByLocalDate(input.slots.closed, input.slotMs, input.tz, dates),
    offline: bucketByLocalDate(input.slots.offline, input.slotMs, input.tz, dates),
  }
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)
  return {
    from: input.from,
    to: input.to,
    tz: input.tz,
    days: dates.map((date) => ({
      date,
      conversations: perDay.started.get(date) ?? 0,
      closed: perDay.closed.get(date) ?? 0,
      offlineMessages: perDay.offline.get(date) ?? 0,
    })),
    firstResponse: durationStats(responses.map((r) => r.ms)),
    resolution: durationStats(closed.map(resolutionMs)),
    satisfaction: ratingStats(ratings(started)),
    perAgent: [...input.agents].sort(byName).map((a) => ({
      agentId: a.id,
      name: a.name,
      ...group(agentOf.started(a.id), agentOf.closed(a.id), agentOf.responses(a.id)),
    })),
    perTeam: [...input.teams].sort(byName).map((t) => ({
      teamId: t.id,
      name: t.name,
      ...group(teamOf.started(t.id), teamOf.closed(t.id), teamOf.responses(t.id)),
    })),
  }
}
