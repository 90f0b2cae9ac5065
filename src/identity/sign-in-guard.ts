import { ParleyError } from '../errors/index.js'
import type { EventStream, Origin } from '../events/index.js'
import type { Store } from '../store/index.js'
import type { AgentRole } from './context.js'
import { afterFailure, FRESH_THROTTLE, lockRemaining, type ThrottleState } from './lockout.js'
import { hashSecret } from './secrets.js'

/** The agent fields a sign-in step reports on. */
export type SignInAgent = { id: string; tenant_id: string; role: AgentRole; email: string; disabled: number }

/** An account name's failure count as read at the start of a sign-in step. */
export interface Throttle {
  key: string
  /** Whether a row exists (a success clears it). */
  row: boolean
  state: ThrottleState
}

/**
 * The lockout rules (lockout.ts) applied to every sign-in step, password and second factor
 * alike: failures counted per account name in the database (shared by every node), locked
 * names refused first, and each outcome an `auth.login` event.
 */
export class SignInGuard {
  constructor(
    private readonly store: Store,
    private readonly events: EventStream,
  ) {}

  /** The failure count of an account name (a hash of the e-mail, whether or not such an agent exists). */
  async throttle(email: string): Promise<Throttle> {
    const key = `login:${hashSecret(email.trim().toLowerCase())}`
    const row = await this.store.signInThrottle.get(key)
    const state = row
      ? { failures: row.failures, windowStart: row.window_start, lockedUntil: row.locked_until }
      : FRESH_THROTTLE
    return { key, row: row !== undefined, state }
  }

  /** A locked name is refused before any credential is looked at: the lock is no oracle. */
  async refuseLocked(
    throttle: Throttle,
    agent: SignInAgent | undefined,
    origin: Origin,
    reason: string,
  ): Promise<void> {
    const remaining = lockRemaining(throttle.state, Date.now())
    if (remaining <= 0) return
    if (agent) this.loginEvent(agent, origin, 'failure', reason)
    throw new ParleyError(
      'PARLEY_ERR_AUTH_LOCKED',
      'too many failed sign-ins for this account; try again later or ask an admin to unlock it',
      { retryAfterMs: remaining },
    )
  }

  async countFailure(throttle: Throttle, tenantId: string | null): Promise<void> {
    const now = Date.now()
    const next = afterFailure(throttle.state, now)
    await this.store.signInThrottle.put({
      key: throttle.key,
      tenant_id: tenantId,
      failures: next.failures,
      window_start: next.windowStart,
      locked_until: next.lockedUntil,
      updated_at: now,
    })
  }

  /** A complete sign-in: the count starts over, and the success is an event. */
  async succeeded(throttle: Throttle, agent: SignInAgent, origin: Origin): Promise<void> {
    if (throttle.row) await this.store.signInThrottle.clear(throttle.key)
    this.loginEvent(agent, origin, 'success')
  }

  /** Ends the count and any lock of an account name. */
  async clear(email: string): Promise<void> {
    await this.store.signInThrottle.clear((await this.throttle(email)).key)
  }

  loginEvent(
    agent: Omit<SignInAgent, 'disabled'>,
    origin: Origin,
    outcome: 'success' | 'failure',
    reason?: string,
  ): void {
    this.events.emit({
      type: 'auth.login',
      tenant: agent.tenant_id,
      actor: { kind: 'agent', id: agent.id, role: agent.role },
      origin,
      outcome,
      username: agent.email,
      ...(reason ? { reason } : {}),
    })
  }
}
