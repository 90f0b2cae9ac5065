/** Matches engine alerts to a scenario's injected incidents (truth) for `bench:watch`. */
import type { Incident, Scenario, WatchAlert } from '../src/watch/index.js'

const MINUTE = 60_000

export interface IncidentMatch {
  incident: Incident
  alert: WatchAlert | null
  delayMinutes: number | null
}

/**
 * An alert belongs to an incident of the same tenant when it is detected between the onset and
 * 30 minutes after the incident ended; the earliest such alert is the detection. Every other
 * alert is a false alarm.
 */
export function matchAlerts(
  scenario: Scenario,
  alerts: readonly WatchAlert[],
): { incidents: IncidentMatch[]; falseAlarms: WatchAlert[] } {
  const used = new Set<WatchAlert>()
  const incidents = scenario.incidents.map((incident) => {
    let first: WatchAlert | null = null
    for (const a of alerts) {
      const at = Date.parse(a.detectedAt)
      if (a.tenant !== incident.tenant || at < incident.onset || at > incident.end + 30 * MINUTE) continue
      used.add(a)
      if (first === null || at < Date.parse(first.detectedAt)) first = a
    }
    return {
      incident,
      alert: first,
      delayMinutes: first === null ? null : (Date.parse(first.detectedAt) - incident.onset) / MINUTE,
    }
  })
  return { incidents, falseAlarms: alerts.filter((a) => !used.has(a) && a.foldedInto === undefined) }
}
