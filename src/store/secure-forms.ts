import type { Kysely, Selectable } from 'kysely'
import type { Database, SecureFormConfigTable, SecureFormTable } from './schema.js'

export type SecureFormRow = Selectable<SecureFormTable>
export type SecureFormKindName = SecureFormTable['kind']

/** A tenant's secure-form destination as stored (the secret included: only the service reads it). */
export interface SecureFormConfigRow {
  tenantId: string
  url: string
  secret: string
  kinds: SecureFormKindName[]
  customLabel: string | null
  updatedAt: number
}

const configOf = (r: Selectable<SecureFormConfigTable>): SecureFormConfigRow => ({
  tenantId: r.tenant_id,
  url: r.url,
  secret: r.secret,
  kinds: JSON.parse(r.kinds) as SecureFormKindName[],
  customLabel: r.custom_label,
  updatedAt: Number(r.updated_at),
})

/** Numbers come back as strings from PostgreSQL bigint columns; the service sees numbers. */
const formOf = (r: SecureFormRow): SecureFormRow => ({
  ...r,
  attempts: Number(r.attempts),
  request_seq: Number(r.request_seq),
  created_at: Number(r.created_at),
  expires_at: Number(r.expires_at),
  closed_at: r.closed_at === null ? null : Number(r.closed_at),
})

/** Secure-form destinations and the forms agents requested; no submitted value is ever written. */
export class SecureFormRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async config(tenantId: string): Promise<SecureFormConfigRow | undefined> {
    const row = await this.db
      .selectFrom('secure_form_configs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst()
    return row ? configOf(row) : undefined
  }

  async saveConfig(c: Omit<SecureFormConfigRow, 'updatedAt'>): Promise<number> {
    const values = {
      url: c.url,
      secret: c.secret,
      kinds: JSON.stringify(c.kinds),
      custom_label: c.customLabel,
      updated_at: Date.now(),
    }
    await this.db
      .insertInto('secure_form_configs')
      .values({ tenant_id: c.tenantId, ...values })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values))
      .execute()
    return values.updated_at
  }

  async insertForm(f: SecureFormRow): Promise<void> {
    await this.db.insertInto('secure_forms').values(f).execute()
  }

  /** A form by id alone: the page and the submit endpoint find the tenant from the form. */
  async form(id: string): Promise<SecureFormRow | undefined> {
    const row = await this.db.selectFrom('secure_forms').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? formOf(row) : undefined
  }

  async formsOf(tenantId: string, conversationId: string): Promise<SecureFormRow[]> {
    const rows = await this.db
      .selectFrom('secure_forms')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at')
      .execute()
    return rows.map(formOf)
  }

  /**
   * Moves a form from one of `from` to `to` in one conditional UPDATE: of two concurrent
   * submissions only one sees `true`, so a form is forwarded at most once.
   */
  async transition(
    id: string,
    from: SecureFormRow['status'][],
    to: SecureFormRow['status'],
    opts: { notExpiredAt?: number; countAttempt?: boolean } = {},
  ): Promise<boolean> {
    let q = this.db
      .updateTable('secure_forms')
      .set((eb) => ({
        status: to,
        closed_at: to === 'pending' || to === 'sending' ? null : Date.now(),
        attempts: opts.countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts'),
      }))
      .where('id', '=', id)
      .where('status', 'in', from)
    if (opts.notExpiredAt !== undefined) q = q.where('expires_at', '>', opts.notExpiredAt)
    const r = await q.executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  /** Counts a refused submission; returns the attempts so far. */
  async countAttempt(id: string): Promise<number> {
    await this.db
      .updateTable('secure_forms')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .execute()
    const row = await this.db
      .selectFrom('secure_forms')
      .select('attempts')
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(row?.attempts ?? 0)
  }
}
