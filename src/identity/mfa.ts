import { randomBytes } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import { ParleyError } from '../errors/index.js'
import type { ActorRef, EventStream, Origin } from '../events/index.js'
import type { Store } from '../store/index.js'
import { type AgentContext, actorOf, adminChangeEvent } from './context.js'

/** The key series agents' TOTP secrets are sealed with (and recovery codes keyed by). */
export const MFA_KEY_PURPOSE = 'mfa'
/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PARAMS = { algorithm: 'SHA1', digits: 6, period: 30 } as const
/** How long the step between a correct password and the second factor lasts. */
export const MFA_CHALLENGE_TTL_MS = 5 * 60_000
/** Wrong codes one challenge takes before it ends (each also counts toward the sign-in lock). */
export const MFA_CHALLENGE_MAX_ATTEMPTS = 5
export const RECOVERY_CODE_COUNT = 10
/** Sensitive actions (transcript export, reveal decisions) want a factor this recent. */
export const STEP_UP_FRESH_MS = 15 * 60_000
const ISSUER = 'Parley'
const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

/** Seals small secrets under the tenant's `mfa` keys (the vault's TenantSecretBox). */
export interface MfaSecretBox {
  seal(tenantId: string, plaintext: Buffer, aad: string): Promise<{ keyVersion: number; sealed: Buffer }>
  open(tenantId: string, keyVersion: number, sealed: Buffer, aad: string): Promise<Buffer>
  mac(tenantId: string, keyVersion: number, data: string): Promise<string>
}

/** What a route needs of the session's second factor (see `MfaService.requireFactor`). */
export type FactorNeed = 'transcript' | 'recent'

/** How a code was accepted. */
export type CodeKind = 'totp' | 'recovery'

const secretAad = (tenantId: string, agentId: string) => `parley:mfa-secret:${tenantId}:${agentId}`

/** Spaces and dashes are how people copy codes; neither is part of one. */
export function normalizeCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase()
}

/** The TOTP time step `code` matches at `now` (±1 step), or null. Pure: replay is the caller's check. */
export function matchTotp(secretBase32: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null
  const totp = new TOTP({ ...TOTP_PARAMS, secret: Secret.fromBase32(secretBase32) })
  const delta = totp.validate({ token: code, timestamp: now, window: 1 })
  return delta === null ? null : totp.counter({ timestamp: now }) + delta
}

/** Ten random recovery codes, `xxxxx-xxxxx` in base32 letters and digits (50 bits each). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...randomBytes(10)].map((b) => RECOVERY_ALPHABET[b & 31]).join('')
    return `${chars.slice(0, 5)}-${chars.slice(5)}`
  })
}

export const stepUpRequired = () =>
  new ParleyError(
    'PARLEY_ERR_STEP_UP_REQUIRED',
    'verify a current code from your authenticator app (or a recovery code) to continue',
  )
const codeInvalid = () => new ParleyError('PARLEY_ERR_MFA_CODE_INVALID', 'the code was not accepted')
const notEnrolled = () =>
  new ParleyError('PARLEY_ERR_MFA_NOT_ENROLLED', 'no second factor is set up for this agent')
const alreadyEnrolled = () =>
  new ParleyError(
    'PARLEY_ERR_MFA_ALREADY_ENROLLED',
    'a second factor is already set up; turn it off first to enrol a new one',
  )

/**
 * Agents' second factor: TOTP enrolment (secret sealed under the tenant's `mfa` key, never
 * stored in clear), code checks that refuse a replayed step, one-time recovery codes kept as
 * keyed hashes, the tenant's "require MFA" policy, and per-session step-up. Sign-in itself
 * (passwords, challenges, lockout, sessions) is IdentityService's; it asks this class.
 */
export class MfaService {
  constructor(
    private readonly store: Store,
    private readonly events: EventStream,
    private readonly box: MfaSecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  async status(tenantId: string, agentId: string) {
    const [factor, required] = await Promise.all([
      this.store.mfa.factor(tenantId, agentId),
      this.store.mfa.required(tenantId),
    ])
    const enrolled = factor?.confirmed_at != null
    return {
      enrolled,
      enrolledAt: enrolled ? factor.confirmed_at : null,
      recoveryCodesLeft: enrolled ? await this.store.mfa.recoveryCodesLeft(tenantId, agentId) : 0,
      required,
    }
  }

  /** A new secret for the agent's authenticator app; it counts only once a code confirms it. */
  async startEnrolment(
    tenantId: string,
    agentId: string,
    account: string,
  ): Promise<{ secret: string; uri: string }> {
    const secret = new Secret({ size: 20 })
    const { keyVersion, sealed } = await this.box.seal(
      tenantId,
      Buffer.from(secret.base32, 'utf8'),
      secretAad(tenantId, agentId),
    )
    const stored = await this.store.mfa.putPending({
      agentId,
      tenantId,
      keyVersion,
      secretSealed: sealed,
      now: this.now(),
    })
    if (!stored) throw alreadyEnrolled()
    const uri = new TOTP({ ...TOTP_PARAMS, issuer: ISSUER, label: account, secret }).toString()
    return { secret: secret.base32, uri }
  }

  /**
   * Confirms enrolment with a current code: returns the recovery codes (shown once), or null
   * for a wrong code. The agent's other sessions (signed in with the password alone) end;
   * `keepSession` is the one confirming, if any.
   */
  async confirmEnrolment(
    tenantId: string,
    agentId: string,
    code: string,
    actor: ActorRef,
    origin: Origin,
    keepSession: string | null,
  ): Promise<string[] | null> {
    const factor = await this.store.mfa.factor(tenantId, agentId)
    if (!factor) throw notEnrolled()
    if (factor.confirmed_at !== null) throw alreadyEnrolled()
    if (!(await this.#acceptTotp(factor, normalizeCode(code)))) return null
    const codes = newRecoveryCodes()
    const hashes = await this.#hashCodes(tenantId, factor.key_version, codes)
    if (!(await this.store.mfa.confirm(tenantId, agentId, this.now(), hashes))) throw alreadyEnrolled()
    await this.store.mfa.deleteOtherSessions(tenantId, agentId, keepSession)
    this.#event(tenantId, actor, origin, 'enrolled', agentId)
    return codes
  }

  /** Checks a TOTP or recovery code against the agent's confirmed factor; each is accepted once. */
  async verify(
    tenantId: string,
    agentId: string,
    code: string,
    actor: ActorRef,
    origin: Origin,
  ): Promise<CodeKind | null> {
    const factor = await this.store.mfa.factor(tenantId, agentId)
    if (!factor || factor.confirmed_at === null) return null
    const c = normalizeCode(code)
    if (/^\d{6}$/.test(c)) return (await this.#acceptTotp(factor, c)) ? 'totp' : null
    if (!/^[a-z2-7]{10}$/.test(c)) return null
    const hash = await this.box.mac(tenantId, factor.key_version, c)
    if (!(await this.store.mfa.spendRecoveryCode(tenantId, agentId, hash, this.now()))) return null
    this.#event(tenantId, actor, origin, 'recovery_code_used', agentId)
    return 'recovery'
  }

  /** Confirms enrolment from a signed-in session: the session counts as verified, other sessions end. */
  async confirmForSession(ctx: AgentContext, code: string): Promise<string[]> {
    const codes = await this.confirmEnrolment(
      ctx.tenantId,
      ctx.agentId,
      code,
      actorOf(ctx),
      ctx.origin,
      ctx.sessionHash,
    )
    if (!codes) throw codeInvalid()
    await this.store.mfa.verifiedSession(ctx.sessionHash, this.now())
    return codes
  }

  /** New recovery codes (the old ones stop working); the caller has checked a current code. */
  async renewRecoveryCodes(ctx: AgentContext): Promise<string[]> {
    const factor = await this.store.mfa.factor(ctx.tenantId, ctx.agentId)
    if (!factor || factor.confirmed_at === null) throw notEnrolled()
    const codes = newRecoveryCodes()
    await this.store.mfa.replaceRecoveryCodes(
      ctx.tenantId,
      ctx.agentId,
      await this.#hashCodes(ctx.tenantId, factor.key_version, codes),
      this.now(),
    )
    this.#event(ctx.tenantId, actorOf(ctx), ctx.origin, 'recovery_codes_renewed', ctx.agentId)
    return codes
  }

  /** Refuses turning MFA off while the tenant requires it. */
  async assertMayDisable(tenantId: string): Promise<void> {
    if (await this.store.mfa.required(tenantId))
      throw new ParleyError(
        'PARLEY_ERR_MFA_REQUIRED',
        'your organisation requires MFA; it cannot be turned off',
      )
  }

  /** Turns the agent's factor off; the caller has checked a current code. */
  async disable(ctx: AgentContext): Promise<void> {
    if (!(await this.store.mfa.remove(ctx.tenantId, ctx.agentId))) throw notEnrolled()
    this.#event(ctx.tenantId, actorOf(ctx), ctx.origin, 'disabled', ctx.agentId)
  }

  /**
   * An admin removes an agent's factor (a lost phone): the agent's sessions end, and they enrol
   * again at their next sign-in when the tenant requires MFA.
   */
  async reset(admin: AgentContext, agentId: string): Promise<void> {
    if (!(await this.store.directory.agent(admin.tenantId, agentId)))
      throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'agent not found', { resource: 'agent' })
    if (!(await this.store.mfa.remove(admin.tenantId, agentId))) throw notEnrolled()
    await this.store.mfa.deleteOtherSessions(admin.tenantId, agentId, null)
    this.#event(admin.tenantId, actorOf(admin), admin.origin, 'reset', agentId)
  }

  required(tenantId: string): Promise<boolean> {
    return this.store.mfa.required(tenantId)
  }

  /**
   * Turns "require MFA for every agent" on or off. Turning it on needs the admin's own factor
   * (so they cannot lock themselves out) and ends the sessions of agents without one.
   */
  async setRequired(admin: AgentContext, required: boolean): Promise<void> {
    if (required) {
      const own = await this.store.mfa.factor(admin.tenantId, admin.agentId)
      if (!own || own.confirmed_at === null)
        throw new ParleyError(
          'PARLEY_ERR_MFA_REQUIRED',
          'set up MFA for your own account before requiring it of everyone',
        )
    }
    await this.store.mfa.setRequired(admin.tenantId, required)
    if (required) await this.store.mfa.deleteSessionsWithoutFactor(admin.tenantId)
    this.events.emit(adminChangeEvent(admin, 'mfa_policy', 'update', admin.tenantId))
  }

  /**
   * Every current session of the agent must verify a factor again before it reads transcripts
   * (the watch response). False, and nothing changed, when the agent has no factor to verify.
   */
  async requireStepUp(tenantId: string, agentId: string, origin: Origin): Promise<boolean> {
    const factor = await this.store.mfa.factor(tenantId, agentId)
    if (!factor || factor.confirmed_at === null) return false
    await this.store.mfa.requireStepUp(tenantId, agentId)
    this.#event(tenantId, { kind: 'system', id: 'system' }, origin, 'step_up_required', agentId)
    return true
  }

  /** Records a verified step-up on the session (lifting a required one). */
  async steppedUp(ctx: AgentContext): Promise<void> {
    await this.store.mfa.verifiedSession(ctx.sessionHash, this.now())
    this.#event(ctx.tenantId, actorOf(ctx), ctx.origin, 'step_up_verified', ctx.agentId)
  }

  /**
   * Refuses a route until the session has the factor it needs: `transcript` while a step-up is
   * required of the session; `recent` also when an agent with MFA has not verified a code in
   * the last 15 minutes. Contexts without a session (API tokens) have their own scopes.
   */
  async requireFactor(ctx: AgentContext, need: FactorNeed): Promise<void> {
    const f = ctx.factor
    if (!f) return
    if (f.stepUpRequired) throw stepUpRequired()
    if (need !== 'recent' || (f.verifiedAt !== null && this.now() - f.verifiedAt <= STEP_UP_FRESH_MS)) return
    const factor = await this.store.mfa.factor(ctx.tenantId, ctx.agentId)
    if (factor?.confirmed_at != null) throw stepUpRequired()
  }

  #hashCodes(tenantId: string, keyVersion: number, codes: readonly string[]): Promise<string[]> {
    return Promise.all(codes.map((c) => this.box.mac(tenantId, keyVersion, normalizeCode(c))))
  }

  /** Accepts a TOTP code once: the step must be later than the last accepted one. */
  async #acceptTotp(
    factor: { tenant_id: string; agent_id: string; key_version: number; secret_sealed: Buffer },
    code: string,
  ): Promise<boolean> {
    const secret = (
      await this.box.open(
        factor.tenant_id,
        factor.key_version,
        Buffer.from(factor.secret_sealed),
        secretAad(factor.tenant_id, factor.agent_id),
      )
    ).toString('utf8')
    const step = matchTotp(secret, code, this.now())
    return step !== null && (await this.store.mfa.spendStep(factor.tenant_id, factor.agent_id, step))
  }

  #event(
    tenant: string,
    actor: ActorRef,
    origin: Origin,
    action: Extract<Parameters<EventStream['emit']>[0], { type: 'auth.mfa_change' }>['action'],
    agentId: string,
  ): void {
    this.events.emit({ type: 'auth.mfa_change', tenant, actor, origin, action, agentId })
  }
}
