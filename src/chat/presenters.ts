import { isoTime } from '../events/index.js'
import type { ConversationRow, MessageWriteResult, StoredMessageView } from '../store/index.js'
import type {
  ConversationView,
  MessageAck,
  MessageView,
  SenderView,
  VisitorContextInfo,
} from './protocol.schema.js'

const iso = (ms: number | null): string | null => (ms === null ? null : isoTime(ms))

/** Builds the client view from an explicit field list, never by spreading a row. */
export function presentConversation(
  row: ConversationRow,
  extra: { labels: string[]; visitor: { name: string | null; email: string | null } },
): ConversationView {
  return {
    id: row.id,
    siteId: row.site_id,
    visitorId: row.visitor_id,
    status: row.status,
    agentId: row.agent_id,
    teamId: row.team_id,
    lastSeq: row.last_seq,
    visitorReadSeq: row.visitor_read_seq,
    agentReadSeq: row.agent_read_seq,
    labels: extra.labels,
    visitor: extra.visitor,
    context: JSON.parse(row.visitor_context) as VisitorContextInfo,
    rating: row.rating,
    ratingComment: row.rating_comment,
    firstResponseAt: iso(row.first_response_at),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    closedAt: iso(row.closed_at),
  }
}

/** A conversation as its visitor may see it: no labels, no internal context. */
export function presentConversationToVisitor(view: ConversationView): ConversationView {
  return { ...view, labels: [], context: {}, teamId: null }
}

export function presentMessage(
  m: StoredMessageView,
  sender: SenderView,
  attachment: MessageView['attachment'],
): MessageView {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    clientMsgId: m.clientMsgId,
    sender,
    kind: m.kind,
    text: m.text,
    attachment,
    redactions: m.redactions,
    createdAt: isoTime(m.createdAt),
  }
}

/**
 * The sender's ack of a stored message, carrying the message itself when the sender asked for
 * no echo. Two literals, not `{ ...ack, message }`: on Node 20's V8 that spread gave every ack
 * a hidden class of its own, a map and a descriptor array in old space per message
 * (test/hidden-classes.test.ts).
 */
export function presentAck(
  conversationId: string,
  clientMsgId: string,
  stored: MessageWriteResult,
  message?: MessageView,
): MessageAck {
  const { id, seq, duplicate } = stored
  const createdAt = isoTime(stored.createdAt)
  return message
    ? { conversationId, clientMsgId, id, seq, createdAt, duplicate, message }
    : { conversationId, clientMsgId, id, seq, createdAt, duplicate }
}
