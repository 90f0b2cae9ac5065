import type { Kysely } from 'kysely'
import type { BodyCodec } from './body-codec.js'
import type { DialectTraits } from './dialect.js'
import type { ConversationTable, Database, MessageTable } from './schema.js'

export interface ConversationFilter {
  tenantId: string
  status?: ConversationTable['status'][] | undefined
  agentId?: string | null | undefined
  teamIds?: string[] | undefined
  siteId?: string | undefined
  visitorId?: string | undefined
  labelId?: string | undefined
  /** Visible to a plain agent: theirs, unassigned, or their teams'. */
  visibleTo?: { agentId: string; teamIds: string[] } | undefined
  /** Keyset cursor: rows strictly older than (updatedAt, id). */
  before?: { updatedAt: number; id: string } | undefined
  limit: number
}

export interface StoredMessageView {
  id: string
  conversationId: string
  seq: number
  clientMsgId: string
  senderKind: MessageTable['sender_kind']
  senderId: string
  kind: MessageTable['kind']
  text: string
  attachmentId: string | null
  redactions: Record<string, number>
  createdAt: number
}

/** Conversations, visitors and the reading side of messages. */
export class ConversationRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly traits: DialectTraits,
    private readonly codec: () => BodyCodec,
  ) {}

  async insertVisitor(v: {
    id: string
    tenantId: string
    siteId: string
    name: string | null
    email: string | null
  }) {
    const now = Date.now()
    await this.db
      .insertInto('visitors')
      .values({
        id: v.id,
        tenant_id: v.tenantId,
        site_id: v.siteId,
        name: v.name,
        email: v.email,
        created_at: now,
        last_seen_at: now,
      })
      .execute()
  }

  visitor(tenantId: string, id: string) {
    return this.db
      .selectFrom('visitors')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  async updateVisitor(tenantId: string, id: string, patch: { name?: string | null; email?: string | null }) {
    await this.db
      .updateTable('visitors')
      .set({ ...patch, last_seen_at: Date.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute()
  }

  async insertConversation(c: {
    id: string
    tenantId: string
    siteId: string
    visitorId: string
    visitorContext: string
    teamId: string | null
  }) {
    const now = Date.now()
    await this.db
      .insertInto('conversations')
      .values({
        id: c.id,
        tenant_id: c.tenantId,
        site_id: c.siteId,
        visitor_id: c.visitorId,
        status: 'open',
        agent_id: null,
        team_id: c.teamId,
        last_seq: 0,
        visitor_read_seq: 0,
        agent_read_seq: 0,
        visitor_context: c.visitorContext,
        rating: null,
        rating_comment: null,
        first_response_at: null,
        created_at: now,
        updated_at: now,
        closed_at: null,
      })
      .execute()
  }

  conversation(tenantId: string, id: string) {
    return this.db
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
  }

  list(f: ConversationFilter) {
    let q = this.db
      .selectFrom('conversations')
      .selectAll('conversations')
      .where('conversations.tenant_id', '=', f.tenantId)
    if (f.status?.length) q = q.where('status', 'in', f.status)
    if (f.agentId !== undefined)
      q = f.agentId === null ? q.where('agent_id', 'is', null) : q.where('agent_id', '=', f.agentId)
    if (f.teamIds?.length) q = q.where('team_id', 'in', f.teamIds)
    if (f.siteId) q = q.where('site_id', '=', f.siteId)
    if (f.visitorId) q = q.where('visitor_id', '=', f.visitorId)
    if (f.labelId) {
      const labelId = f.labelId
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('conversation_labels')
            .select('label_id')
            .whereRef('conversation_labels.conversation_id', '=', 'conversations.id')
            .where('conversation_labels.label_id', '=', labelId),
        ),
      )
    }
    if (f.visibleTo) {
      const { agentId, teamIds } = f.visibleTo
      q = q.where((eb) =>
        eb.or([
          eb('agent_id', '=', agentId),
          eb('agent_id', 'is', null),
          ...(teamIds.length ? [eb('team_id', 'in', teamIds)] : []),
        ]),
      )
    }
    if (f.before) {
      const { updatedAt, id } = f.before
      q = q.where((eb) =>
        eb.or([
          eb('updated_at', '<', updatedAt),
          eb.and([eb('updated_at', '=', updatedAt), eb('id', '<', id)]),
        ]),
      )
    }
    return q.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute()
  }

  /** Open (unassigned) conversations waiting before this one, plus one: its queue position. */
  async queuePosition(tenantId: string, conv: { created_at: number; id: string }): Promise<number> {
    const r = await this.db
      .selectFrom('conversations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'open')
      .where((eb) =>
        eb.or([
          eb('created_at', '<', conv.created_at),
          eb.and([eb('created_at', '=', conv.created_at), eb('id', '<', conv.id)]),
        ]),
      )
      .executeTakeFirstOrThrow()
    return Number(r.n) + 1
  }

  waiting(tenantId: string, limit: number) {
    return this.db
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'open')
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute()
  }

  activeCount(tenantId: string, agentId: string): Promise<number> {
    return this.db
      .selectFrom('conversations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .where('status', '=', 'assigned')
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n))
  }

  /**
   * Round-robin: among `candidates` (online, connected), the agent with free capacity who was
   * assigned least recently gets the conversation, if it is still waiting. Returns the agent id.
   */
  async assignNext(
    tenantId: string,
    conversationId: string,
    candidates: string[],
    now: number,
  ): Promise<string | null> {
    if (candidates.length === 0) return null
    return this.db.transaction().execute(async (trx) => {
      let agentsQ = trx
        .selectFrom('agents')
        .select(['id', 'capacity', 'last_assigned_at'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', candidates)
        .where('status', '=', 'online')
        .where('disabled', '=', 0)
        .orderBy('last_assigned_at')
        .orderBy('id')
      if (this.traits.needsRowLocks) agentsQ = agentsQ.forUpdate()
      const agents = await agentsQ.execute()
      const loads = await trx
        .selectFrom('conversations')
        .select(['agent_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'assigned')
        .where('agent_id', 'in', candidates)
        .groupBy('agent_id')
        .execute()
      const load = new Map(loads.map((l) => [l.agent_id, Number(l.n)]))
      const chosen = agents.find((a) => (load.get(a.id) ?? 0) < a.capacity)
      if (!chosen) return null
      const r = await trx
        .updateTable('conversations')
        .set({ status: 'assigned', agent_id: chosen.id, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', conversationId)
        .where('status', '=', 'open')
        .executeTakeFirst()
      if (Number(r.numUpdatedRows) === 0) return null
      await trx.updateTable('agents').set({ last_assigned_at: now }).where('id', '=', chosen.id).execute()
      return chosen.id
    })
  }

  /** Applies a state change only if the conversation is in one of `from`; returns the new row or undefined. */
  async transition(
    tenantId: string,
    id: string,
    from: ConversationTable['status'][],
    set: Partial<Pick<ConversationTable, 'status' | 'agent_id' | 'team_id' | 'closed_at'>>,
  ) {
    return this.db
      .updateTable('conversations')
      .set({ ...set, updated_at: Date.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst()
  }

  async markRead(tenantId: string, id: string, who: 'visitor' | 'agent', seq: number): Promise<void> {
    const column = who === 'visitor' ? 'visitor_read_seq' : 'agent_read_seq'
    await this.db
      .updateTable('conversations')
      .set({ [column]: seq })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where(column, '<', seq)
      .where('last_seq', '>=', seq)
      .execute()
  }

  async rate(tenantId: string, id: string, rating: number, comment: string | null): Promise<boolean> {
    const r = await this.db
      .updateTable('conversations')
      .set({ rating, rating_comment: comment })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  /** Messages after `afterSeq`, oldest first; bodies decoded through the codec. */
  async messages(
    tenantId: string,
    conversationId: string,
    opts: { afterSeq: number; limit: number; includeNotes: boolean },
  ): Promise<StoredMessageView[]> {
    let q = this.db
      .selectFrom('messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', opts.afterSeq)
    if (!opts.includeNotes) q = q.where('kind', '!=', 'note')
    const rows = await q.orderBy('seq').limit(opts.limit).execute()
    const codec = this.codec()
    return rows.map((r) => ({
      id: r.id,
      conversationId: r.conversation_id,
      seq: r.seq,
      clientMsgId: r.client_msg_id,
      senderKind: r.sender_kind,
      senderId: r.sender_id,
      kind: r.kind,
      text: codec.decode(
        { tenantId: r.tenant_id, conversationId: r.conversation_id, recordId: r.id },
        r.body,
      ),
      attachmentId: r.attachment_id,
      redactions: JSON.parse(r.redactions) as Record<string, number>,
      createdAt: r.created_at,
    }))
  }

  /**
   * Replaces a stored message's text with a stricter redaction of it (a card number completed
   * by a later message); returns its seq, or null when it is not there.
   */
  async reviseMessageText(
    tenantId: string,
    conversationId: string,
    messageId: string,
    text: string,
    redactions: Record<string, number>,
  ): Promise<number | null> {
    const body = this.codec().encode({ tenantId, conversationId, recordId: messageId }, text)
    const row = await this.db
      .updateTable('messages')
      .set({ body, redactions: JSON.stringify(redactions) })
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .where('id', '=', messageId)
      .returning('seq')
      .executeTakeFirst()
    return row?.seq ?? null
  }

  // ── labels on conversations ──
  async setLabels(tenantId: string, conversationId: string, labelIds: readonly string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('conversation_labels')
        .where('tenant_id', '=', tenantId)
        .where('conversation_id', '=', conversationId)
        .execute()
      if (labelIds.length > 0) {
        await trx
          .insertInto('conversation_labels')
          .values(
            labelIds.map((label_id) => ({ conversation_id: conversationId, label_id, tenant_id: tenantId })),
          )
          .execute()
      }
    })
  }

  async labelsOf(tenantId: string, conversationIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>()
    if (conversationIds.length === 0) return out
    const rows = await this.db
      .selectFrom('conversation_labels')
      .select(['conversation_id', 'label_id'])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', 'in', conversationIds)
      .execute()
    for (const r of rows) out.set(r.conversation_id, [...(out.get(r.conversation_id) ?? []), r.label_id])
    return out
  }
}
