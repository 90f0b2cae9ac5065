import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { WatchEngine } from './engine.js'
import { runWatchReplay } from './replay.js'
import { generateScenario, seededRandom } from './scenario.js'
import type { WatchEvent } from './watch.schema.js'

const T0 = Date.UTC(2026, 2, 2, 12)
const conv = (ts: number, tenant = 'acme', ip = '198.51.100.7'): WatchEvent => ({
  ts,
  tenant,
  type: 'conversation.started',
  ip,
  userAgent: 'UA',
  visitorId: 'v1',
  referrer: null,
  landingPage: '/',
})

async function replay(lines: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'watch-'))
  const file = join(dir, 'events.jsonl')
  writeFileSync(file, lines.join('\n') + '\n')
  const out = new PassThrough()
  const chunks: string[] = []
  out.on('data', (c: Buffer) => chunks.push(c.toString()))
  const result = await runWatchReplay({ eventsFile: file }, out, null)
  return { result, alerts: chunks.join('').split('\n').filter(Boolean) }
}

describe('bad input', () => {
  it('counts malformed, unknown-type and schema-invalid lines instead of crashing', async () => {
    const good = JSON.stringify({
      ts: new Date(T0).toISOString(),
      tenant: 'acme',
      type: 'conversation.started',
      ip: '1.2.3.4',
    })
    const { result } = await replay([
      good,
      '{not json',
      '[1,2]',
      JSON.stringify({ ts: 'yesterday', tenant: 'acme', type: 'conversation.started', ip: '1.2.3.4' }),
      JSON.stringify({
        ts: new Date(T0).toISOString(),
        tenant: 'acme',
        type: 'message.sent',
        conversationId: 'c',
        sender: 'bot',
        length: 3,
      }),
      JSON.stringify({ ts: new Date(T0).toISOString(), tenant: 'acme', type: 'weather.report' }),
    ])
    expect(result.events).toBe(1)
    expect(result.rejected).toMatchObject({ malformed_json: 2, invalid_event: 2, unknown_type: 1 })
  })

  it('rejects exact duplicate lines and repeated event ids as duplicates', async () => {
    const line = JSON.stringify({
      ts: new Date(T0).toISOString(),
      tenant: 'acme',
      type: 'conversation.started',
      ip: '1.2.3.4',
    })
    const withId = (ip: string) =>
      JSON.stringify({
        id: 'evt-1',
        ts: new Date(T0 + 1000).toISOString(),
        tenant: 'acme',
        type: 'conversation.started',
        ip,
      })
    const { result } = await replay([line, line, withId('1.1.1.1'), withId('2.2.2.2')])
    expect(result.events).toBe(2)
    expect(result.rejected.duplicate).toBe(2)
  })

  it('accepts small reordering but counts events far behind the clock as out of order', () => {
    const engine = new WatchEngine()
    engine.ingest(conv(T0))
    engine.ingest(conv(T0 + 4 * 60_000))
    engine.ingest(conv(T0 + 3 * 60_000)) // one minute late: jitter
    engine.ingest(conv(T0 - 60 * 60_000)) // an hour late
    expect(engine.stats().events).toBe(3)
    expect(engine.stats().rejected.out_of_order).toBe(1)
  })

  it('counts a node with a clock hours ahead as clock skew without moving the clock', () => {
    const engine = new WatchEngine()
    engine.ingest(conv(T0))
    engine.ingest(conv(T0 + 3 * 3_600_000, 'acme', '203.0.113.1'))
    engine.ingest(conv(T0 + 30_000))
    const s = engine.stats()
    expect(s.rejected.clock_skew).toBe(1)
    expect(s.rejected.out_of_order).toBe(0)
    expect(s.events).toBe(2)
  })

  it('follows a real gap in the feed once many events agree on the new time', () => {
    const engine = new WatchEngine()
    engine.ingest(conv(T0))
    const later = T0 + 24 * 3_600_000
    for (let i = 0; i < 40; i++) engine.ingest(conv(later + i * 1000, 'acme', `10.0.0.${i}`))
    const s = engine.stats()
    expect(s.rejected.clock_skew).toBe(24)
    expect(s.events).toBe(1 + 16)
  })

  it('gives a tenant with no history a burst of traffic without an alert storm', () => {
    const engine = new WatchEngine()
    const alerts = []
    // A brand-new tenant's first day: 20 conversations a minute from the first minute on.
    for (let m = 0; m < 24 * 60; m++) {
      for (let i = 0; i < 20; i++)
        alerts.push(...engine.ingest(conv(T0 + m * 60_000 + i * 2000, 'newco', `10.1.${i}.${m % 250}`)))
    }
    alerts.push(...engine.flush())
    expect(alerts.length).toBeLessThanOrEqual(1)
    expect(engine.stats().events).toBe(24 * 60 * 20)
  })

  it('survives a scrambled stream (shuffled, duplicated, skewed) with counted rejections and few alerts', () => {
    const s = generateScenario({
      seed: 3,
      days: 8,
      tenants: [
        {
          name: 'shop',
          conversationsPerDay: 400,
          agents: 4,
          tokens: 1,
          utcOffsetHours: 0,
          growthPerMonth: 0,
        },
      ],
    })
    const rnd = seededRandom(42)
    const events: WatchEvent[] = []
    for (const e of s.events) {
      const r = rnd()
      if (r < 0.01)
        events.push(e, e) // duplicated (same id below)
      else if (r < 0.015)
        events.push({ ...e, ts: e.ts - 3_600_000 }) // far late
      else if (r < 0.02)
        events.push({ ...e, ts: e.ts + 6 * 3_600_000 }) // skewed clock
      else events.push(e)
    }
    const engine = new WatchEngine()
    const alerts = []
    // The replay's duplicate key is the raw line; the serialised event stands in for it here.
    for (const e of events) alerts.push(...engine.ingest(e, JSON.stringify(e)))
    alerts.push(...engine.flush())
    const st = engine.stats()
    const rejected = Object.values(st.rejected).reduce((a, b) => a + b, 0)
    expect(st.rejected.duplicate).toBeGreaterThan(0)
    expect(st.rejected.out_of_order).toBeGreaterThan(0)
    expect(st.rejected.clock_skew).toBeGreaterThan(0)
    expect(st.events + rejected).toBe(events.length)
    expect(alerts.length).toBeLessThanOrEqual(2)
  })
})
