import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DialectTraits } from './dialect.js'
import type { AgentTable, Database, SiteTable } from './schema.js'

/** Tenants, sites, agents, teams, sessions and presence: who exists and who is here. */
export class DirectoryRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly traits: DialectTraits,
  ) {}

  async instanceSecret(): Promise<string> {
    const row = await this.db
      .selectFrom('instance')
      .select('visitor_token_secret')
      .where('id', '=', 1)
      .executeTakeFirst()
    if (row) return row.visitor_token_secret
    // Two nodes starting together race here; the loser reads the winner's secret.
    await this.db
      .insertInto('instance')
      .values({ id: 1, visitor_token_secret: randomBytes(32).toString('base64url'), created_at: Date.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
    const again = await this.db
      .selectFrom('instance')
      .select('visitor_token_secret')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow()
    return again.visitor_token_secret
  }

  countTenants(): Promise<number> {
    return this.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n))
  }

  async insertTenant(t: { id: string; name: string }): Promise<void> {
    await this.db
      .insertInto('tenants')
      .values({ ...t, created_at: Date.now() })
      .execute()
  }

  tenant(id: string) {
    return this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst()
  }

  listTenants() {
    return this.db.selectFrom('tenants').selectAll().orderBy('created_at').execute()
  }

  // ── sites ──
  async insertSite(site: Omit<SiteTable, 'created_at' | 'updated_at'>): Promise<void> {
    const now = Date.now()
    await this.db
      .insertInto('sites')
      .values({ ...site, created_at: now, updated_at: now })
      .execute()
  }

  siteByKey(widgetKey: string) {
    return this.db.selectFrom('sites').selectAll().where('widget_key', '=', widgetKey).executeTakeFirst()
  }

  site(tenantId: string, id: string) {
    return this.db
      .selectFrom('sites')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  sites(tenantId: string) {
    return this.db
      .selectFrom('sites')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute()
  }

  async updateSite(
    tenantId: string,
    id: string,
    patch: Partial<Pick<SiteTable, 'name' | 'allowed_origins' | 'prechat' | 'business_hours'>>,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('sites')
      .set({ ...patch, updated_at: Date.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  async deleteSite(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('sites')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  // ── agents ──
  async insertAgent(
    a: Pick<AgentTable, 'id' | 'tenant_id' | 'email' | 'name' | 'role' | 'capacity'>,
  ): Promise<void> {
    const now = Date.now()
    await this.db
      .insertInto('agents')
      .values({
        ...a,
        password_hash: null,
        status: 'offline',
        last_assigned_at: 0,
        disabled: 0,
        created_at: now,
        updated_at: now,
      })
      .execute()
  }

  agent(tenantId: string, id: string) {
    return this.db
      .selectFrom('agents')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  agentByEmail(email: string) {
    return this.db
      .selectFrom('agents')
      .selectAll()
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst()
  }

  agents(tenantId: string) {
    return this.db
      .selectFrom('agents')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute()
  }

  async updateAgent(
    tenantId: string,
    id: string,
    patch: Partial<
      Pick<AgentTable, 'name' | 'email' | 'role' | 'capacity' | 'status' | 'disabled' | 'password_hash'>
    >,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('agents')
      .set({ ...patch, updated_at: Date.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  // ── setup tokens and sessions ──
  async insertSetupToken(t: { tokenHash: string; tenantId: string; agentId: string; expiresAt: number }) {
    await this.db
      .insertInto('setup_tokens')
      .values({
        token_hash: t.tokenHash,
        tenant_id: t.tenantId,
        agent_id: t.agentId,
        expires_at: t.expiresAt,
        used_at: null,
      })
      .execute()
  }

  /** Marks a setup token used; returns its owner only if it was unused and unexpired. */
  async consumeSetupToken(tokenHash: string, now: number) {
    const row = await this.db
      .updateTable('setup_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['tenant_id', 'agent_id'])
      .executeTakeFirst()
    return row
  }

  async insertSession(s: {
    idHash: string
    tenantId: string
    agentId: string
    expiresAt: number
    ip: string | null
    userAgent: string | null
    /** Set when the session starts with a verified second factor. */
    mfaVerifiedAt?: number | null
  }) {
    const now = Date.now()
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: s.idHash,
        tenant_id: s.tenantId,
        agent_id: s.agentId,
        created_at: now,
        last_seen_at: now,
        expires_at: s.expiresAt,
        ip: s.ip,
        user_agent: s.userAgent,
        mfa_verified_at: s.mfaVerifiedAt ?? null,
      })
      .execute()
  }

  sessionWithAgent(idHash: string) {
    return this.db
      .selectFrom('sessions')
      .innerJoin('agents', 'agents.id', 'sessions.agent_id')
      .select([
        'sessions.id_hash',
        'sessions.tenant_id',
        'sessions.agent_id',
        'sessions.last_seen_at',
        'sessions.expires_at',
        'sessions.mfa_verified_at',
        'sessions.step_up_required',
        'agents.role',
        'agents.name',
        'agents.email',
        'agents.disabled',
      ])
      .where('sessions.id_hash', '=', idHash)
      .executeTakeFirst()
  }

  async touchSession(idHash: string, now: number, expiresAt: number): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ last_seen_at: now, expires_at: expiresAt })
      .where('id_hash', '=', idHash)
      .execute()
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute()
  }

  async deleteAgentSessions(agentId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('agent_id', '=', agentId).execute()
  }

  // ── teams ──
  async insertTeam(t: { id: string; tenantId: string; name: string }) {
    await this.db
      .insertInto('teams')
      .values({ id: t.id, tenant_id: t.tenantId, name: t.name, created_at: Date.now() })
      .execute()
  }

  teams(tenantId: string) {
    return this.db.selectFrom('teams').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute()
  }

  team(tenantId: string, id: string) {
    return this.db
      .selectFrom('teams')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  async renameTeam(tenantId: string, id: string, name: string): Promise<boolean> {
    const r = await this.db
      .updateTable('teams')
      .set({ name })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  async deleteTeam(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('team_members')
        .where('tenant_id', '=', tenantId)
        .where('team_id', '=', id)
        .execute()
      const r = await trx
        .deleteFrom('teams')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst()
      return Number(r.numDeletedRows) > 0
    })
  }

  async setTeamMembers(tenantId: string, teamId: string, agentIds: readonly string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('team_members')
        .where('tenant_id', '=', tenantId)
        .where('team_id', '=', teamId)
        .execute()
      if (agentIds.length > 0) {
        await trx
          .insertInto('team_members')
          .values(agentIds.map((agent_id) => ({ team_id: teamId, agent_id, tenant_id: tenantId })))
          .execute()
      }
    })
  }

  teamMembers(tenantId: string) {
    return this.db.selectFrom('team_members').selectAll().where('tenant_id', '=', tenantId).execute()
  }

  teamsOfAgent(tenantId: string, agentId: string): Promise<string[]> {
    return this.db
      .selectFrom('team_members')
      .select('team_id')
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .execute()
      .then((rows) => rows.map((r) => r.team_id))
  }

  // ── presence: one row per (agent, node) while the agent has sockets there ──
  async setPresence(p: { agentId: string; nodeId: string; tenantId: string; sockets: number }, now: number) {
    if (p.sockets <= 0) {
      await this.db
        .deleteFrom('agent_presence')
        .where('agent_id', '=', p.agentId)
        .where('node_id', '=', p.nodeId)
        .execute()
      return
    }
    await this.db
      .insertInto('agent_presence')
      .values({
        agent_id: p.agentId,
        node_id: p.nodeId,
        tenant_id: p.tenantId,
        sockets: p.sockets,
        heartbeat_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['agent_id', 'node_id']).doUpdateSet({ sockets: p.sockets, heartbeat_at: now }),
      )
      .execute()
  }

  async heartbeatNode(nodeId: string, now: number): Promise<void> {
    await this.db
      .updateTable('agent_presence')
      .set({ heartbeat_at: now })
      .where('node_id', '=', nodeId)
      .execute()
  }

  async clearNodePresence(nodeId: string): Promise<void> {
    await this.db.deleteFrom('agent_presence').where('node_id', '=', nodeId).execute()
  }

  /** Agents of a tenant that are connected somewhere (fresh heartbeat) right now. */
  connectedAgentIds(tenantId: string, freshSince: number): Promise<string[]> {
    return this.db
      .selectFrom('agent_presence')
      .select('agent_id')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .where('heartbeat_at', '>=', freshSince)
      .execute()
      .then((rows) => rows.map((r) => r.agent_id))
  }

  // ── redaction policy per tenant ──
  async protectPolicy(tenantId: string): Promise<unknown | null> {
    const row = await this.db
      .selectFrom('protect_policies')
      .select('document')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst()
    return row ? (JSON.parse(row.document) as unknown) : null
  }

  async setProtectPolicy(tenantId: string, document: unknown): Promise<void> {
    const now = Date.now()
    const json = JSON.stringify(document)
    await this.db
      .insertInto('protect_policies')
      .values({ tenant_id: tenantId, document: json, updated_at: now })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ document: json, updated_at: now }))
      .execute()
  }

  get dialect(): DialectTraits {
    return this.traits
  }
}
