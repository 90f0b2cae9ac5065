import { randomUUID } from 'node:crypto'
import { ParleyError } from '../errors/index.js'
import type { EventStream, Origin } from '../events/index.js'
import type { Store } from '../store/index.js'
import { type AgentContext, type AgentRole, actorOf } from './context.js'
import { MFA_CHALLENGE_MAX_ATTEMPTS, MFA_CHALLENGE_TTL_MS, type MfaService } from './mfa.js'
import { hashPassword, hashSecret, newSecret, verifyPassword } from './secrets.js'
import { type SignInAgent, SignInGuard, type Throttle } from './sign-in-guard.js'

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
 * What a correct password leads to: a session, or (for an agent with MFA, or without it when
 * the tenant requires it) a 5-minute challenge to verify a code or to enrol first.
 */
export type SignInResult =
  | { kind: 'session'; session: NewSession }
  | { kind: 'mfa'; step: 'verify' | 'enrol'; challenge: string; expiresAt: number }

const challengeInvalid = () =>
  new ParleyError(
    'PARLEY_ERR_MFA_CHALLENGE_INVALID',
    'this sign-in step is unknown, expired or used; sign in again',
  )

/**
 * Agents' sign-in: one-time setup links (there is no default password anywhere), argon2id
 * passwords and server-side sessions whose ids are stored hashed.
 */
export class IdentityService {
  constructor(
    private readonly store: Store,
    private readonly events: EventStream,
    private readonly publicUrl: string,
    readonly mfa: MfaService,
  ) {
    this.guard = new SignInGuard(store, events)
  }

  /** Failure counts, locks and the `auth.login` events of every sign-in step. */
  private readonly guard: SignInGuard

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
  ): Promise<SignInResult> {
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
    const agent = await this.store.directory.agent(owner.tenant_id, owner.agent_id)
    if (!agent)
      throw new ParleyError('PARLEY_ERR_AUTH_SETUP_INVALID', 'this setup link is unknown, used or expired')
    // A setup link proves the password step only: an agent with MFA still verifies a code.
    return this.#afterPassword(agent, origin, null)
  }

  async login(email: string, password: string, origin: Origin): Promise<SignInResult> {
    const name = email.trim().toLowerCase()
    const agent = await this.store.directory.agentByEmail(name)
    const throttle = await this.guard.throttle(name)
    await this.guard.refuseLocked(throttle, agent, origin, 'locked')
    const ok = await verifyPassword(agent?.password_hash ?? null, password)
    if (!agent || !ok || agent.disabled) {
      await this.guard.countFailure(throttle, agent?.tenant_id ?? null)
      if (agent) this.guard.loginEvent(agent, origin, 'failure', agent.disabled ? 'disabled' : 'bad_password')
      // One answer for every failure: the client learns nothing about which part was wrong.
      throw new ParleyError('PARLEY_ERR_AUTH_FAILED', 'email or password not accepted')
    }
    return this.#afterPassword(agent, origin, throttle)
  }

  /**
   * The password was right. Without MFA (and without a tenant rule requiring it) that is a
   * session; otherwise a challenge, and the failure count stays until the second step passes,
   * so re-entering the password between wrong codes does not reset the lock.
   */
  async #afterPassword(agent: SignInAgent, origin: Origin, throttle: Throttle | null): Promise<SignInResult> {
    const [factor, required] = await Promise.all([
      this.store.mfa.factor(agent.tenant_id, agent.id),
      this.mfa.required(agent.tenant_id),
    ])
    const step = factor?.confirmed_at != null ? 'verify' : required ? 'enrol' : null
    if (step === null) {
      // `throttle` is null for a setup link: setting a password is no sign-in attempt.
      if (throttle) await this.guard.succeeded(throttle, agent, origin)
      return { kind: 'session', session: await this.#startSession(agent.tenant_id, agent.id, origin, null) }
    }
    const challenge = newSecret()
    const now = Date.now()
    const expiresAt = now + MFA_CHALLENGE_TTL_MS
    await this.store.mfa.insertChallenge({
      id_hash: hashSecret(challenge),
      tenant_id: agent.tenant_id,
      agent_id: agent.id,
      kind: step,
      created_at: now,
      expires_at: expiresAt,
    })
    return { kind: 'mfa', step, challenge, expiresAt }
  }

  /** Second sign-in step: a TOTP or recovery code for the challenge; then the session. */
  async completeMfaSignIn(challenge: string, code: string, origin: Origin): Promise<NewSession> {
    const { agent, idHash, throttle } = await this.#challenge(challenge, 'verify', origin)
    const actor = { kind: 'agent' as const, id: agent.id, role: agent.role }
    const kind = await this.mfa.verify(agent.tenant_id, agent.id, code, actor, origin)
    if (!kind) await this.#wrongCode(agent, idHash, throttle, origin, 'mfa_invalid_code')
    return this.#finishSignIn(agent, idHash, throttle, origin)
  }

  /** Enrolment inside sign-in (the tenant requires MFA and the agent has none yet): the new secret. */
  async startSignInEnrolment(challenge: string, origin: Origin): Promise<{ secret: string; uri: string }> {
    const { agent } = await this.#challenge(challenge, 'enrol', origin)
    return this.mfa.startEnrolment(agent.tenant_id, agent.id, agent.email)
  }

  /** Confirms enrolment inside sign-in with a current code: the session and the recovery codes (shown once). */
  async confirmSignInEnrolment(
    challenge: string,
    code: string,
    origin: Origin,
  ): Promise<{ session: NewSession; recoveryCodes: string[] }> {
    const { agent, idHash, throttle } = await this.#challenge(challenge, 'enrol', origin)
    const actor = { kind: 'agent' as const, id: agent.id, role: agent.role }
    const recoveryCodes = await this.mfa.confirmEnrolment(
      agent.tenant_id,
      agent.id,
      code,
      actor,
      origin,
      null,
    )
    if (!recoveryCodes) return this.#wrongCode(agent, idHash, throttle, origin, 'mfa_enrol_invalid_code')
    return { session: await this.#finishSignIn(agent, idHash, throttle, origin), recoveryCodes }
  }

  /**
   * Step-up: the signed-in agent verifies a current code; the session records it and any
   * required step-up is lifted.
   */
  async stepUp(ctx: AgentContext, code: string): Promise<void> {
    await this.#proveFactor(ctx, code, 'step_up')
    await this.mfa.steppedUp(ctx)
  }

  /**
   * A signed-in agent starts enrolling, after typing their password again: a stolen session
   * alone cannot put an attacker's authenticator on the account (and sign the owner's other
   * sessions out). A wrong password counts toward the lock like one at sign-in.
   */
  async startAccountEnrolment(ctx: AgentContext, password: string): Promise<{ secret: string; uri: string }> {
    const agent = await this.store.directory.agent(ctx.tenantId, ctx.agentId)
    if (!agent) throw new ParleyError('PARLEY_ERR_AUTH_REQUIRED', 'sign in first')
    const throttle = await this.guard.throttle(agent.email)
    await this.guard.refuseLocked(throttle, agent, ctx.origin, 'locked')
    if (!(await verifyPassword(agent.password_hash, password))) {
      await this.guard.countFailure(throttle, agent.tenant_id)
      this.guard.loginEvent(agent, ctx.origin, 'failure', 'bad_password')
      throw new ParleyError('PARLEY_ERR_AUTH_FAILED', 'the password was not accepted')
    }
    return this.mfa.startEnrolment(ctx.tenantId, ctx.agentId, agent.email)
  }

  /** The agent turns MFA off with a current code (refused while the tenant requires MFA). */
  async disableMfa(ctx: AgentContext, code: string): Promise<void> {
    await this.mfa.assertMayDisable(ctx.tenantId)
    await this.#proveFactor(ctx, code, 'disable')
    await this.mfa.disable(ctx)
  }

  /** Ten new recovery codes for a current code; the old ones stop working. */
  async renewRecoveryCodes(ctx: AgentContext, code: string): Promise<string[]> {
    await this.#proveFactor(ctx, code, 'recovery_codes')
    return this.mfa.renewRecoveryCodes(ctx)
  }

  /**
   * A current code from the signed-in agent. Wrong codes count toward the sign-in lock like
   * wrong passwords, so a stolen session cannot guess its way past a step-up.
   */
  async #proveFactor(
    ctx: AgentContext,
    code: string,
    purpose: 'step_up' | 'disable' | 'recovery_codes',
  ): Promise<void> {
    if (!ctx.factor) throw new ParleyError('PARLEY_ERR_AUTH_REQUIRED', 'this needs a signed-in session')
    const agent = await this.store.directory.agent(ctx.tenantId, ctx.agentId)
    if (!agent) throw new ParleyError('PARLEY_ERR_AUTH_REQUIRED', 'sign in first')
    const throttle = await this.guard.throttle(agent.email)
    await this.guard.refuseLocked(throttle, agent, ctx.origin, 'mfa_locked')
    const factor = await this.store.mfa.factor(ctx.tenantId, ctx.agentId)
    if (factor?.confirmed_at == null)
      throw new ParleyError('PARLEY_ERR_MFA_NOT_ENROLLED', 'no second factor is set up for this agent')
    if (!(await this.mfa.verify(ctx.tenantId, ctx.agentId, code, actorOf(ctx), ctx.origin))) {
      await this.guard.countFailure(throttle, agent.tenant_id)
      this.guard.loginEvent(agent, ctx.origin, 'failure', `mfa_${purpose}_invalid_code`)
      throw new ParleyError('PARLEY_ERR_MFA_CODE_INVALID', 'the code was not accepted')
    }
  }

  /** The agent behind a live challenge of this kind, after the lock check. */
  async #challenge(token: string, kind: 'verify' | 'enrol', origin: Origin) {
    const idHash = hashSecret(token)
    const row = await this.store.mfa.challenge(idHash, Date.now())
    if (!row || row.kind !== kind) throw challengeInvalid()
    const agent = await this.store.directory.agent(row.tenant_id, row.agent_id)
    if (!agent || agent.disabled || agent.password_hash === null) {
      await this.store.mfa.consumeChallenge(idHash)
      throw challengeInvalid()
    }
    const throttle = await this.guard.throttle(agent.email)
    await this.guard.refuseLocked(throttle, agent, origin, 'mfa_locked')
    return { agent, idHash, throttle }
  }

  async #wrongCode(
    agent: SignInAgent,
    idHash: string,
    throttle: Throttle,
    origin: Origin,
    reason: `mfa_${string}`,
  ): Promise<never> {
    await this.store.mfa.failChallenge(idHash, MFA_CHALLENGE_MAX_ATTEMPTS)
    await this.guard.countFailure(throttle, agent.tenant_id)
    this.guard.loginEvent(agent, origin, 'failure', reason)
    throw new ParleyError('PARLEY_ERR_MFA_CODE_INVALID', 'the code was not accepted')
  }

  async #finishSignIn(agent: SignInAgent, idHash: string, throttle: Throttle, origin: Origin) {
    // One challenge, one session: of two right codes sent at once, only the first gets in.
    if (!(await this.store.mfa.consumeChallenge(idHash))) throw challengeInvalid()
    await this.guard.succeeded(throttle, agent, origin)
    return this.#startSession(agent.tenant_id, agent.id, origin, Date.now())
  }

  /** Ends a lock on an agent's sign-in (an admin vouches for them). */
  async unlockSignIn(tenantId: string, agentId: string): Promise<void> {
    const agent = await this.store.directory.agent(tenantId, agentId)
    if (!agent) throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'agent not found', { resource: 'agent' })
    await this.guard.clear(agent.email)
  }

  /**
   * Locks every account of the tenant that failed a sign-in since `since`, until `until`
   * (the automatic response to credential stuffing). Returns how many were locked.
   */
  lockRecentlyFailed(tenantId: string, since: number, until: number): Promise<number> {
    return this.store.signInThrottle.lockFailedSince(tenantId, since, until)
  }

  async #startSession(
    tenantId: string,
    agentId: string,
    origin: Origin,
    mfaVerifiedAt: number | null,
  ): Promise<NewSession> {
    const token = newSecret()
    const expiresAt = Date.now() + SESSION_IDLE_MS
    await this.store.directory.insertSession({
      idHash: hashSecret(token),
      tenantId,
      agentId,
      expiresAt,
      ip: origin.ip ?? null,
      userAgent: origin.userAgent ?? null,
      mfaVerifiedAt,
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
      factor: { verifiedAt: row.mfa_verified_at, stepUpRequired: row.step_up_required === 1 },
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
