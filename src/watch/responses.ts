import { z } from 'zod'
import { networkOf } from './diagnosis.js'
import type { WatchAlert } from './engine.js'
import type { ResponsePolicy } from './response-policy.js'
import type { WatchBus } from './watch-service.js'

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

const THROTTLE_TOPIC = 'widget-throttle'
const throttleNoticeSchema = z.object({
  tenantId: z.string().min(1).max(200),
  network: z.string().min(1).max(100),
  until: z.number(),
})

/**
 * Networks whose new widget connections are refused for a while, per tenant. A block made on
 * one node is told to the others (through the bus), so a flood spread over several nodes is
 * refused on all of them.
 */
export class WidgetThrottle {
  readonly #blocked = new Map<string, Map<string, number>>()

  constructor(private readonly bus: WatchBus | null = null) {
    bus?.fromOtherNodes(THROTTLE_TOPIC, throttleNoticeSchema, (n) =>
      this.#block(n.tenantId, n.network, n.until),
    )
  }

  block(tenantId: string, network: string, until: number): void {
    this.#block(tenantId, network, until)
    this.bus?.toOtherNodes(THROTTLE_TOPIC, { tenantId, network, until })
  }

  #block(tenantId: string, network: string, until: number): void {
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
