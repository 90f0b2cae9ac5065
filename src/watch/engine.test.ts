import { describe, expect, it } from 'vitest'
import { type WatchAlert, WatchEngine } from './engine.js'
import { openAlert, transition } from './lifecycle.js'
import type { WatchEvent } from './watch.schema.js'

const MIN = 60_000
const T0 = Date.UTC(2026, 2, 2)

/** Two weeks of steady traffic, then a campaign burst at `burstAt` for 30 minutes. */
function feed(
  engine: WatchEngine,
  from: number,
  to: number,
  perMin: number,
  out: WatchAlert[],
  referrer: string | null = null,
) {
  let n = 0
  for (let t = from; t < to; t += MIN) {
    for (let i = 0; i < perMin; i++) {
      const e: WatchEvent = {
        ts: t + i * 1000,
        tenant: 'acme',
        type: 'conversation.started',
        ip: `100.${n % 200}.${(n >> 8) % 250}.${n % 250}`,
        userAgent: `UA${n % 7}`,
        visitorId: `v${n}`,
        referrer,
        landingPage: referrer ? '/spring' : `/p${n % 9}`,
      }
      n++
      out.push(...engine.ingest(e))
    }
  }
}

describe('watch engine alerts', () => {
  it('folds a repeat campaign into the acknowledged alert instead of raising it', () => {
    const engine = new WatchEngine()
    const alerts: WatchAlert[] = []
    feed(engine, T0, T0 + 14 * 24 * 60 * MIN, 1, alerts)
    expect(alerts).toEqual([])
    const burst1 = T0 + 14 * 24 * 60 * MIN
    feed(engine, burst1, burst1 + 30 * MIN, 15, alerts, 'https://mail.example/spring')
    expect(alerts).toHaveLength(1)
    expect(alerts[0]!.diagnosis.cause).toBe('organic_surge')
    const ack = transition(
      openAlert(alerts[0]!).record,
      {
        type: 'acknowledge',
        actor: 'ops',
        expectedAs: 'campaign',
        note: 'spring mailing',
        expiresAt: burst1 + 3 * 24 * 60 * MIN,
      },
      burst1 + 40 * MIN,
    )
    engine.addSuppression(ack.suppression!)
    feed(engine, burst1 + 30 * MIN, burst1 + 24 * 60 * MIN, 1, alerts)
    const burst2 = burst1 + 24 * 60 * MIN
    feed(engine, burst2, burst2 + 30 * MIN, 15, alerts, 'https://mail.example/spring')
    expect(alerts).toHaveLength(2)
    expect(alerts[1]!.foldedInto).toBe(alerts[0]!.id)
    expect(engine.stats()).toMatchObject({ alerts: 1, folded: 1 })
  })
})
