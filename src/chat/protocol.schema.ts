import { z } from 'zod'

/**
 * The WebSocket protocol's client frames, validated once at the edge. `docs/protocol.md`
 * documents these shapes; `protocol.test.ts` keeps the doc and this file in step.
 */
const ref = z.string().max(64).optional()
const id = z.string().min(1).max(64)
/** Client message ids are the client's idempotency key: a resend carries the same id. */
const clientMsgId = z.string().min(1).max(64)
/** The length rule (and its typed error) lives in chat; this bound only stops absurd frames. */
const text = z.string().max(100_000)

export const clientFrameSchemas = {
  auth: z.object({
    type: z.literal('auth'),
    ref,
    visitorToken: z.string().max(512).nullish(),
    session: z.string().max(256).optional(),
  }),
  'conversation.start': z.object({
    type: z.literal('conversation.start'),
    ref,
    fields: z.record(z.string().max(64), z.string().max(500)).optional(),
    page: z
      .object({
        url: z.string().max(2000).optional(),
        referrer: z.string().max(2000).optional(),
        title: z.string().max(300).optional(),
      })
      .optional(),
    timezone: z.string().max(64).optional(),
    message: z.object({ clientMsgId, text }).optional(),
  }),
  'message.send': z.object({
    type: z.literal('message.send'),
    ref,
    conversationId: id,
    clientMsgId,
    text,
    note: z.boolean().optional(),
    /** false: the ack carries the message and this socket gets no `message` frame for it. */
    echo: z.boolean().optional(),
  }),
  resume: z.object({ type: z.literal('resume'), ref, conversationId: id, afterSeq: z.number().int().min(0) }),
  typing: z.object({ type: z.literal('typing'), ref, conversationId: id, state: z.boolean() }),
  read: z.object({ type: z.literal('read'), ref, conversationId: id, seq: z.number().int().min(1) }),
  'presence.set': z.object({
    type: z.literal('presence.set'),
    ref,
    status: z.enum(['online', 'away', 'offline']),
    capacity: z.number().int().min(1).max(100).optional(),
  }),
  'conversation.transfer': z.object({
    type: z.literal('conversation.transfer'),
    ref,
    conversationId: id,
    toAgentId: id.optional(),
    toTeamId: id.optional(),
  }),
  'conversation.claim': z.object({ type: z.literal('conversation.claim'), ref, conversationId: id }),
  'conversation.close': z.object({ type: z.literal('conversation.close'), ref, conversationId: id }),
  'conversation.reopen': z.object({ type: z.literal('conversation.reopen'), ref, conversationId: id }),
  rating: z.object({
    type: z.literal('rating'),
    ref,
    conversationId: id,
    rating: z.number().int().min(1).max(5),
    comment: z.string().max(1000).optional(),
  }),
  'secure_form.request': z.object({
    type: z.literal('secure_form.request'),
    ref,
    conversationId: id,
    kind: z.enum(['card', 'bank_account', 'custom']),
    label: z.string().trim().min(1).max(80).optional(),
  }),
  ping: z.object({ type: z.literal('ping'), ref }),
} as const

export type ClientFrameType = keyof typeof clientFrameSchemas
export type ClientFrame = { [K in ClientFrameType]: z.infer<(typeof clientFrameSchemas)[K]> }[ClientFrameType]
export type ClientFrameOf<K extends ClientFrameType> = z.infer<(typeof clientFrameSchemas)[K]>

export function isClientFrameType(t: unknown): t is ClientFrameType {
  return typeof t === 'string' && Object.hasOwn(clientFrameSchemas, t)
}

/** Who sent a message, as shown to the other side. */
export interface SenderView {
  kind: 'visitor' | 'agent' | 'system'
  id: string
  name: string | null
}

export interface MessageView {
  id: string
  conversationId: string
  seq: number
  clientMsgId: string
  sender: SenderView
  kind: 'text' | 'note' | 'attachment' | 'event'
  text: string
  attachment: { id: string; fileName: string; contentType: string; size: number } | null
  /** What redaction removed or masked, by category and count (never the values). */
  redactions: Record<string, number>
  createdAt: string
}

export interface ConversationView {
  id: string
  siteId: string
  visitorId: string
  status: 'open' | 'assigned' | 'closed'
  agentId: string | null
  teamId: string | null
  lastSeq: number
  visitorReadSeq: number
  agentReadSeq: number
  labels: string[]
  visitor: { name: string | null; email: string | null }
  context: VisitorContextInfo
  rating: number | null
  ratingComment: string | null
  firstResponseAt: string | null
  createdAt: string
  updatedAt: string
  closedAt: string | null
}

/** What the widget tells about the visitor's page (shown in the console's visitor panel). */
export interface VisitorContextInfo {
  pageUrl?: string
  pageTitle?: string
  referrer?: string
  userAgent?: string
  timezone?: string
  ip?: string
  fields?: Record<string, string>
}

/**
 * The answer to a send: the message is stored under `seq` (or was already, `duplicate`). A
 * send with `echo: false` gets the stored message here instead of a `message` frame (not on a
 * duplicate: that one reached the transcript the first time, and `resume` returns it).
 */
export interface MessageAck {
  conversationId: string
  clientMsgId: string
  id: string
  seq: number
  createdAt: string
  duplicate: boolean
  message?: MessageView
}

/** A secure form as agents see it (never a submitted value). */
export interface SecureFormView {
  id: string
  conversationId: string
  kind: 'card' | 'bank_account' | 'custom'
  label: string | null
  status: 'pending' | 'sending' | 'completed' | 'cancelled' | 'locked' | 'expired'
  seq: number
  createdAt: string
  expiresAt: string
}

/** Frames the server sends. */
export type ServerFrame =
  | {
      type: 'auth.ok'
      ref?: string
      role: 'visitor' | 'agent'
      visitorId?: string
      visitorToken?: string
      agentId?: string
      conversations: ConversationView[]
    }
  | { type: 'conversation'; ref?: string; conversation: ConversationView; queuePosition: number | null }
  | { type: 'conversation.updated'; conversation: ConversationView }
  | { type: 'message'; message: MessageView }
  | {
      type: 'message.redacted'
      conversationId: string
      id: string
      seq: number
      text: string
      redactions: Record<string, number>
    }
  | ({ type: 'message.ack'; ref?: string } & MessageAck)
  | { type: 'resume.done'; ref?: string; conversationId: string; lastSeq: number }
  | { type: 'typing'; conversationId: string; from: SenderView; state: boolean }
  | { type: 'read'; conversationId: string; by: 'visitor' | 'agent'; seq: number }
  | {
      type: 'presence'
      agentId: string
      status: 'online' | 'away' | 'offline'
      connected: boolean
      capacity: number
    }
  | { type: 'queue'; conversationId: string; position: number }
  | {
      type: 'alert'
      alert: {
        id: string
        state: string
        signal: string
        severity: string
        cause: string
        recommendation: string
      }
    }
  | ({ type: 'secure_form.requested'; ref?: string } & SecureFormView)
  | {
      /** To the visitor only: the form to open in an iframe; `url` carries the form's token. */
      type: 'secure_form'
      conversationId: string
      formId: string
      kind: SecureFormView['kind']
      label: string | null
      url: string
      expiresAt: string
      seq: number
    }
  | { type: 'ok'; ref?: string }
  | { type: 'pong'; ref?: string }
  | { type: 'error'; ref?: string; code: string; message: string; [detail: string]: unknown }
