import type { WatchAlert } from './engine.js'

/** An e-mail about an alert: plain text only, so no markup from evidence can render in a mail client. */
export interface AlertMail {
  subject: string
  text: string
}

const CAUSE_TITLES: Record<string, string> = {
  bot_flood: 'bot flood',
  organic_surge: 'organic surge (campaign?)',
  credential_stuffing: 'credential stuffing',
  brute_force: 'brute force on one account',
  data_exfiltration: 'possible data exfiltration',
  token_abuse: 'API token abuse',
  widget_abuse: 'widget loaded from unknown origins',
  unknown: 'unexplained change',
}

/** What the tenant's admins read when an alert opens: what, since when, why we think so, what to do. */
export function renderAlertMail(alert: WatchAlert, tenantName: string, consoleUrl: string): AlertMail {
  const cause = CAUSE_TITLES[alert.diagnosis.cause] ?? alert.diagnosis.cause
  const evidence = alert.diagnosis.evidence.map(
    (e) =>
      `  - ${e.metric}: ${e.value}${e.baseline !== undefined ? ` (usual ${e.baseline})` : ''}${e.detail ? ` ${e.detail}` : ''}`,
  )
  return {
    subject: `[Parley] ${alert.severity} alert for ${tenantName}: ${cause} (${alert.signal})`,
    text: [
      `Parley noticed unusual activity for ${tenantName}.`,
      '',
      `Signal:     ${alert.signal}${alert.subject ? ` (${alert.subject})` : ''}`,
      `Since:      ${alert.onset} (detected ${alert.detectedAt})`,
      `Observed:   ${alert.observed} in ${alert.windowMinutes} min, usually ${alert.expected}`,
      `Likely:     ${cause}, confidence ${Math.round(alert.diagnosis.confidence * 100)}%`,
      '',
      'Evidence:',
      ...evidence,
      '',
      `Recommended: ${alert.recommendation}`,
      '',
      `Expected it (a campaign, a test)? Acknowledge it so similar alerts are folded in; otherwise escalate it:`,
      `${consoleUrl}`,
    ].join('\n'),
  }
}
