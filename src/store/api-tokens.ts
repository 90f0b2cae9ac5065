import type { Kysely, Selectable } from 'kysely'
import type { ApiTokenTable, Database } from './schema.js'

export type ApiTokenRow = Selectable<ApiTokenTable>
export type NewApiToken = Pick<
  ApiTokenRow,
  'id' | 'tenant_id' | 'name' | 'secret_hash' | 'scopes' | 'created_by' | 'created_at' | 'expires_at'
>

/** API token rows; every call but the lookup by id is scoped to one tenant. */
export class ApiTokenRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: NewApiToken): Promise<void> {
    await this.db.insertInto('api_tokens').values(row).execute()
  }

  /** The row behind a presented token id, whatever its tenant: the token itself names the tenant. */
  byId(id: string): Promise<ApiTokenRow | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst()
  }

  get(tenantId: string, id: string): Promise<ApiTokenRow | undefined> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  list(tenantId: string): Promise<ApiTokenRow[]> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute()
  }

  async touch(id: string, at: number, ip: string | null): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: at, last_used_ip: ip })
      .where('id', '=', id)
      .execute()
  }

  /** Revokes for good; false when there is no such token or it was already revoked. */
  async revoke(tenantId: string, id: string, by: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at, revoked_by: by })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  /** Suspends (with who and why) or lifts a suspension; false when there is no such token. */
  async setSuspension(
    tenantId: string,
    id: string,
    suspension: { at: number; by: string; reason: string } | null,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('api_tokens')
      .set({
        suspended_at: suspension?.at ?? null,
        suspended_by: suspension?.by ?? null,
        suspended_reason: suspension?.reason ?? null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }
}
