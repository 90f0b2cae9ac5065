import { newUuidV7 } from '../../../../src/ids/index.js'
import { api, query, requestStepUp } from '../api.js'
import type {
  AlertSummary,
  ConversationView,
  Me,
  MessageAck,
  MessageView,
  PresenceStatus,
  ServerFrame,
} from '../types.js'

/** A message the agent sent that is not in the transcript yet; resent with its id after a reconnect. */
export interface Pending {
  clientMsgId: string
  conversationId: string
  text: string
  note: boolean
  ack: MessageAck | null
  error: string | null
}

/**
 * The loaded part of a transcript (only for conversations the agent opened): messages by seq,
 * and the lowest seq loaded (1 = all of it; Infinity while the first page is on its way).
 */
export interface Thread {
  bySeq: ReadonlyMap<number, MessageView>
  firstSeq: number
}

export interface Presence {
  status: PresenceStatus
  connected: boolean
  capacity: number
}

export interface LiveState {
  connection: 'connecting' | 'online' | 'offline'
  /** Counts sign-ins of the socket: screens refetch what they list when it changes. */
  epoch: number
  conversations: ReadonlyMap<string, ConversationView>
  threads: ReadonlyMap<string, Thread>
  pending: readonly Pending[]
  typing: ReadonlyMap<string, { name: string; until: number }>
  presence: ReadonlyMap<string, Presence>
  alerts: ReadonlyMap<string, AlertSummary>
  status: PresenceStatus
}

export type NewChat = { conversation: ConversationView; reason: 'unassigned' | 'assigned' }

const HISTORY_PAGE = 50
/** Transcripts resumed after a reconnect; older ones are dropped and loaded again when opened. */
const RESUME_AT_MOST = 40
const TYPING_SHOWN_MS = 8000
/** A send not acknowledged by then is sent again (same clientMsgId, so never stored twice). */
const RESEND_AFTER_MS = 8000
const PING_EVERY_MS = 20_000
const STATUS_KEY = 'parley.console.status'

const withEntry = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V | undefined): Map<K, V> => {
  const next = new Map(map)
  if (value === undefined) next.delete(key)
  else next.set(key, value)
  return next
}

/**
 * The agent's live connection: one WebSocket (`/ws?role=agent`, the session cookie
 * authenticates it), the conversations and transcripts it has seen, and messages in flight.
 * After a reconnect it resumes every loaded transcript from its last seq, then resends what was
 * not acknowledged with the same clientMsgId, so nothing is lost and nothing is stored twice.
 */
export class Live {
  #state: LiveState
  #listeners = new Set<() => void>()
  #ws: WebSocket | null = null
  #stopped = false
  #retryMs = 500
  #retryTimer: ReturnType<typeof setTimeout> | null = null
  #pingTimer: ReturnType<typeof setInterval> | null = null
  #lastFrameAt = 0
  #typingTimer: ReturnType<typeof setInterval>

  #loading = new Set<string>()
  #sentAt = new Map<string, number>()

  constructor(
    readonly me: Me,
    private readonly hooks: { onNewChat: (chat: NewChat) => void; onSessionEnded: () => void },
  ) {
    const saved = localStorage.getItem(STATUS_KEY)
    this.#state = {
      connection: 'connecting',
      epoch: 0,
      conversations: new Map(),
      threads: new Map(),
      pending: [],
      typing: new Map(),
      presence: new Map(),
      alerts: new Map(),
      status: saved === 'away' || saved === 'offline' ? saved : 'online',
    }
    this.#typingTimer = setInterval(() => this.#tick(), 1000)
  }

  subscribe = (fn: () => void): (() => void) => {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }
  getState = (): LiveState => this.#state

  #set(patch: Partial<LiveState>): void {
    this.#state = { ...this.#state, ...patch }
    for (const l of this.#listeners) l()
  }

  start(): void {
    this.#stopped = false
    this.#connect()
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#typingTimer)
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    if (this.#pingTimer) clearInterval(this.#pingTimer)
    this.#ws?.close()
  }

  #connect(): void {
    if (this.#stopped) return
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws?role=agent`)
    this.#ws = ws
    this.#set({ connection: 'connecting' })
    ws.onopen = () => {
      this.#lastFrameAt = Date.now()
      ws.send(JSON.stringify({ type: 'auth' }))
    }
    ws.onmessage = (ev) => {
      this.#lastFrameAt = Date.now()
      this.#onFrame(JSON.parse(String(ev.data)) as ServerFrame)
    }
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return
      this.#ws = null
      if (this.#pingTimer) clearInterval(this.#pingTimer)
      this.#set({ connection: 'offline', typing: new Map() })
      // 4003: the session is unknown or expired; 4004: it ended (signed out, or disabled).
      if (ev.code === 4003 || ev.code === 4004) {
        this.#stopped = true
        this.hooks.onSessionEnded()
      }
      if (this.#stopped) return
      // 4005: the session must verify a code first; ask, then reconnect (asked again if cancelled).
      if (ev.code === 4005) {
        void requestStepUp().then((ok) => {
          if (!this.#stopped) this.#retryTimer = setTimeout(() => this.#connect(), ok ? 0 : 5000)
        })
        return
      }
      this.#retryTimer = setTimeout(() => this.#connect(), this.#retryMs)
      this.#retryMs = Math.min(this.#retryMs * 2, 5000)
    }
    // A socket whose network vanished may never report it: no frame for two pings means dead.
    this.#pingTimer = setInterval(() => {
      if (Date.now() - this.#lastFrameAt > PING_EVERY_MS * 2) ws.close()
      else if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ping' }))
    }, PING_EVERY_MS)
  }

  #send(frame: Record<string, unknown>): boolean {
    if (this.#ws?.readyState !== WebSocket.OPEN || this.#state.connection !== 'online') return false
    this.#ws.send(JSON.stringify(frame))
    return true
  }

  #onFrame(f: ServerFrame): void {
    switch (f.type) {
      case 'auth.ok': {
        this.#retryMs = 500
        this.#set({ connection: 'online', epoch: this.#state.epoch + 1 })
        this.upsertConversations(f.conversations)
        this.#send({ type: 'presence.set', status: this.#state.status })
        // Resume first, then resend: the replay brings whatever an earlier attempt stored. Only
        // the most recently active transcripts, so a reconnect never floods the frame limit.
        const recent = [...this.#state.threads]
          .filter(([, t]) => Number.isFinite(t.firstSeq))
          .map(([id]) => id)
          .sort(
            (a, b) =>
              updatedAt(this.#state.conversations.get(b)) - updatedAt(this.#state.conversations.get(a)),
          )
          .slice(0, RESUME_AT_MOST)
        this.#set({ threads: new Map(recent.map((id) => [id, this.#state.threads.get(id)!])) })
        for (const [id, thread] of this.#state.threads) {
          this.#send({ type: 'resume', conversationId: id, afterSeq: lastSeqOf(thread) })
        }
        for (const p of this.#state.pending) if (!p.ack && !p.error) this.#transmit(p)
        return
      }
      case 'conversation':
      case 'conversation.updated':
        this.#conversationChanged(f.conversation)
        return
      case 'message':
        this.#addMessages(f.message.conversationId, [f.message])
        return
      case 'message.redacted': {
        const thread = this.#state.threads.get(f.conversationId)
        const m = thread?.bySeq.get(f.seq)
        if (!thread || !m) return
        const bySeq = withEntry(thread.bySeq, f.seq, { ...m, text: f.text, redactions: f.redactions })
        this.#set({ threads: withEntry(this.#state.threads, f.conversationId, { ...thread, bySeq }) })
        return
      }
      case 'message.ack': {
        // Sent with echo off, the ack carries the stored (redacted) message itself.
        if (f.message) this.#addMessages(f.message.conversationId, [f.message])
        const pending = this.#state.pending.map((p) =>
          p.clientMsgId === f.clientMsgId ? { ...p, ack: { ...f } } : p,
        )
        // Acknowledged and already in the transcript (a duplicate resend): nothing left in flight.
        const have = this.#state.threads.get(f.conversationId)?.bySeq.has(f.seq)
        this.#set({ pending: have ? pending.filter((p) => p.clientMsgId !== f.clientMsgId) : pending })
        return
      }
      case 'typing': {
        if (f.from.kind === 'agent' && f.from.id === this.me.agentId) return
        const visitor = this.#state.conversations.get(f.conversationId)?.visitor.name
        const name = f.from.name ?? (f.from.kind === 'visitor' ? (visitor ?? 'The visitor') : 'An agent')
        const entry = f.state ? { name, until: Date.now() + TYPING_SHOWN_MS } : undefined
        this.#set({ typing: withEntry(this.#state.typing, f.conversationId, entry) })
        return
      }
      case 'read': {
        const c = this.#state.conversations.get(f.conversationId)
        if (!c) return
        const next =
          f.by === 'visitor'
            ? { ...c, visitorReadSeq: Math.max(c.visitorReadSeq, f.seq) }
            : { ...c, agentReadSeq: Math.max(c.agentReadSeq, f.seq) }
        this.#set({ conversations: withEntry(this.#state.conversations, c.id, next) })
        return
      }
      case 'presence': {
        const p = { status: f.status, connected: f.connected, capacity: f.capacity }
        this.#set({ presence: withEntry(this.#state.presence, f.agentId, p) })
        return
      }
      case 'alert':
        this.#set({ alerts: withEntry(this.#state.alerts, f.alert.id, { ...f.alert } as AlertSummary) })
        return
      case 'error': {
        if (!f.ref?.startsWith('m:')) return
        const id = f.ref.slice(2)
        this.#set({
          pending: this.#state.pending.map((p) => (p.clientMsgId === id ? { ...p, error: f.message } : p)),
        })
        return
      }
      default:
        return
    }
  }

  #conversationChanged(next: ConversationView): void {
    const prev = this.#state.conversations.get(next.id)
    this.upsertConversations([next])
    if (next.status === 'open' && next.agentId === null && prev?.status !== 'open') {
      this.hooks.onNewChat({ conversation: next, reason: 'unassigned' })
    } else if (
      next.agentId === this.me.agentId &&
      prev?.agentId !== this.me.agentId &&
      next.status !== 'closed'
    ) {
      this.hooks.onNewChat({ conversation: next, reason: 'assigned' })
    }
  }

  /** Merges conversations from the socket or the REST API; the transcript's lastSeq never goes back. */
  upsertConversations(list: readonly ConversationView[]): void {
    if (list.length === 0) return
    const conversations = new Map(this.#state.conversations)
    for (const c of list) {
      const known = conversations.get(c.id)
      conversations.set(
        c.id,
        known
          ? {
              ...c,
              lastSeq: Math.max(known.lastSeq, c.lastSeq),
              agentReadSeq: Math.max(known.agentReadSeq, c.agentReadSeq),
              visitorReadSeq: Math.max(known.visitorReadSeq, c.visitorReadSeq),
            }
          : c,
      )
    }
    this.#set({ conversations })
  }

  #addMessages(conversationId: string, messages: readonly MessageView[], firstSeq?: number): void {
    const thread = this.#state.threads.get(conversationId)
    const conv = this.#state.conversations.get(conversationId)
    const maxSeq = Math.max(0, ...messages.map((m) => m.seq))
    if (!thread && firstSeq === undefined) {
      // Not opened here: only the unread count moves; the transcript loads when it is opened.
      if (conv && maxSeq > conv.lastSeq)
        this.#set({
          conversations: withEntry(this.#state.conversations, conversationId, { ...conv, lastSeq: maxSeq }),
        })
      return
    }
    const bySeq = new Map(thread?.bySeq ?? [])
    for (const m of messages) bySeq.set(m.seq, m)
    const ids = new Set(messages.map((m) => m.clientMsgId))
    const seqs = new Set(messages.map((m) => m.seq))
    const pending = this.#state.pending.filter(
      (p) =>
        p.conversationId !== conversationId ||
        !(ids.has(p.clientMsgId) || (p.ack !== null && seqs.has(p.ack.seq))),
    )
    const lowest = Math.min(...bySeq.keys())
    this.#set({
      threads: withEntry(this.#state.threads, conversationId, {
        bySeq,
        firstSeq: Math.min(firstSeq ?? lowest, thread?.firstSeq ?? lowest),
      }),
      pending,
      typing: messages.some((m) => this.#state.typing.has(m.conversationId) && m.sender.kind === 'visitor')
        ? withEntry(this.#state.typing, conversationId, undefined)
        : this.#state.typing,
      ...(conv && maxSeq > conv.lastSeq
        ? {
            conversations: withEntry(this.#state.conversations, conversationId, { ...conv, lastSeq: maxSeq }),
          }
        : {}),
    })
  }

  /**
   * Loads the transcript page before what is loaded (the newest page the first time). Seqs have
   * no gaps, so a page is simply the range below the lowest loaded seq.
   */
  async loadHistory(conversationId: string): Promise<void> {
    if (this.#loading.has(conversationId)) return
    const thread = this.#state.threads.get(conversationId)
    const conv = this.#state.conversations.get(conversationId)
    const top = thread && Number.isFinite(thread.firstSeq) ? thread.firstSeq - 1 : null
    if (top !== null && top <= 0) return
    // The first load reads everything from its starting point on; an empty thread is in place
    // before it, so live messages that arrive while it is on its way are kept, not missed.
    if (!thread) {
      this.#set({
        threads: withEntry(this.#state.threads, conversationId, {
          bySeq: new Map(),
          firstSeq: Number.POSITIVE_INFINITY,
        }),
      })
    }
    const afterSeq = Math.max(0, (top ?? conv?.lastSeq ?? 0) - HISTORY_PAGE)
    const limit = top === null ? 500 : top - afterSeq
    this.#loading.add(conversationId)
    try {
      const page = await api<{ items: MessageView[]; lastSeq: number }>(
        'GET',
        `/api/v1/conversations/${encodeURIComponent(conversationId)}/messages${query({ afterSeq, limit })}`,
      )
      this.#addMessages(conversationId, page.items, afterSeq + 1)
    } finally {
      this.#loading.delete(conversationId)
    }
  }

  /** Sends a message or an internal note; it stays pending until its ack and message arrive. */
  sendMessage(conversationId: string, text: string, note: boolean): void {
    const p: Pending = {
      // Time-ordered (UUIDv7), like the widget's: see docs/protocol.md, idempotent sends.
      clientMsgId: newUuidV7(),
      conversationId,
      text,
      note,
      ack: null,
      error: null,
    }
    this.#set({ pending: [...this.#state.pending, p] })
    this.#transmit(p)
  }

  retry(clientMsgId: string): void {
    const p = this.#state.pending.find((x) => x.clientMsgId === clientMsgId)
    if (!p) return
    const again = { ...p, error: null }
    this.#set({ pending: this.#state.pending.map((x) => (x === p ? again : x)) })
    this.#transmit(again)
  }

  discard(clientMsgId: string): void {
    this.#set({ pending: this.#state.pending.filter((p) => p.clientMsgId !== clientMsgId) })
  }

  #transmit(p: Pending): void {
    this.#sentAt.set(p.clientMsgId, Date.now())
    this.#send({
      type: 'message.send',
      ref: `m:${p.clientMsgId}`,
      conversationId: p.conversationId,
      clientMsgId: p.clientMsgId,
      text: p.text,
      ...(p.note ? { note: true } : {}),
      echo: false,
    })
  }

  typing(conversationId: string, state: boolean): void {
    this.#send({ type: 'typing', conversationId, state })
  }

  /** Tells the visitor (and other agents) what the agent has seen. */
  markRead(conversationId: string): void {
    const c = this.#state.conversations.get(conversationId)
    const thread = this.#state.threads.get(conversationId)
    if (!c || !thread) return
    const seq = lastSeqOf(thread)
    if (seq <= c.agentReadSeq || !this.#send({ type: 'read', conversationId, seq })) return
    this.#set({ conversations: withEntry(this.#state.conversations, c.id, { ...c, agentReadSeq: seq }) })
  }

  setStatus(status: PresenceStatus): void {
    localStorage.setItem(STATUS_KEY, status)
    this.#set({ status })
    this.#send({ type: 'presence.set', status })
  }

  /** Alerts as the API lists them; they replace what frames said about the same alerts. */
  setAlerts(alerts: readonly AlertSummary[]): void {
    this.#set({ alerts: new Map([...this.#state.alerts, ...alerts.map((a) => [a.id, a] as const)]) })
  }

  #tick(): void {
    const now = Date.now()
    // A frame the server dropped (a flood limit, a socket that died without a word) gets no
    // ack: send it again rather than leave it "Sending…" until the next reconnect.
    for (const p of this.#state.pending) {
      if (!p.ack && !p.error && now - (this.#sentAt.get(p.clientMsgId) ?? 0) > RESEND_AFTER_MS)
        this.#transmit(p)
    }
    if (![...this.#state.typing.values()].some((t) => t.until < now)) return
    this.#set({ typing: new Map([...this.#state.typing].filter(([, t]) => t.until >= now)) })
  }
}

const updatedAt = (c: ConversationView | undefined) => (c ? Date.parse(c.updatedAt) : 0)

export function lastSeqOf(thread: Thread): number {
  return Math.max(0, ...thread.bySeq.keys())
}

/** Messages the agent has not seen yet in a conversation. */
export function unreadOf(c: ConversationView): number {
  return Math.max(0, c.lastSeq - c.agentReadSeq)
}
