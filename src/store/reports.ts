import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

/**
 * Reports count in 15-minute slots (epoch ms / 900,000): every time zone offset in use and
 * every DST change falls on a quarter hour, so a slot lies within one local day in any zone
 * and the caller can bucket slots by local date without the database knowing time zones.
 */
export const REPORT_SLOT_MS = 900_000

export interface SlotCount {
  slot: number
  n: number
}

export interface ConversationFacts {
  id: string
  agentId: string | null
  teamId: string | null
  createdAt: number
  closedAt: number | null
  rating: number | null
}

export interface FirstResponse {
  conversationId: string
  agentId: string
  at: number
}

/** Aggregates for the summary report, written to run the same on SQLite and PostgreSQL. */
export class ReportsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Conversations started, conversations closed and offline messages left, per 15-minute slot of [from, to). */
  async slotCounts(
    tenantId: string,
    from: number,
    to: number,
  ): Promise<{ started: SlotCount[]; closed: SlotCount[]; offline: SlotCount[] }> {
    const perSlot = async (
      table: 'conversations' | 'offline_messages',
      column: 'created_at' | 'closed_at',
    ): Promise<SlotCount[]> => {
      const rows = await this.db
        .selectFrom(table)
        .select([
          sql<number>`${sql.ref(column)} / ${sql.lit(REPORT_SLOT_MS)}`.as('slot'),
          sql<number>`count(*)`.as('n'),
        ])
        .where('tenant_id', '=', tenantId)
        .where(sql.ref(column), '>=', from)
        .where(sql.ref(column), '<', to)
        .groupBy(sql`1`)
        .execute()
      return rows.map((r) => ({ slot: Number(r.slot), n: Number(r.n) }))
    }
    const [started, closed, offline] = await Promise.all([
      perSlot('conversations', 'created_at'),
      perSlot('conversations', 'closed_at'),
      perSlot('offline_messages', 'created_at'),
    ])
    return { started, closed, offline }
  }

  /** Conversations started or closed in [from, to): the few fields durations and ratings need. */
  async conversations(tenantId: string, from: number, to: number): Promise<ConversationFacts[]> {
    const rows = await this.db
      .selectFrom('conversations')
      .select(['id', 'agent_id', 'team_id', 'created_at', 'closed_at', 'rating'])
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          eb.and([eb('created_at', '>=', from), eb('created_at', '<', to)]),
          eb.and([eb('closed_at', '>=', from), eb('closed_at', '<', to)]),
        ]),
      )
      .execute()
    return rows.map((r) => ({
      id: r.id,
      agentId: r.agent_id,
      teamId: r.team_id,
      createdAt: Number(r.created_at),
      closedAt: r.closed_at === null ? null : Number(r.closed_at),
      rating: r.rating === null ? null : Number(r.rating),
    }))
  }

  /**
   * For each conversation started in [from, to), its first agent reply: the agent message
   * (not an internal note, not a system line) with the lowest sequence number, and who sent it.
   */
  async firstResponses(tenantId: string, from: number, to: number): Promise<FirstResponse[]> {
    const firsts = this.db
      .selectFrom('messages as f')
      .innerJoin('conversations as c', 'c.id', 'f.conversation_id')
      .select(['f.conversation_id', (eb) => eb.fn.min('f.seq').as('first_seq')])
      .where('c.tenant_id', '=', tenantId)
      .where('c.created_at', '>=', from)
      .where('c.created_at', '<', to)
      .where('f.tenant_id', '=', tenantId)
      .where('f.sender_kind', '=', 'agent')
      .where('f.kind', 'not in', ['note', 'event'])
      .groupBy('f.conversation_id')
      .as('x')
    const rows = await this.db
      .selectFrom('messages as m')
      .innerJoin(firsts, (j) =>
        j.onRef('x.conversation_id', '=', 'm.conversation_id').onRef('x.first_seq', '=', 'm.seq'),
      )
      .select(['m.conversation_id', 'm.sender_id', 'm.created_at'])
      .execute()
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      agentId: r.sender_id,
      at: Number(r.created_at),
    }))
  }
}
