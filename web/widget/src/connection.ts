/** The widget's side of the protocol (docs/protocol.md): auth, resume, resend, reconnect. */
import { newUuidV7 } from '../../../src/ids/index.js'
import type { SecureFormOffer } from './secure-form.js'

export interface Message {
  id: string
  seq: number
  clientMsgId: string
  sender: { kind: 'visitor' | 'agent' | 'system'; name: string | null }
  kind: string
  text: string
  attachment: { id: string; fileName: string; contentType: string; size: number } | null
}

export interface Pending {
  clientMsgId: string
  text: string
}

export interface ChatState {
  connected: boolean
  conversationId: string | null
  status: 'none' | 'open' | 'assigned' | 'closed'
  queuePosition: number | null
  messages: Message[]
  pending: Pending[]
  agentTyping: boolean
  agentReadSeq: number
  error: string | null
  /** Secure forms the agent asked this visitor to fill in, by form id. */
  forms: SecureFormOffer[]
}

type Status = ChatState['status']

/** The server frames the widget acts on (the full list is in docs/protocol.md). */
type ServerFrame =
  | { type: 'auth.ok'; visitorToken: string; conversations: { id: string; status: Status }[] }
  | { type: 'conversation'; conversation: { id: string; status: Status }; queuePosition: number | null }
  | { type: 'conversation.updated'; conversation: { status: Status } }
  | { type: 'queue'; position: number }
  | { type: 'message'; message: Message }
  | { type: 'message.redacted'; seq: number; text: string }
  | { type: 'message.ack'; clientMsgId: string; message?: Message }
  | { type: 'typing'; from: { kind: string }; state: boolean }
  | { type: 'read'; by: string; seq: number }
  | { type: 'error'; message: string }
  | ({ type: 'secure_form'; conversationId: string } & SecureFormOffer)
  | { type: 'ok' | 'pong' | 'resume.done' }

// Time-ordered (UUIDv7): the server's resend check appends instead of touching a random index page.
const randomId = () => newUuidV7()

export class Connection {
  state: ChatState = {
    connected: false,
    conversationId: null,
    status: 'none',
    queuePosition: null,
    messages: [],
    pending: [],
    agentTyping: false,
    agentReadSeq: 0,
    error: null,
    forms: [],
  }
  token: string | null
  #ws: WebSocket | null = null
  #backoff = 500
  #typingTimer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly base: string,
    private readonly key: string,
    private readonly storageKey: string,
    private readonly onChange: (s: ChatState) => void,
    private readonly onAgentMessage: () => void,
  ) {
    const saved = JSON.parse(localStorage.getItem(storageKey) ?? '{}') as { token?: string }
    this.token = saved.token ?? null
  }

  #set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch }
    this.onChange(this.state)
  }

  #save(): void {
    localStorage.setItem(this.storageKey, JSON.stringify({ token: this.token }))
  }

  #send(frame: unknown): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(frame))
  }

  connect(): void {
    const ws = new WebSocket(
      `${this.base.replace(/^http/, 'ws')}/ws?role=visitor&key=${encodeURIComponent(this.key)}`,
    )
    this.#ws = ws
    ws.onopen = () => {
      this.#backoff = 500
      this.#send({ type: 'auth', visitorToken: this.token })
    }
    ws.onclose = () => {
      this.#set({ connected: false, agentTyping: false })
      this.#backoff = Math.min(this.#backoff * 2, 10_000)
      setTimeout(() => this.connect(), this.#backoff)
    }
    ws.onmessage = (ev) => this.#onFrame(JSON.parse(String(ev.data)) as ServerFrame)
  }

  #onFrame(f: ServerFrame): void {
    switch (f.type) {
      case 'auth.ok': {
        this.token = f.visitorToken
        this.#save()
        const active = (f.conversations as { id: string; status: ChatState['status'] }[]).find(
          (c) => c.status !== 'closed',
        )
        this.#set({
          connected: true,
          error: null,
          ...(active ? { conversationId: active.id, status: active.status } : {}),
        })
        if (this.state.conversationId) {
          const last = this.state.messages.at(-1)?.seq ?? 0
          this.#send({ type: 'resume', conversationId: this.state.conversationId, afterSeq: last })
        }
        this.#flush()
        return
      }
      case 'conversation':
        this.#set({
          conversationId: f.conversation.id,
          status: f.conversation.status,
          queuePosition: f.queuePosition,
        })
        this.#flush()
        return
      case 'conversation.updated':
        this.#set({
          status: f.conversation.status,
          ...(f.conversation.status !== 'open' ? { queuePosition: null } : {}),
        })
        return
      case 'queue':
        this.#set({ queuePosition: f.position })
        return
      case 'message':
        this.#addMessage(f.message)
        return
      case 'message.redacted':
        this.#set({
          messages: this.state.messages.map((m) => (m.seq === f.seq ? { ...m, text: f.text } : m)),
        })
        return
      case 'message.ack':
        // Sent with echo off, the ack carries the stored (redacted) message itself.
        if (f.message) this.#addMessage(f.message)
        this.#set({ pending: this.state.pending.filter((p) => p.clientMsgId !== f.clientMsgId) })
        return
      case 'typing':
        if (f.from.kind === 'agent') this.#set({ agentTyping: f.state })
        return
      case 'read':
        if (f.by === 'agent') this.#set({ agentReadSeq: Math.max(this.state.agentReadSeq, f.seq) })
        return
      case 'error':
        this.#set({ error: f.message })
        return
      case 'secure_form':
        if (f.conversationId === this.state.conversationId)
          this.#set({ forms: [...this.state.forms.filter((x) => x.formId !== f.formId), f] })
    }
  }

  #addMessage(m: Message): void {
    if (this.state.messages.some((x) => x.seq === m.seq)) return
    const messages = [...this.state.messages, m].sort((a, b) => a.seq - b.seq)
    this.#set({ messages, pending: this.state.pending.filter((p) => p.clientMsgId !== m.clientMsgId) })
    if (m.sender.kind === 'agent') this.onAgentMessage()
  }

  /**
   * Messages typed before the conversation existed, or while offline, go out with their first
   * id. Echo off: the ack brings each back as stored, so no `message` frame repeats it.
   */
  #flush(): void {
    if (!this.state.conversationId) return
    for (const p of this.state.pending) {
      this.#send({
        type: 'message.send',
        conversationId: this.state.conversationId,
        clientMsgId: p.clientMsgId,
        text: p.text,
        echo: false,
      })
    }
  }

  start(fields: Record<string, string>): void {
    this.#send({
      type: 'conversation.start',
      fields,
      page: { url: location.href, referrer: document.referrer, title: document.title },
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    })
  }

  sendText(text: string): void {
    const p = { clientMsgId: randomId(), text }
    this.#set({ pending: [...this.state.pending, p] })
    this.typing(false)
    if (this.state.conversationId && this.state.status !== 'closed') this.#flush()
    else this.start({})
  }

  typing(state: boolean): void {
    if (!this.state.conversationId) return
    if (this.#typingTimer) clearTimeout(this.#typingTimer)
    this.#send({ type: 'typing', conversationId: this.state.conversationId, state })
    if (state) this.#typingTimer = setTimeout(() => this.typing(false), 3000)
  }

  markRead(): void {
    const last = this.state.messages.at(-1)
    if (this.state.conversationId && last)
      this.#send({ type: 'read', conversationId: this.state.conversationId, seq: last.seq })
  }

  rate(rating: number): void {
    if (this.state.conversationId)
      this.#send({ type: 'rating', conversationId: this.state.conversationId, rating })
  }

  newConversation(): void {
    this.#set({ conversationId: null, status: 'none', messages: [], pending: [], agentReadSeq: 0, forms: [] })
  }

  /** Asks the server to e-mail the transcript; returns an error message or null. */
  async emailTranscript(email: string): Promise<string | null> {
    if (!this.state.conversationId || !this.token) return 'there is no chat to send'
    const res = await fetch(
      `${this.base}/api/v1/widget/conversations/${this.state.conversationId}/transcript-email`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      },
    )
    return res.ok ? null : ((await res.json()) as { error: { message: string } }).error.message
  }

  async upload(file: File): Promise<string | null> {
    if (!this.state.conversationId || !this.token) return 'start the chat first'
    const q = new URLSearchParams({ fileName: file.name, clientMsgId: randomId() })
    const res = await fetch(
      `${this.base}/api/v1/widget/conversations/${this.state.conversationId}/attachments?${q}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/octet-stream' },
        body: file,
      },
    )
    return res.ok ? null : ((await res.json()) as { error: { message: string } }).error.message
  }
}
