import type { Insertable, Kysely, Selectable } from 'kysely'
import type { Database, ProtectTokenTable, RevealRequestTable, TenantKeyTable } from './schema.js'

export type TenantKeyRow = Selectable<TenantKeyTable>
export type ProtectTokenRow = Selectable<ProtectTokenTable>
export type NewProtectToken = Insertable<ProtectTokenTable>
export type RevealRequestRow = Selectable<RevealRequestTable>
/** A reveal request with what its token is (category, conversation), never the value. */
export type RevealRequestWithToken = RevealRequestRow & {
  type: string | null
  conversation_id: string | null
}

/** Rows of the vault: wrapped tenant keys, sealed tokenized values, reveal requests. */
export class VaultRepo {
  constructor(private readonly db: Kysely<Database>) {}

  tenantKeys(tenantId: string, purpose: string): Promise<TenantKeyRow[]> {
    return this.db
      .selectFrom('tenant_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', purpose)
      .orderBy('version', 'desc')
      .execute()
  }

  /** Adds a key version unless another node added the same version first (then theirs stands). */
  async insertTenantKey(row: TenantKeyRow): Promise<void> {
    await this.db
      .insertInto('tenant_keys')
      .values(row)
      .onConflict((oc) => oc.columns(['tenant_id', 'purpose', 'version']).doNothing())
      .execute()
  }

  async insertTokens(rows: NewProtectToken[]): Promise<void> {
    if (rows.length > 0) await this.db.insertInto('protect_tokens').values(rows).execute()
  }

  token(tenantId: string, id: string): Promise<ProtectTokenRow | undefined> {
    return this.db
      .selectFrom('protect_tokens')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  async insertRevealRequest(row: Omit<RevealRequestRow, 'reveals'>): Promise<void> {
    await this.db.insertInto('reveal_requests').values(row).execute()
  }

  revealRequest(tenantId: string, id: string): Promise<RevealRequestRow | undefined> {
    return this.db
      .selectFrom('reveal_requests')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  revealRequests(
    tenantId: string,
    filter: { state?: RevealRequestRow['state']; requesterId?: string; limit: number },
  ): Promise<RevealRequestWithToken[]> {
    let q = this.db
      .selectFrom('reveal_requests as r')
      .leftJoin('protect_tokens as t', (j) =>
        j.onRef('t.id', '=', 'r.token_id').onRef('t.tenant_id', '=', 'r.tenant_id'),
      )
      .selectAll('r')
      .select(['t.type', 't.conversation_id'])
      .where('r.tenant_id', '=', tenantId)
      .orderBy('r.created_at', 'desc')
      .limit(filter.limit)
    if (filter.state) q = q.where('r.state', '=', filter.state)
    if (filter.requesterId) q = q.where('r.requester_id', '=', filter.requesterId)
    return q.execute()
  }

  /** Decides a pending request; false when it was no longer pending (decided by someone else). */
  async decideRevealRequest(
    tenantId: string,
    id: string,
    decision: { state: 'approved' | 'denied'; decidedBy: string; at: number; expiresAt: number | null },
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('reveal_requests')
      .set({
        state: decision.state,
        decided_by: decision.decidedBy,
        decided_at: decision.at,
        expires_at: decision.expiresAt,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  async countReveal(tenantId: string, id: string): Promise<void> {
    await this.db
      .updateTable('reveal_requests')
      .set((eb) => ({ reveals: eb('reveals', '+', 1) }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute()
  }
}
