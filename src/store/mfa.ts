import type { Kysely, Selectable } from 'kysely'
import type { AgentMfaTable, Database, MfaChallengeTable } from './schema.js'

export type AgentMfaRow = Selectable<AgentMfaTable>
export type MfaChallengeRow = Selectable<MfaChallengeTable>

/** The agent's recovery codes become exactly these, or none (inside the caller's transaction). */
async function putRecoveryCodes(
  trx: Kysely<Database>,
  tenantId: string,
  agentId: string,
  codeHashes: readonly string[],
  now: number,
): Promise<void> {
  await trx
    .deleteFrom('mfa_recovery_codes')
    .where('tenant_id', '=', tenantId)
    .where('agent_id', '=', agentId)
    .execute()
  if (codeHashes.length === 0) return
  await trx
    .insertInto('mfa_recovery_codes')
    .values(
      codeHashes.map((code_hash) => ({
        agent_id: agentId,
        tenant_id: tenantId,
        code_hash,
        created_at: now,
        used_at: null,
      })),
    )
    .execute()
}

/**
 * Rows of multi-factor sign-in: sealed TOTP secrets, recovery-code hashes, sign-in challenges,
 * the tenant's "require MFA" switch and the per-session factor state. Everything is scoped by
 * tenant; the conditional updates are what make codes and challenges single-use across nodes.
 */
export class MfaRepo {
  constructor(private readonly db: Kysely<Database>) {}

  factor(tenantId: string, agentId: string): Promise<AgentMfaRow | undefined> {
    return this.db
      .selectFrom('agent_mfa')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .executeTakeFirst()
  }

  /** Agents of the tenant with a confirmed factor. */
  async enrolledAgentIds(tenantId: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('agent_mfa')
      .select('agent_id')
      .where('tenant_id', '=', tenantId)
      .where('confirmed_at', 'is not', null)
      .execute()
    return new Set(rows.map((r) => r.agent_id))
  }

  /** Starts (or restarts) an unconfirmed enrolment; a confirmed factor is never overwritten here. */
  async putPending(row: {
    agentId: string
    tenantId: string
    keyVersion: number
    secretSealed: Buffer
    now: number
  }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('agent_mfa')
        .select('confirmed_at')
        .where('agent_id', '=', row.agentId)
        .executeTakeFirst()
      if (existing?.confirmed_at != null) return false
      await trx.deleteFrom('agent_mfa').where('agent_id', '=', row.agentId).execute()
      await trx
        .insertInto('agent_mfa')
        .values({
          agent_id: row.agentId,
          tenant_id: row.tenantId,
          key_version: row.keyVersion,
          secret_sealed: row.secretSealed,
          last_step: 0,
          created_at: row.now,
          confirmed_at: null,
        })
        .execute()
      return true
    })
  }

  /**
   * Records `step` as used, only if it is later than the last one: two requests with the same
   * code (on any nodes) cannot both pass.
   */
  async spendStep(tenantId: string, agentId: string, step: number): Promise<boolean> {
    const r = await this.db
      .updateTable('agent_mfa')
      .set({ last_step: step })
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .where('last_step', '<', step)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  /** Confirms the pending factor and replaces the recovery codes, in one transaction. */
  async confirm(
    tenantId: string,
    agentId: string,
    now: number,
    recoveryCodeHashes: readonly string[],
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('agent_mfa')
        .set({ confirmed_at: now })
        .where('tenant_id', '=', tenantId)
        .where('agent_id', '=', agentId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst()
      if (Number(r.numUpdatedRows) !== 1) return false
      await putRecoveryCodes(trx, tenantId, agentId, recoveryCodeHashes, now)
      return true
    })
  }

  /** Replaces the agent's recovery codes (the old ones stop working). */
  async replaceRecoveryCodes(
    tenantId: string,
    agentId: string,
    codeHashes: readonly string[],
    now: number,
  ): Promise<void> {
    await this.db.transaction().execute((trx) => putRecoveryCodes(trx, tenantId, agentId, codeHashes, now))
  }

  /** Removes the factor and its recovery codes; false when there was none. */
  async remove(tenantId: string, agentId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .deleteFrom('agent_mfa')
        .where('tenant_id', '=', tenantId)
        .where('agent_id', '=', agentId)
        .executeTakeFirst()
      await putRecoveryCodes(trx, tenantId, agentId, [], 0)
      return Number(r.numDeletedRows) > 0
    })
  }

  /** Spends a recovery code: true once, false for an unknown or already used one. */
  async spendRecoveryCode(
    tenantId: string,
    agentId: string,
    codeHash: string,
    now: number,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('mfa_recovery_codes')
      .set({ used_at: now })
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  async recoveryCodesLeft(tenantId: string, agentId: string): Promise<number> {
    const r = await this.db
      .selectFrom('mfa_recovery_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  // ── challenges ──
  async insertChallenge(row: Omit<MfaChallengeRow, 'attempts'>): Promise<void> {
    // Expired challenges of anyone go with each new one: the table stays small without a sweeper.
    await this.db.deleteFrom('mfa_challenges').where('expires_at', '<=', row.created_at).execute()
    await this.db
      .insertInto('mfa_challenges')
      .values({ ...row, attempts: 0 })
      .execute()
  }

  challenge(idHash: string, now: number): Promise<MfaChallengeRow | undefined> {
    return this.db
      .selectFrom('mfa_challenges')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .executeTakeFirst()
  }

  /** Counts a wrong code; past `max` attempts the challenge is gone. */
  async failChallenge(idHash: string, max: number): Promise<void> {
    await this.db
      .updateTable('mfa_challenges')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id_hash', '=', idHash)
      .execute()
    await this.db
      .deleteFrom('mfa_challenges')
      .where('id_hash', '=', idHash)
      .where('attempts', '>=', max)
      .execute()
  }

  /** Ends a challenge; true only for the one caller that ended it (a challenge yields one session). */
  async consumeChallenge(idHash: string): Promise<boolean> {
    const r = await this.db.deleteFrom('mfa_challenges').where('id_hash', '=', idHash).executeTakeFirst()
    return Number(r.numDeletedRows) === 1
  }

  // ── tenant policy ──
  async required(tenantId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('tenants')
      .select('mfa_required')
      .where('id', '=', tenantId)
      .executeTakeFirst()
    return row?.mfa_required === 1
  }

  async setRequired(tenantId: string, required: boolean): Promise<void> {
    await this.db
      .updateTable('tenants')
      .set({ mfa_required: required ? 1 : 0 })
      .where('id', '=', tenantId)
      .execute()
  }

  // ── sessions ──
  /** Records a verified factor on a session and lifts a step-up requirement. */
  async verifiedSession(idHash: string, now: number): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ mfa_verified_at: now, step_up_required: 0 })
      .where('id_hash', '=', idHash)
      .execute()
  }

  /** Every current session of the agent must step up before reading transcripts; returns how many. */
  async requireStepUp(tenantId: string, agentId: string): Promise<number> {
    const r = await this.db
      .updateTable('sessions')
      .set({ step_up_required: 1 })
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .executeTakeFirst()
    return Number(r.numUpdatedRows)
  }

  /** Ends the agent's sessions except `keep` (after enrolling: other devices sign in again). */
  async deleteOtherSessions(tenantId: string, agentId: string, keep: string | null): Promise<void> {
    let q = this.db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('agent_id', '=', agentId)
    if (keep) q = q.where('id_hash', '!=', keep)
    await q.execute()
  }

  /** Ends the sessions of the tenant's agents who have no confirmed factor (MFA just became required). */
  async deleteSessionsWithoutFactor(tenantId: string): Promise<void> {
    await this.db
      .deleteFrom('sessions')
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('agent_mfa')
              .select('agent_mfa.agent_id')
              .whereRef('agent_mfa.agent_id', '=', 'sessions.agent_id')
              .where('agent_mfa.confirmed_at', 'is not', null),
          ),
        ),
      )
      .execute()
  }
}
