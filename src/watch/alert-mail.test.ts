import { describe, expect, it } from 'vitest'
import { renderAlertMail } from './alert-mail.js'
import type { WatchAlert } from './engine.js'

const alert: WatchAlert = {
  id: 'a1',
  tenant: 't1',
  group: 'traffic',
  signal: 'conversations',
  onset: '2026-11-25T10:00:00.000Z',
  detectedAt: '2026-11-25T10:03:00.000Z',
  severity: 'high',
  diagnosis: {
    cause: 'bot_flood',
    confidence: 0.82,
    evidence: [{ metric: 'top_ip_share', value: 0.9, baseline: 0.05, detail: '<b>x</b>' }],
  },
  recommendation: 'Throttle the widget.',
  observed: 400,
  expected: 3,
  windowMinutes: 10,
}

describe('renderAlertMail', () => {
  it('says what happened, why and what to do, in plain text', () => {
    const mail = renderAlertMail(alert, 'Acme Bank', 'https://chat.acme.test/console')
    expect(mail.subject).toBe('[Parley] high alert for Acme Bank: bot flood (conversations)')
    expect(mail.text).toContain('Observed:   400 in 10 min, usually 3')
    expect(mail.text).toContain('confidence 82%')
    expect(mail.text).toContain('top_ip_share: 0.9 (usual 0.05) <b>x</b>')
    expect(mail.text).toContain('Recommended: Throttle the widget.')
    expect(mail.text).toContain('https://chat.acme.test/console')
  })
})
