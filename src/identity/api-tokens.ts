import { randomBytes, timingSafeEqual } from 'node:crypto'
import { ParleyError } from '../errors/index.js'
import type { ActorRef, EventStream, Origin } from '../events/index.js'
import type { ApiTokenRow, Store } from '../store/index.js'
import { type ApiScope, TOKEN_MAX_DAYS, TOKEN_ROUTE_SCOPES } from './api-scopes.js'
import type { ApiTokenStatus, ApiTokenView } from './api-tokens.schema.js'
import { type AgentContext, actorOf } from './context.js'
import { hashSecret, newSecret } from './secrets.js'

/** Refuses a token on a route it has no scope for, or on a route tokens never use. */
export function requireTokenScope(ctx: AgentContext, method: string, url: string): void {
  if (!ctx.token) return
  const scope = TOKEN_ROUTE_SCOPES[`${method} ${url}`]
  if (!scope)
    throw new ParleyError(
      'PARLEY_ERR_TOKEN_ROUTE_DENIED',
      'this route is for signed-in agents only; API tokens cannot use it',
    )
  if (!ctx.token.scopes.includes(scope))
    throw new ParleyError('PARLEY_ERR_TOKEN_SCOPE', `this API token lacks the scope ${scope}`, { scope })
}

const DAY_MS = 86_400_000
/** `parley_<16 hex id>_<43 base64url secret>`: a fixed shape secret scanners can match. */
const TOKEN_SHAPE = /^parley_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/
/** How often a token's last use is written: a busy integration must not write on every request. */
const TOUCH_EVERY_MS = 60_000

/** True when a bearer credential is meant to be an API token (and not a visitor token). */
export function looksLikeApiToken(bearer: string): boolean {
  return bearer.startsWith('parley_')
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

function statusOf(row: ApiTokenRow, now: number): ApiTokenStatus {
  if (row.revoked_at !== null) return 'revoked'
  if (row.suspended_at !== null) return 'suspended'
  return row.expires_at <= now ? 'expired' : 'active'
}

function viewOf(row: ApiTokenRow, now: number): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as ApiScope[],
    status: statusOf(row, now),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    lastUsedAt: iso(row.last_used_at),
    lastUsedIp: row.last_used_ip,
    revokedAt: iso(row.revoked_at),
    suspendedAt: iso(row.suspended_at),
    suspendedBy: row.suspended_by,
    suspendedReason: row.suspended_reason,
  }
}

/** Who changes a token: an admin (their context) or the system (an anomaly response). */
export type TokenChanger = AgentContext | { tenantId: string; actor: ActorRef; origin: Origin }

/**
 * API tokens: admins issue them with scopes and an expiry, the secret is shown once and only
 * its SHA-256 is kept; a presented token becomes an agent context bound to the token's tenant.
 */
export class ApiTokenService {
  constructor(
    private readonly store: Store,
    private readonly events: EventStream,
  ) {}

  async create(
    ctx: AgentContext,
    input: { name: string; scopes: readonly ApiScope[]; expiresInDays: number },
  ): Promise<{ token: ApiTokenView; secret: string }> {
    if (input.expiresInDays < 1 || input.expiresInDays > TOKEN_MAX_DAYS)
      throw new ParleyError('PARLEY_ERR_BAD_REQUEST', `a token expires within 1 to ${TOKEN_MAX_DAYS} days`, {
        issues: [],
      })
    const id = randomBytes(8).toString('hex')
    const secret = `parley_${id}_${newSecret(32)}`
    const now = Date.now()
    const row = {
      id,
      tenant_id: ctx.tenantId,
      name: input.name,
      secret_hash: hashSecret(secret),
      scopes: JSON.stringify([...new Set(input.scopes)].sort()),
      created_by: ctx.agentId,
      created_at: now,
      expires_at: now + input.expiresInDays * DAY_MS,
    }
    await this.store.apiTokens.insert(row)
    this.#changed(ctx, 'create', id)
    return {
      token: viewOf({ ...row, ...NEVER_USED }, now),
      secret,
    }
  }

  async list(tenantId: string): Promise<ApiTokenView[]> {
    const now = Date.now()
    return (await this.store.apiTokens.list(tenantId)).map((r) => viewOf(r, now))
  }

  async revoke(ctx: AgentContext, id: string): Promise<ApiTokenView> {
    const found = await this.#get(ctx.tenantId, id)
    if (found.revoked_at === null) {
      await this.store.apiTokens.revoke(ctx.tenantId, id, ctx.agentId, Date.now())
      this.#changed(ctx, 'update', id)
    }
    return this.#view(ctx.tenantId, id)
  }

  /** Suspends a token (an admin's, or an anomaly response's, reason) or lifts the suspension. */
  async setSuspended(by: TokenChanger, id: string, reason: string | null): Promise<ApiTokenView> {
    const found = await this.#get(by.tenantId, id)
    if (found.revoked_at !== null)
      throw new ParleyError('PARLEY_ERR_CONFLICT', 'a revoked token stays revoked; create a new one')
    const actor = 'actor' in by ? by.actor : actorOf(by)
    await this.store.apiTokens.setSuspension(
      by.tenantId,
      id,
      reason === null ? null : { at: Date.now(), by: actor.id, reason },
    )
    this.#changed(by, 'update', id)
    return this.#view(by.tenantId, id)
  }

  /**
   * The context a presented token authenticates as, for a request to `route`. Unknown,
   * malformed and wrong tokens get one vague error; only the holder of the right secret learns
   * it expired, was revoked or is suspended. A refused use of a real token is an
   * `access.denied` event of its tenant (a suspended token still being tried is worth knowing).
   */
  async authenticate(presented: string, origin: Origin, route: string): Promise<AgentContext> {
    const m = TOKEN_SHAPE.exec(presented)
    const row = m ? await this.store.apiTokens.byId(m[1]!) : undefined
    const given = Buffer.from(hashSecret(presented))
    // Compare against a hash of the same length even when there is no row, so timing says nothing.
    const stored = Buffer.from(row?.secret_hash ?? hashSecret(''))
    const matches = given.length === stored.length && timingSafeEqual(given, stored)
    const now = Date.now()
    const status = row && matches ? statusOf(row, now) : 'invalid'
    if (row && status !== 'active') {
      this.events.emit({
        type: 'access.denied',
        tenant: row.tenant_id,
        actor: { kind: 'token', id: row.id },
        origin,
        action: route,
        resource: `api_token:${row.id}`,
        reason: status === 'invalid' ? 'wrong secret' : status,
      })
    }
    if (!row || status === 'invalid')
      throw new ParleyError('PARLEY_ERR_TOKEN_INVALID', 'this API token is not valid')
    if (status === 'revoked')
      throw new ParleyError(
        'PARLEY_ERR_TOKEN_REVOKED',
        'this API token was revoked; ask an admin for a new one',
      )
    if (status === 'suspended')
      throw new ParleyError(
        'PARLEY_ERR_TOKEN_SUSPENDED',
        'this API token is suspended; ask an admin to review and lift the suspension',
      )
    if (status === 'expired')
      throw new ParleyError(
        'PARLEY_ERR_TOKEN_EXPIRED',
        'this API token has expired; ask an admin for a new one',
      )
    if (
      row.last_used_at === null ||
      now - row.last_used_at > TOUCH_EVERY_MS ||
      row.last_used_ip !== (origin.ip ?? null)
    )
      await this.store.apiTokens.touch(row.id, now, origin.ip ?? null)
    return {
      kind: 'agent',
      tenantId: row.tenant_id,
      agentId: row.id,
      role: 'admin',
      name: row.name,
      sessionHash: '',
      origin,
      token: { id: row.id, scopes: JSON.parse(row.scopes) as ApiScope[] },
    }
  }

  async #get(tenantId: string, id: string): Promise<ApiTokenRow> {
    const row = await this.store.apiTokens.get(tenantId, id)
    if (!row) throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'API token not found', { resource: 'api_token' })
    return row
  }

  async #view(tenantId: string, id: string): Promise<ApiTokenView> {
    return viewOf(await this.#get(tenantId, id), Date.now())
  }

  #changed(by: TokenChanger, action: 'create' | 'update', id: string): void {
    this.events.emit({
      type: 'admin.change',
      tenant: by.tenantId,
      actor: 'actor' in by ? by.actor : actorOf(by),
      origin: by.origin,
      resource: 'api_token',
      action,
      resourceId: id,
    })
  }
}

const NEVER_USED = {
  last_used_at: null,
  last_used_ip: null,
  revoked_at: null,
  revoked_by: null,
  suspended_at: null,
  suspended_by: null,
  suspended_reason: null,
} as const
