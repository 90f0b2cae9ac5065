import { describe, expect, it } from 'vitest'
import {
  bucketByLocalDate,
  buildSummary,
  checkRange,
  checkTimeZone,
  datesBetween,
  durationStats,
  localDateOf,
  percentile,
  ratingStats,
  startOfLocalDay,
} from './summary.js'

const at = (iso: string) => Date.parse(iso)

describe('local days', () => {
  it('puts an instant on its local date, across a DST change', () => {
    // Berlin moves from +01:00 to +02:00 at 01:00Z on 2025-03-30.
    expect(localDateOf(at('2025-03-29T23:30:00Z'), 'Europe/Berlin')).toBe('2025-03-30')
    expect(localDateOf(at('2025-03-30T21:59:00Z'), 'Europe/Berlin')).toBe('2025-03-30')
    expect(localDateOf(at('2025-03-30T22:30:00Z'), 'Europe/Berlin')).toBe('2025-03-31')
    expect(localDateOf(at('2025-03-30T22:30:00Z'), 'UTC')).toBe('2025-03-30')
  })

  it('finds local midnight on both sides of DST and in a zone with a 45-minute offset', () => {
    expect(startOfLocalDay('2025-03-30', 'Europe/Berlin')).toBe(at('2025-03-29T23:00:00Z'))
    expect(startOfLocalDay('2025-03-31', 'Europe/Berlin')).toBe(at('2025-03-30T22:00:00Z'))
    expect(startOfLocalDay('2025-10-26', 'Europe/Berlin')).toBe(at('2025-10-25T22:00:00Z'))
    expect(startOfLocalDay('2025-10-27', 'Europe/Berlin')).toBe(at('2025-10-26T23:00:00Z'))
    expect(startOfLocalDay('2025-01-01', 'Asia/Kathmandu')).toBe(at('2024-12-31T18:15:00Z'))
    expect(startOfLocalDay('2025-06-01', 'UTC')).toBe(at('2025-06-01T00:00:00Z'))
  })

  it('starts a day at the end of the gap when DST skips midnight', () => {
    // Santiago: 2024-09-08 00:00 (-04:00) jumps to 01:00 (-03:00).
    const start = startOfLocalDay('2024-09-08', 'America/Santiago')
    expect(start).toBe(at('2024-09-08T04:00:00Z'))
    expect(localDateOf(start - 1, 'America/Santiago')).toBe('2024-09-07')
  })

  it('buckets 15-minute slots by local date and keeps empty days', () => {
    const slot = (iso: string) => at(iso) / 900_000
    const days = bucketByLocalDate(
      [
        { slot: slot('2025-03-29T23:00:00Z'), n: 2 },
        { slot: slot('2025-03-30T21:45:00Z'), n: 1 },
        { slot: slot('2025-03-30T22:00:00Z'), n: 5 },
        { slot: slot('2025-04-09T00:00:00Z'), n: 9 },
      ],
      900_000,
      'Europe/Berlin',
      ['2025-03-30', '2025-03-31', '2025-04-01'],
    )
    expect(Object.fromEntries(days)).toEqual({ '2025-03-30': 3, '2025-03-31': 5, '2025-04-01': 0 })
  })
})

describe('ranges and zones', () => {
  it('lists every date of a range, month ends and leap days included', () => {
    expect(datesBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01'])
  })

  it('refuses unreal dates, reversed ranges and ranges over 366 days with PARLEY_ERR_REPORT_RANGE_INVALID', () => {
    for (const [from, to] of [
      ['2025-02-30', '2025-03-01'],
      ['2025-03-02', '2025-03-01'],
      ['2024-01-01', '2025-01-01'],
    ] as const) {
      expect(() => checkRange(from, to)).toThrow(
        expect.objectContaining({ code: 'PARLEY_ERR_REPORT_RANGE_INVALID', statusCode: 400 }),
      )
    }
    expect(checkRange('2024-01-01', '2024-12-31')).toHaveLength(366)
  })

  it('accepts IANA zones and refuses anything else with PARLEY_ERR_REPORT_TIMEZONE_INVALID', () => {
    expect(checkTimeZone('Europe/Berlin')).toBe('Europe/Berlin')
    for (const tz of ['Mars/Olympus', 'Europe/Berlin; drop table', '../../etc/passwd']) {
      expect(() => checkTimeZone(tz)).toThrow(
        expect.objectContaining({ code: 'PARLEY_ERR_REPORT_TIMEZONE_INVALID', statusCode: 400 }),
      )
    }
  })
})

describe('statistics', () => {
  it('interpolates percentiles between ranks and has none for no data', () => {
    expect(percentile([], 50)).toBeNull()
    expect(percentile([7], 90)).toBe(7)
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5)
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90)).toBe(91)
  })

  it('reports durations in seconds with nulls when empty', () => {
    expect(durationStats([])).toEqual({ count: 0, avgSeconds: null, p50Seconds: null, p90Seconds: null })
    expect(durationStats([30_000, 10_000, 20_000])).toEqual({
      count: 3,
      avgSeconds: 20,
      p50Seconds: 20,
      p90Seconds: 28,
    })
  })

  it('averages ratings and counts each score', () => {
    expect(ratingStats([5, 4, 5, 1])).toEqual({
      count: 4,
      average: 3.75,
      distribution: { '1': 1, '2': 0, '3': 0, '4': 1, '5': 2 },
    })
    expect(ratingStats([]).average).toBeNull()
  })
})

describe('buildSummary', () => {
  const start = at('2025-03-01T00:00:00Z')
  const end = at('2025-03-03T00:00:00Z')
  const summary = buildSummary({
    from: '2025-03-01',
    to: '2025-03-02',
    tz: 'UTC',
    start,
    end,
    slotMs: 900_000,
    slots: { started: [], closed: [], offline: [] },
    conversations: [
      // started before the range, closed in it: counts for resolution only
      {
        id: 'old',
        agentId: 'a1',
        teamId: null,
        createdAt: start - 3_600_000,
        closedAt: start + 60_000,
        rating: 1,
      },
      { id: 'c1', agentId: 'a1', teamId: 't1', createdAt: start, closedAt: start + 600_000, rating: 5 },
      { id: 'c2', agentId: 'a2', teamId: 't1', createdAt: start + 1000, closedAt: null, rating: null },
    ],
    firstResponses: [
      { conversationId: 'c1', agentId: 'a2', at: start + 30_000 },
      { conversationId: 'c2', agentId: 'a2', at: start + 1000 + 90_000 },
      { conversationId: 'old', agentId: 'a1', at: start - 3_000_000 },
    ],
    agents: [
      { id: 'a2', name: 'Zoe' },
      { id: 'a1', name: 'Adam' },
      { id: 'a3', name: 'Idle' },
    ],
    teams: [{ id: 't1', name: 'Cards' }],
  })

  it('counts first responses and ratings for conversations started in the range, resolution for those closed in it', () => {
    expect(summary.firstResponse).toEqual({ count: 2, avgSeconds: 60, p50Seconds: 60, p90Seconds: 84 })
    expect(summary.resolution).toMatchObject({ count: 2, p50Seconds: (3_660 + 600) / 2 })
    expect(summary.satisfaction).toMatchObject({ count: 1, average: 5 })
  })

  it('credits first responses to the responder and the rest to the assignee, sorted by name, idle agents included', () => {
    expect(summary.perAgent.map((a) => a.name)).toEqual(['Adam', 'Idle', 'Zoe'])
    expect(summary.perAgent[0]).toEqual({
      agentId: 'a1',
      name: 'Adam',
      conversations: 1,
      closed: 2,
      firstResponseP50Seconds: null,
      resolutionP50Seconds: 2_130,
      satisfactionAverage: 5,
      satisfactionCount: 1,
    })
    expect(summary.perAgent[1]).toMatchObject({ conversations: 0, firstResponseP50Seconds: null })
    expect(summary.perAgent[2]).toMatchObject({ conversations: 1, closed: 0, firstResponseP50Seconds: 60 })
    expect(summary.perTeam).toEqual([
      {
        teamId: 't1',
        name: 'Cards',
        conversations: 2,
        closed: 1,
        firstResponseP50Seconds: 60,
        resolutionP50Seconds: 600,
        satisfactionAverage: 5,
        satisfactionCount: 1,
      },
    ])
  })

  it('lists every day of the range with zeros', () => {
    expect(summary.days).toEqual([
      { date: '2025-03-01', conversations: 0, closed: 0, offlineMessages: 0 },
      { date: '2025-03-02', conversations: 0, closed: 0, offlineMessages: 0 },
    ])
  })
})
