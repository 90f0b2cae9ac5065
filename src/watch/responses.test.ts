import { describe, expect, it } from 'vitest'
import type { WatchAlert } from './engine.js'
import { plannedResponses, responsePolicySchema, WidgetThrottle } from './responses.js'

const base: WatchAlert = {
  id: 'a',
  tenant: 't',
  group: 'traffic',
  signal: 'conversations',
  onset: '2026-11-25T10:00:00.000Z',
  detectedAt: '2026-11-25T10:02:00.000Z',
  severity: 'high',
  diagnosis: {
    cause: 'bot_flood',
    confidence: 0.9,
    evidence: [{ metric: 'top_network_share', value: 0.95, detail: '203.0.113.0/24' }],
  },
  recommendation: '',
  observed: 400,
  expected: 3,
  windowMinutes: 10,
}

/** One agent reading far beyond their history. */
const exfiltration: WatchAlert = {
  ...base,
  signal: 'transcript_reads',
  subject: 'agent-7',
  diagnosis: { ...base.diagnosis, cause: 'data_exfiltration' },
}

describe('automatic responses', () => {
  it('does nothing unless the tenant turned a response on', () => {
    expect(plannedResponses(base, responsePolicySchema.parse({}), 0)).toEqual([])
  })

  it('throttles the flooding network for the configured time', () => {
    const policy = responsePolicySchema.parse({ botFlood: 'throttle_widget', throttleMinutes: 15 })
    expect(plannedResponses(base, policy, 1000)).toEqual([
      { response: 'throttle_widget', network: '203.0.113.0/24', until: 1000 + 15 * 60_000 },
    ])
    const throttle = new WidgetThrottle()
    throttle.block('t', '203.0.113.0/24', 5000)
    expect(throttle.throttledUntil('t', '203.0.113.77', 1000)).toBe(5000)
    expect(throttle.throttledUntil('t', '203.0.114.77', 1000)).toBeNull()
    expect(throttle.throttledUntil('other', '203.0.113.77', 1000)).toBeNull()
    expect(throttle.throttledUntil('t', '203.0.113.77', 6000)).toBeNull()
  })

  it('suspends the agent an exfiltration alert is about', () => {
    expect(
      plannedResponses(exfiltration, responsePolicySchema.parse({ dataExfiltration: 'suspend_agent' }), 0),
    ).toEqual([{ response: 'suspend_agent', agentId: 'agent-7' }])
    expect(
      plannedResponses(exfiltration, responsePolicySchema.parse({ botFlood: 'throttle_widget' }), 0),
    ).toEqual([])
  })

  it('asks every session of that agent to step up instead, when the policy says require_step_up', () => {
    expect(
      plannedResponses(exfiltration, responsePolicySchema.parse({ dataExfiltration: 'require_step_up' }), 0),
    ).toEqual([{ response: 'require_step_up', agentId: 'agent-7' }])
    // A tenant-wide alert names no agent: nobody is asked.
    const { subject: _, ...tenantWide } = exfiltration
    expect(
      plannedResponses(tenantWide, responsePolicySchema.parse({ dataExfiltration: 'require_step_up' }), 0),
    ).toEqual([])
    expect(responsePolicySchema.safeParse({ dataExfiltration: 'step_up' }).success).toBe(false)
  })

  it('locks the accounts that failed since the onset of credential stuffing', () => {
    const alert = {
      ...base,
      group: 'auth',
      signal: 'login_failures',
      diagnosis: { ...base.diagnosis, cause: 'credential_stuffing' as const },
    }
    const policy = responsePolicySchema.parse({ credentialStuffing: 'lock_accounts', throttleMinutes: 60 })
    expect(plannedResponses(alert, policy, 5000)).toEqual([
      {
        response: 'lock_accounts',
        since: Date.parse('2026-11-25T10:00:00.000Z') - 10 * 60_000,
        until: 5000 + 60 * 60_000,
      },
    ])
    expect(
      plannedResponses(alert, responsePolicySchema.parse({ dataExfiltration: 'suspend_agent' }), 0),
    ).toEqual([])
  })

  it('suspends the API token a token-abuse alert is about, only when the policy says so', () => {
    const alert = {
      ...base,
      group: 'api',
      signal: 'api_requests',
      subject: '0123456789abcdef',
      diagnosis: { ...base.diagnosis, cause: 'token_abuse' as const },
    }
    expect(plannedResponses(alert, responsePolicySchema.parse({ tokenAbuse: 'suspend_token' }), 0)).toEqual([
      { response: 'suspend_token', tokenId: '0123456789abcdef' },
    ])
    expect(
      plannedResponses(alert, responsePolicySchema.parse({ dataExfiltration: 'suspend_agent' }), 0),
    ).toEqual([])
    const { subject: _, ...tenantWide } = alert
    expect(
      plannedResponses(tenantWide, responsePolicySchema.parse({ tokenAbuse: 'suspend_token' }), 0),
    ).toEqual([])
    expect(responsePolicySchema.safeParse({ tokenAbuse: 'revoke_token' }).success).toBe(false)
  })

  it('refuses unknown responses in a policy', () => {
    expect(responsePolicySchema.safeParse({ botFlood: 'nuke' }).success).toBe(false)
    expect(responsePolicySchema.safeParse({ extra: true }).success).toBe(false)
  })
})
