import { randomUUID } from 'node:crypto'
import { ParleyError } from '../errors/index.js'
import type { EventStream, Origin } from '../events/index.js'
import type { Store } from '../store/index.js'
import type { AgentContext, AgentRole } from './context.js'
import { afterFailure, FRESH_THROTTLE, lockRemaining } from './lockout.js'
import { hashPassword, hashSecret, newSecret, verifyPassword } from './secrets.js'

export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000
export const SETUP_LINK_TTL_MS = 72 * 60 * 60 * 1000
export const MIN_PASSWORD_LENGTH = 12

export interface NewSession {
  token: string
  agentId: string
  tenantId: string
  expiresAt: number
}

/**
 * Agents' sign-in: one-time setup links (there is no default password anywhere), argon2id
 * passwords and server-side sessions whose ids are stored hashed.
 */
export class IdentityService {
  constructor(
    private readonly store: Store,
    private readonly events: EventStream,
    private readonly publicUrl: string,
  ) {}

  async createAgent(input: {
    tenantId: string
    email: string
    name: string
    role: AgentRole
    capacity: number
  }): Promise<{ agentId: string; setupUrl: string; setupExpiresAt: number }> {
    const agentId = randomUUID()
    const email = input.email.trim().toLowerCase()
    if (await this.store.directory.agentByEmail(email)) {
      throw new ParleyError('PARLEY_ERR_CONFLICT', 'an agent with this email already exists', {
        field: 'email',
      })
    }
    await this.store.directory.insertAgent({
      id: agentId,
      tenant_id: input.tenantId,
      email,
      name: input.name,
      role: input.role,
      capacity: input.capacity,
    })
    const link = await this.issueSetupLink(input.tenantId, agentId)
    return { agentId, ...link }
  }

  /** A new one-time link for an agent to set a password; any earlier unused link stays valid until it expires. */
  async issueSetupLink(
    tenantId: string,
    agentId: string,
  ): Promise<{ setupUrl: string; setupExpiresAt: number }> {
    const token = newSecret()
    const expiresAt = Date.now() + SETUP_LINK_TTL_MS
    await this.store.directory.insertSetupToken({
      tokenHash: hashSecret(token),
      tenantId,
      agentId,
      expiresAt,
    })
    return { setupUrl: `${this.publicUrl}/console/setup#token=${token}`, setupExpiresAt: expiresAt }
  }

  /** Sets the password of the link's agent (and optionally their name and email), then signs them in. */
  async completeSetup(
    token: string,
    password: string,
    origin: Origin,
    profile: { name?: string | undefined; email?: string | undefined } = {},
  ): Promise<NewSession> {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new ParleyError(
        'PARLEY_ERR_AUTH_PASSWORD_WEAK',
        `the password needs at least ${MIN_PASSWORD_LENGTH} characters`,
        {
          min: MIN_PASSWORD_LENGTH,
        },
      )
    }
    const owner = await this.store.directory.consumeSetupToken(hashSecret(token), Date.now())
    if (!owner)
      throw new ParleyError('PARLEY_ERR_AUTH_SETUP_INVALID', 'this setup link is unknown, used or expired')
    const email = profile.email?.trim().toLowerCase()
    if (email) {
      const other = await this.store.directory.agentByEmail(email)
      if (other && other.id !== owner.agent_id)
        throw new ParleyError('PARLEY_ERR_CONFLICT', 'an agent with this email already exists', {
          field: 'email',
        })
    }
    await this.store.directory.updateAgent(owner.tenant_id, owner.agent_id, {
      password_hash: await hashPassword(password),
      ...(profile.name ? { name: profile.name } : {}),
      ...(email ? { email } : {}),
    })
    this.events.emit({
      type: 'auth.setup_completed',
      tenant: owner.tenant_id,
      actor: { kind: 'agent', id: owner.agent_id, role: 'unknown' },
      origin,
      agentId: owner.agent_id,
    })
    return this.#startSession(owner.tenant_id, owner.agent_id, origin)
  }

  async login(email: string, password: string, origin: Origin): Promise<NewSession> {
    const name = email.trim().toLowerCase()
    const agent = await this.store.directory.agentByEmail(name)
    const throttleKey = `login:${hashSecret(name)}`
    const throttle = await this.store.signInThrottle.get(throttleKey)
    const state = throttle
      ? {
          failures: throttle.failures,
          windowStart: throttle.window_start,
          lockedUntil: throttle.locked_until,
        }
      : FRESH_THROTTLE
    const now = Date.now()
    // A locked name is refused before the password is looked at: the lock is no oracle.
    const remaining = lockRemaining(state, now)
    if (remaining > 0) {
      if (agent) this.#loginEvent(agent, origin, 'failure', 'locked')
      throw new ParleyError(
        'PARLEY_ERR_AUTH_LOCKED',
        'too many failed sign-ins for this account; try again later or ask an admin to unlock it',
        { retryAfterMs: remaining },
      )
    }
    const ok = await verifyPassword(agent?.password_hash ?? null, password)
    if (!agent || !ok || agent.disabled) {
      const next = afterFailure(state, now)
      await this.store.signInThrottle.put({
        key: throttleKey,
        tenant_id: agent?.tenant_id ?? null,
        failures: next.failures,
        window_start: next.windowStart,
        locked_until: next.lockedUntil,
        updated_at: now,
      })
      if (agent) this.#loginEvent(agent, origin, 'failure', agent.disabled ? 'disabled' : 'bad_password')
      // One answer for every failure: the client learns nothing about which part was wrong.
      throw new ParleyError('PARLEY_ERR_AUTH_FAILED', 'email or password not accepted')
    }
    if (throttle) await this.store.signInThrottle.clear(throttleKey)
    this.#loginEvent(agent, origin, 'success')
    return this.#startSession(agent.tenant_id, agent.id, origin)
  }

  #loginEvent(
    agent: { id: string; tenant_id: string; role: AgentRole; email: string },
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

  /** Ends a lock on an agent's sign-in (an admin vouches for them). */
  async unlockSignIn(tenantId: string, agentId: string): Promise<void> {
    const agent = await this.store.directory.agent(tenantId, agentId)
    if (!agent) throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'agent not found', { resource: 'agent' })
    await this.store.signInThrottle.clear(`login:${hashSecret(agent.email)}`)
  }

  /**
   * Locks every account of the tenant that failed a sign-in since `since`, until `until`
   * (the automatic response to credential stuffing). Returns how many were locked.
   */
  lockRecentlyFailed(tenantId: string, since: number, until: number): Promise<number> {
    return this.store.signInThrottle.lockFailedSince(tenantId, since, until)
  }

  async #startSession(tenantId: string, agentId: string, origin: Origin): Promise<NewSession> {
    const token = newSecret()
    const expiresAt = Date.now() + SESSION_IDLE_MS
    await this.store.directory.insertSession({
      idHash: hashSecret(token),
      tenantId,
      agentId,
      expiresAt,
      ip: origin.ip ?? null,
      userAgent: origin.userAgent ?? null,
    })
    return { token, agentId, tenantId, expiresAt }
  }

  /** The agent behind a session token, sliding its idle expiry; null when unknown, expired or disabled. */
  async resolveSession(token: string, origin: Origin): Promise<AgentContext | null> {
    const idHash = hashSecret(token)
    const row = await this.store.directory.sessionWithAgent(idHash)
    const now = Date.now()
    if (!row || row.expires_at <= now || row.disabled) return null
    // Touch at most once a minute: a busy console must not write on every request.
    if (now - row.last_seen_at > 60_000)
      await this.store.directory.touchSession(idHash, now, now + SESSION_IDLE_MS)
    return {
      kind: 'agent',
      tenantId: row.tenant_id,
      agentId: row.agent_id,
      role: row.role,
      name: row.name,
      sessionHash: idHash,
      origin,
    }
  }

  async logout(ctx: AgentContext): Promise<void> {
    await this.store.directory.deleteSession(ctx.sessionHash)
    this.events.emit({
      type: 'auth.logout',
      tenant: ctx.tenantId,
      actor: { kind: 'agent', id: ctx.agentId, role: ctx.role },
      origin: ctx.origin,
      sessionId: ctx.sessionHash.slice(0, 12),
    })
  }
}
