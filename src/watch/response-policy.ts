import { z } from 'zod'

/** What a tenant lets Parley do on its own when an alert opens. Everything is off by default. */
export const responsePolicySchema = z.strictObject({
  /** On a bot flood: refuse new widget connections from the flooding network for a while. */
  botFlood: z.enum(['off', 'throttle_widget']).default('off'),
  /**
   * On likely data exfiltration: disable the agent and end their sessions until an admin looks;
   * or make every session of the agent verify an MFA code before it reads transcripts again
   * (an agent without MFA is suspended instead).
   */
  dataExfiltration: z.enum(['off', 'suspend_agent', 'require_step_up']).default('off'),
  /** On credential stuffing: lock sign-in for every account that failed one since the onset. */
  credentialStuffing: z.enum(['off', 'lock_accounts']).default('off'),
  /** On API token abuse: suspend the token until an admin reviews and lifts the suspension. */
  tokenAbuse: z.enum(['off', 'suspend_token']).default('off'),
  throttleMinutes: z.number().int().min(5).max(1440).default(30),
})

export type ResponsePolicy = z.infer<typeof responsePolicySchema>
export const DEFAULT_RESPONSE_POLICY: ResponsePolicy = responsePolicySchema.parse({})

/**
 * Each response's choices with the words the console shows, from the schema itself
 * (this file imports only zod, so the console can use it).
 */
export const RESPONSE_CHOICES = {
  botFlood: { label: 'Bot flood', choices: responsePolicySchema.shape.botFlood.unwrap().options },
  credentialStuffing: {
    label: 'Credential stuffing',
    choices: responsePolicySchema.shape.credentialStuffing.unwrap().options,
  },
  dataExfiltration: {
    label: 'Likely data exfiltration',
    choices: responsePolicySchema.shape.dataExfiltration.unwrap().options,
  },
  tokenAbuse: { label: 'API token abuse', choices: responsePolicySchema.shape.tokenAbuse.unwrap().options },
} as const
