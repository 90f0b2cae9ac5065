import { networkOf } from './diagnosis.js'
import type { WatchAlert } from './engine.js'
import type { ResponsePolicy } from './response-policy.js'

export {
  DEFAULT_RESPONSE_POLICY,
  RESPONSE_CHOICES,
  type ResponsePolicy,
  responsePolicySchema,
} from './response-policy.js'

export type PlannedResponse =
  | { response: 'throttle_widget'; network: string; until: number }
  | { response: 'suspend_agent' | 'require_step_up'; agentId: string }
  | { response: 'lock_accounts'; since: number; until: number }
  | { response: 'suspend_token'; tokenId: string }

/** Which responses an alert calls for under a policy (pure: the caller carries them out). */
export function plannedResponses(alert: WatchAlert, policy: ResponsePolicy, now: number): PlannedResponse[] {
  const cause = alert.diagnosis.cause
  if (cause === 'bot_flood' && policy.botFlood === 'throttle_widget') {
    const network = alert.diagnosis.evidence.find((e) => e.metric === 'top_network_share')?.detail
    return network
      ? [{ response: 'throttle_widget', network, until: now + policy.throttleMinutes * 60_000 }]
      : []
  }
  if (cause === 'data_exfiltration' && policy.dataExfiltration !== 'off' && alert.subject) {
    return [{ response: policy.dataExfiltration, agentId: alert.subject }]
  }
  if (cause === 'token_abuse' && policy.tokenAbuse === 'suspend_token' && alert.subject) {
    return [{ response: 'suspend_token', tokenId: alert.subject }]
  }
  if (cause === 'credential_stuffing' && policy.credentialStuffing === 'lock_accounts') {
    // From the onset, less the alert's window: the failures that made the surge count too.
    const since = Date.parse(alert.onset) - alert.windowMinutes * 60_000
    return [{ response: 'lock_accounts', since, until: now + policy.throttleMinutes * 60_000 }]
  }
  return []
}

/** Networks whose new widget connections are refused for a while, per tenant (this node). */
export class WidgetThrottle {
  readonly #blocked = new Map<string, Map<string, number>>()

  block(tenantId: string, network: string, until: number): void {
    let nets = this.#blocked.get(tenantId)
    if (!nets) {
      nets = new Map()
      this.#blocked.set(tenantId, nets)
    }
    nets.set(network, Math.max(until, nets.get(network) ?? 0))
  }

  /** The time the throttle on this address ends, or null when it is not throttled. */
  throttledUntil(tenantId: string, ip: string, now: number): number | null {
    const until = this.#blocked.get(tenantId)?.get(networkOf(ip))
    return until !== undefined && until > now ? until : null
  }
}
