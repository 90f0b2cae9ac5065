import { describe, expect, it } from 'vitest'
import type { WatchAlert } from './engine.js'
import { effectiveState, foldAlert, openAlert, transition } from './lifecycle.js'

const H = 3_600_000
const T0 = Date.UTC(2026, 2, 10, 9)
const alert = (cause: WatchAlert['diagnosis']['cause'], at = T0, group = 'traffic'): WatchAlert => ({
  id: `acme:${group}:-:${at}`,
  tenant: 'acme',
  group,
  signal: 'conversations',
  onset: new Date(at - 5 * 60_000).toISOString(),
  detectedAt: new Date(at).toISOString(),
  severity: 'low',
  diagnosis: { cause, confidence: 0.7, evidence: [] },
  recommendation: '',
  observed: 100,
  expected: 10,
  windowMinutes: 5,
})

describe('alert lifecycle', () => {
  it('opens an alert with an audit entry by the watch itself', () => {
    const { record, audit } = openAlert(alert('organic_surge'))
    expect(record.state).toBe('open')
    expect(audit).toMatchObject({ action: 'watch.alert.opened', actor: 'watch', from: null, to: 'open' })
  })

  it('acknowledges as expected with a note and expiry, returning a suppression and an audit entry', () => {
    const { record } = openAlert(alert('organic_surge'))
    const t = transition(
      record,
      {
        type: 'acknowledge',
        actor: 'ops@acme',
        expectedAs: 'campaign',
        note: 'spring mailing',
        expiresAt: T0 + 48 * H,
      },
      T0 + H,
    )
    expect(t.record).toMatchObject({ state: 'acknowledged', note: 'spring mailing', expectedAs: 'campaign' })
    expect(t.audit).toMatchObject({
      action: 'watch.alert.acknowledged',
      actor: 'ops@acme',
      from: 'open',
      to: 'acknowledged',
    })
    expect(t.suppression).toEqual({
      alertId: record.id,
      tenant: 'acme',
      group: 'traffic',
      cause: 'organic_surge',
      until: T0 + 48 * H,
    })
    expect(record.state).toBe('open')
  })

  it('rejects an acknowledgement without a note or with a past expiry with PARLEY_ERR_WATCH_ACK_INVALID', () => {
    const { record } = openAlert(alert('organic_surge'))
    const ack = { type: 'acknowledge' as const, actor: 'ops', expectedAs: 'test' as const }
    expect(() => transition(record, { ...ack, note: '   ', expiresAt: T0 + H }, T0)).toThrow(
      expect.objectContaining({ code: 'PARLEY_ERR_WATCH_ACK_INVALID', statusCode: 400 }),
    )
    expect(() => transition(record, { ...ack, note: 'load test', expiresAt: T0 - 1 }, T0)).toThrow(
      expect.objectContaining({ code: 'PARLEY_ERR_WATCH_ACK_INVALID' }),
    )
    expect(() => transition(record, { ...ack, note: 'load test', expiresAt: T0 + 31 * 24 * H }, T0)).toThrow(
      expect.objectContaining({ code: 'PARLEY_ERR_WATCH_ACK_INVALID' }),
    )
  })

  it('escalates to an incident then resolves; a resolved alert refuses further steps with PARLEY_ERR_WATCH_TRANSITION', () => {
    const { record } = openAlert(alert('bot_flood'))
    const esc = transition(record, { type: 'escalate', actor: 'sec', incident: 'INC-7' }, T0 + 1)
    expect(esc.record).toMatchObject({ state: 'escalated', incident: 'INC-7' })
    const res = transition(esc.record, { type: 'resolve', actor: 'sec', note: 'blocked /24' }, T0 + 2)
    expect(res.audit).toMatchObject({ from: 'escalated', to: 'resolved', note: 'blocked /24' })
    expect(() =>
      transition(res.record, { type: 'escalate', actor: 'sec', incident: 'INC-8' }, T0 + 3),
    ).toThrow(expect.objectContaining({ code: 'PARLEY_ERR_WATCH_TRANSITION', statusCode: 409 }))
    expect(() =>
      transition(
        esc.record,
        { type: 'acknowledge', actor: 'x', expectedAs: 'test', note: 'n', expiresAt: T0 + H },
        T0 + 3,
      ),
    ).toThrow(expect.objectContaining({ code: 'PARLEY_ERR_WATCH_TRANSITION' }))
  })

  it('folds a similar alert into a live acknowledgement and stops folding after expiry', () => {
    const { record } = openAlert(alert('organic_surge'))
    const acked = transition(
      record,
      { type: 'acknowledge', actor: 'ops', expectedAs: 'campaign', note: 'tv ad', expiresAt: T0 + 24 * H },
      T0,
    ).record
    const folded = foldAlert(acked, alert('organic_surge', T0 + 3 * H))
    expect(folded?.record.foldedCount).toBe(1)
    expect(folded?.audit).toMatchObject({
      action: 'watch.alert.folded',
      foldedAlertId: `acme:traffic:-:${T0 + 3 * H}`,
    })
    expect(foldAlert(acked, alert('bot_flood', T0 + 3 * H))).toBeNull()
    expect(foldAlert(acked, alert('organic_surge', T0 + 3 * H, 'auth'))).toBeNull()
    expect(foldAlert(acked, alert('organic_surge', T0 + 25 * H))).toBeNull()
    expect(effectiveState(acked, T0 + 25 * H)).toBe('resolved')
  })
})
