import type { Kysely } from 'kysely'
import type { BodyCodec } from './body-codec.js'
import type { AttachmentTable, Database } from './schema.js'

/** Canned responses, labels, offline messages and attachments. */
export class ContentRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: () => BodyCodec,
  ) {}

  // ── canned responses ──
  cannedResponses(tenantId: string) {
    return this.db
      .selectFrom('canned_responses')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('shortcut')
      .execute()
  }

  async insertCanned(c: { id: string; tenantId: string; shortcut: string; title: string; body: string }) {
    const now = Date.now()
    await this.db
      .insertInto('canned_responses')
      .values({
        id: c.id,
        tenant_id: c.tenantId,
        shortcut: c.shortcut,
        title: c.title,
        body: c.body,
        created_at: now,
        updated_at: now,
      })
      .execute()
  }

  async updateCanned(
    tenantId: string,
    id: string,
    patch: { shortcut?: string; title?: string; body?: string },
  ) {
    const r = await this.db
      .updateTable('canned_responses')
      .set({ ...patch, updated_at: Date.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  async deleteCanned(tenantId: string, id: string) {
    const r = await this.db
      .deleteFrom('canned_responses')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  // ── labels ──
  labels(tenantId: string) {
    return this.db
      .selectFrom('labels')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute()
  }

  async insertLabel(l: { id: string; tenantId: string; name: string; color: string }) {
    await this.db
      .insertInto('labels')
      .values({ id: l.id, tenant_id: l.tenantId, name: l.name, color: l.color, created_at: Date.now() })
      .execute()
  }

  async deleteLabel(tenantId: string, id: string) {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('conversation_labels')
        .where('tenant_id', '=', tenantId)
        .where('label_id', '=', id)
        .execute()
      const r = await trx
        .deleteFrom('labels')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst()
      return Number(r.numDeletedRows) > 0
    })
  }

  async labelIdsExist(tenantId: string, ids: readonly string[]): Promise<boolean> {
    if (ids.length === 0) return true
    const rows = await this.db
      .selectFrom('labels')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .execute()
    return rows.length === new Set(ids).size
  }

  // ── offline messages (left when nobody is online) ──
  async insertOfflineMessage(m: {
    id: string
    tenantId: string
    siteId: string
    name: string
    email: string
    text: string
  }) {
    const body = this.codec().encode(
      { tenantId: m.tenantId, conversationId: m.siteId, recordId: m.id },
      m.text,
    )
    await this.db
      .insertInto('offline_messages')
      .values({
        id: m.id,
        tenant_id: m.tenantId,
        site_id: m.siteId,
        name: m.name,
        email: m.email,
        body,
        created_at: Date.now(),
      })
      .execute()
  }

  async offlineMessages(tenantId: string, limit: number) {
    const rows = await this.db
      .selectFrom('offline_messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute()
    const codec = this.codec()
    return rows.map((r) => ({
      id: r.id,
      siteId: r.site_id,
      name: r.name,
      email: r.email,
      text: codec.decode({ tenantId: r.tenant_id, conversationId: r.site_id, recordId: r.id }, r.body),
      createdAt: r.created_at,
    }))
  }

  // ── attachments ──
  async insertAttachment(a: Omit<AttachmentTable, 'created_at'>) {
    await this.db
      .insertInto('attachments')
      .values({ ...a, created_at: Date.now() })
      .execute()
  }

  attachment(tenantId: string, conversationId: string, id: string) {
    return this.db
      .selectFrom('attachments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  // ── anomaly alerts ──
  async upsertAlert(a: {
    id: string
    tenantId: string
    state: string
    record: unknown
    alert: unknown
    openedAt: number
  }) {
    const now = Date.now()
    const row = {
      id: a.id,
      tenant_id: a.tenantId,
      state: a.state as 'open',
      record: JSON.stringify(a.record),
      alert: JSON.stringify(a.alert),
      opened_at: a.openedAt,
      updated_at: now,
    }
    await this.db
      .insertInto('watch_alerts')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ state: row.state, record: row.record, updated_at: now }),
      )
      .execute()
  }

  async alerts(tenantId: string | null, limit: number) {
    let q = this.db.selectFrom('watch_alerts').selectAll()
    if (tenantId !== null) q = q.where('tenant_id', '=', tenantId)
    const rows = await q.orderBy('opened_at', 'desc').limit(limit).execute()
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      state: r.state,
      record: JSON.parse(r.record) as unknown,
      alert: JSON.parse(r.alert) as unknown,
    }))
  }

  async alert(tenantId: string, id: string) {
    const r = await this.db
      .selectFrom('watch_alerts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return r
      ? {
          id: r.id,
          tenantId: r.tenant_id,
          state: r.state,
          record: JSON.parse(r.record) as unknown,
          alert: JSON.parse(r.alert) as unknown,
        }
      : undefined
  }

  // ── webhooks ──
  async insertWebhook(w: { id: string; tenantId: string; url: string; secret: string; events: string[] }) {
    await this.db
      .insertInto('webhooks')
      .values({
        id: w.id,
        tenant_id: w.tenantId,
        url: w.url,
        secret: w.secret,
        events: JSON.stringify(w.events),
        created_at: Date.now(),
      })
      .execute()
  }

  async webhooks(tenantId: string) {
    const rows = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      url: r.url,
      secret: r.secret,
      events: JSON.parse(r.events) as string[],
      createdAt: r.created_at,
    }))
  }

  async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('webhooks')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  // ── automatic responses to alerts ──
  async watchPolicy(tenantId: string): Promise<unknown | null> {
    const row = await this.db
      .selectFrom('watch_policies')
      .select('document')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst()
    return row ? (JSON.parse(row.document) as unknown) : null
  }

  async setWatchPolicy(tenantId: string, document: unknown): Promise<void> {
    const now = Date.now()
    const json = JSON.stringify(document)
    await this.db
      .insertInto('watch_policies')
      .values({ tenant_id: tenantId, document: json, updated_at: now })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ document: json, updated_at: now }))
      .execute()
  }
}
