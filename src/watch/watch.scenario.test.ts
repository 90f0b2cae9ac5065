import { beforeAll, describe, expect, it } from 'vitest'
import type { Cause } from './diagnosis.js'
import { type WatchAlert, WatchEngine } from './engine.js'
import { generateScenario, type IncidentSpec, type Scenario, type TenantProfile } from './scenario.js'

const MINUTE = 60_000
const TENANTS: TenantProfile[] = [
  { name: 'bank', conversationsPerDay: 1500, agents: 12, tokens: 2, utcOffsetHours: 1, growthPerMonth: 0.3 },
  { name: 'clinic', conversationsPerDay: 300, agents: 6, tokens: 1, utcOffsetHours: -5, growthPerMonth: 0.3 },
]
const INCIDENTS: IncidentSpec[] = [
  { kind: 'bot_flood', tenant: 'clinic', day: 9, hour: 11, minutes: 60, factor: 10 },
  { kind: 'organic_surge', tenant: 'bank', day: 9, hour: 15, minutes: 120, factor: 10 },
  { kind: 'credential_stuffing', tenant: 'bank', day: 10, hour: 3, minutes: 40 },
  { kind: 'brute_force', tenant: 'clinic', day: 10, hour: 16, minutes: 25 },
  { kind: 'data_exfiltration', tenant: 'bank', day: 11, hour: 2, minutes: 60 },
  { kind: 'token_abuse', tenant: 'clinic', day: 11, hour: 14, minutes: 45 },
  { kind: 'widget_abuse', tenant: 'bank', day: 12, hour: 10, minutes: 60 },
  { kind: 'unknown', tenant: 'clinic', day: 12, hour: 13, minutes: 30 },
]

function run(s: Scenario): WatchAlert[] {
  const engine = new WatchEngine()
  const alerts: WatchAlert[] = []
  for (const e of s.events) alerts.push(...engine.ingest(e))
  alerts.push(...engine.flush())
  return alerts
}

function firstAlertFor(
  alerts: WatchAlert[],
  tenant: string,
  onset: number,
  end: number,
): WatchAlert | undefined {
  return alerts
    .filter(
      (a) =>
        a.tenant === tenant &&
        Date.parse(a.detectedAt) >= onset &&
        Date.parse(a.detectedAt) <= end + 30 * MINUTE,
    )
    .sort((a, b) => Date.parse(a.detectedAt) - Date.parse(b.detectedAt))[0]
}

describe('watch engine over generated traffic', () => {
  let quiet: WatchAlert[]
  let scenario: Scenario
  let alerts: WatchAlert[]

  beforeAll(() => {
    // Two weeks of weekly cycles and +30%/month growth, no incidents at all.
    quiet = run(generateScenario({ seed: 11, days: 14, tenants: TENANTS }))
    scenario = generateScenario({ seed: 5, days: 13, tenants: TENANTS, incidents: INCIDENTS })
    alerts = run(scenario)
  })

  it('raises nothing over normal weekly cycles and gradual growth', () => {
    expect(quiet).toEqual([])
  })

  it('flags a 10× conversation surge within 10 minutes of its onset', () => {
    for (const kind of ['bot_flood', 'organic_surge'] as const) {
      const inc = scenario.incidents.find((i) => i.kind === kind)!
      const alert = firstAlertFor(alerts, inc.tenant, inc.onset, inc.end)
      expect(alert, kind).toBeDefined()
      expect(Date.parse(alert!.detectedAt) - inc.onset).toBeLessThanOrEqual(10 * MINUTE)
    }
  })

  it.each(INCIDENTS.map((i) => [i.kind] as [Cause]))('diagnoses an injected %s as such', (kind) => {
    const inc = scenario.incidents.find((i) => i.kind === kind)!
    const alert = firstAlertFor(alerts, inc.tenant, inc.onset, inc.end)
    expect(alert).toBeDefined()
    expect(alert!.diagnosis.cause).toBe(kind)
    expect(alert!.diagnosis.confidence).toBeGreaterThan(0)
    expect(alert!.diagnosis.evidence.length).toBeGreaterThan(0)
  })

  it('raises one alert per incident, not a storm', () => {
    for (const inc of scenario.incidents) {
      const during = alerts.filter(
        (a) =>
          a.tenant === inc.tenant &&
          Date.parse(a.detectedAt) >= inc.onset &&
          Date.parse(a.detectedAt) <= inc.end,
      )
      expect(during.length, inc.kind).toBeLessThanOrEqual(2)
    }
    expect(alerts.length).toBeLessThanOrEqual(INCIDENTS.length + 2)
  })
})
