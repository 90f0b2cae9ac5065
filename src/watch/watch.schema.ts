/**
 * The watch event schema: the JSON-line shapes a replay file holds, parsed with zod into one
 * `WatchEvent` union, and the adapter from Parley's internal event stream into the same union.
 * Extra fields are allowed and ignored; a line that does not fit is counted, never thrown.
 */
import { z } from 'zod'
import type { ParleyEvent } from '../events/index.js'

const text = (max: number) => z.string().min(1).max(max)
const optText = (max: number) => z.string().max(max).nullish()
const ts = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))

const conversationStarted = z.looseObject({
  ts,
  tenant: text(200),
  type: z.literal('conversation.started'),
  id: optText(200),
  ip: text(64),
  userAgent: optText(1000),
  visitorId: optText(200),
  referrer: optText(2000),
  landingPage: optText(2000),
})
const messageSent = z.looseObject({
  ts,
  tenant: text(200),
  type: z.literal('message.sent'),
  id: optText(200),
  conversationId: text(200),
  sender: z.enum(['visitor', 'agent', 'system']),
  length: z.number().int().min(0).max(1_000_000),
  ip: optText(64),
})
const authAttempt = z.looseObject({
  ts,
  tenant: text(200),
  type: z.enum(['auth.login', 'auth.mfa']),
  id: optText(200),
  outcome: z.enum(['success', 'failure']),
  username: z.string().max(320),
  ip: text(64),
})
const dataAccess = z.looseObject({
  ts,
  tenant: text(200),
  type: z.enum(['transcript.read', 'transcript.export', 'value.reveal']),
  id: optText(200),
  actor: text(200),
  conversationId: text(200),
  ip: optText(64),
})
const apiRequest = z.looseObject({
  ts,
  tenant: text(200),
  type: z.literal('api.request'),
  id: optText(200),
  token: text(200),
  ip: text(64),
  route: text(500),
})
const widgetLoad = z.looseObject({
  ts,
  tenant: text(200),
  type: z.literal('widget.load'),
  id: optText(200),
  origin: z.string().max(2000),
  allowed: z.boolean(),
  ip: optText(64),
})

/** Every JSON-line shape the engine accepts, discriminated by `type`. */
export const watchEventSchema = z.discriminatedUnion('type', [
  conversationStarted,
  messageSent,
  authAttempt,
  dataAccess,
  apiRequest,
  widgetLoad,
])

/** A parsed event; `ts` is epoch milliseconds. */
export type WatchEvent = z.output<typeof watchEventSchema>
export type WatchEventType = WatchEvent['type']

export const WATCH_EVENT_TYPES: readonly WatchEventType[] = [
  'conversation.started',
  'message.sent',
  'auth.login',
  'auth.mfa',
  'transcript.read',
  'transcript.export',
  'value.reveal',
  'api.request',
  'widget.load',
]
const KNOWN_TYPES = new Set<string>(WATCH_EVENT_TYPES)

/** Why an event was not used. Every reason is counted and reported. */
export type RejectReason =
  | 'malformed_json'
  | 'invalid_event'
  | 'unknown_type'
  | 'duplicate'
  | 'out_of_order'
  | 'clock_skew'

export const REJECT_REASONS: readonly RejectReason[] = [
  'malformed_json',
  'invalid_event',
  'unknown_type',
  'duplicate',
  'out_of_order',
  'clock_skew',
]

export type ParsedLine =
  | { ok: true; event: WatchEvent }
  | { ok: false; reason: 'malformed_json' | 'invalid_event' | 'unknown_type'; detail: string }

const MAX_LINE = 64 * 1024

/** Parses one JSON line. Never throws: a bad line comes back with its reason. */
export function parseWatchLine(line: string): ParsedLine {
  if (line.length > MAX_LINE)
    return { ok: false, reason: 'malformed_json', detail: 'line longer than 64 KiB' }
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return { ok: false, reason: 'malformed_json', detail: 'not valid JSON' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'malformed_json', detail: 'not a JSON object' }
  }
  const type = (value as { type?: unknown }).type
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    return {
      ok: false,
      reason: 'unknown_type',
      detail: `type ${JSON.stringify(type)?.slice(0, 60)} is not watched`,
    }
  }
  const parsed = watchEventSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return {
      ok: false,
      reason: 'invalid_event',
      detail: `${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    }
  }
  return { ok: true, event: parsed.data }
}

/**
 * Maps an event of Parley's internal stream to the watch shape, or null when the event is not
 * a watched signal (or lacks what the signal needs, e.g. an API request made with a session).
 */
// Events of one millisecond share their `ts`: parse each distinct string once.
let lastTs = ''
let lastAt = Number.NaN

export function fromParleyEvent(e: ParleyEvent): WatchEvent | null {
  if (e.ts !== lastTs) {
    lastTs = e.ts
    lastAt = Date.parse(e.ts)
  }
  const at = lastAt
  if (Number.isNaN(at)) return null
  // No `id`: the live stream emits each event once, so there is nothing to de-duplicate, and
  // remembering every message's id for the 10-minute window held millions of strings on a busy
  // node (replayed files keep their ids and their duplicate check).
  // Each shape is written out whole: on Node 20's V8 a spread followed by more properties
  // mints a hidden class per object, and this runs for every message.
  const ip = e.origin.ip ?? null
  switch (e.type) {
    case 'conversation.started':
      if (!ip) return null
      return {
        ts: at,
        tenant: e.tenant,
        type: e.type,
        ip,
        userAgent: e.origin.userAgent ?? null,
        visitorId: e.visitorId,
        referrer: e.referrer ?? null,
        landingPage: e.landingPage ?? null,
      }
    case 'message.sent':
      return {
        ts: at,
        tenant: e.tenant,
        type: e.type,
        conversationId: e.conversationId,
        sender: e.sender,
        length: e.length,
        ip,
      }
    case 'auth.login': {
      if (!ip) return null
      // The stream reports a failed second factor as a failed login with an `mfa…` reason.
      const type = e.reason?.startsWith('mfa') ? 'auth.mfa' : 'auth.login'
      return { ts: at, tenant: e.tenant, type, outcome: e.outcome, username: e.username, ip }
    }
    case 'transcript.read':
    case 'transcript.export':
      return {
        ts: at,
        tenant: e.tenant,
        type: e.type,
        actor: e.actor.id,
        conversationId: e.conversationId,
        ip,
      }
    case 'protect.revealed':
      // A tokenized value shown to someone: the masked-value reveal signal.
      return {
        ts: at,
        tenant: e.tenant,
        type: 'value.reveal',
        actor: e.actor.id,
        conversationId: e.conversationId ?? `token:${e.tokenId}`,
        ip,
      }
    case 'api.request':
      if (e.actor.kind !== 'token' || !ip) return null
      return {
        ts: at,
        tenant: e.tenant,
        type: e.type,
        token: e.actor.id,
        ip,
        route: `${e.method} ${e.route}`,
      }
    case 'ws.rejected':
      if (e.code !== 'PARLEY_ERR_AUTH_ORIGIN_DENIED' || e.pageOrigin === undefined) return null
      return { ts: at, tenant: e.tenant, type: 'widget.load', origin: e.pageOrigin, allowed: false, ip }
    default:
      return null
  }
}
