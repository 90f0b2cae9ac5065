import { randomUUID } from 'node:crypto'
import type { Bus } from '../bus/index.js'
import { ParleyError } from '../errors/index.js'
import type { EventStream } from '../events/index.js'
import {
  type AgentContext,
  type AuthContext,
  actorOf,
  type ConversationAction,
  canAccessConversation,
  requireAgent,
  type VisitorContext,
} from '../identity/index.js'
import type { MessageProtector } from '../protect/index.js'
import {
  ConversationMissing,
  type ConversationRow,
  type MessageWrite,
  type MessageWriteResult,
  type Store,
  type StoredMessageView,
  timeOrderedId,
} from '../store/index.js'
import { ATTACHMENT_TYPES, safeFileName, sniffAttachmentType } from './attachment-type.js'
import type { Delivery, DeliveryScope } from './deliveries.js'
import {
  presentAck,
  presentConversation,
  presentConversationToVisitor,
  presentMessage,
} from './presenters.js'
import type {
  ConversationView,
  MessageAck,
  MessageView,
  SenderView,
  VisitorContextInfo,
} from './protocol.schema.js'
import { Router } from './router.js'

export interface ChatLimits {
  /** Maximum characters of a message (default 4,000). */
  maxMessageLength: number
  /** Maximum messages returned by one transcript page. */
  maxPage: number
  /** Maximum bytes of one attachment. */
  maxAttachmentBytes: number
}

export interface MessageDraft {
  conversationId: string
  clientMsgId: string
  text: string
  note?: boolean | undefined
  attachmentId?: string | null
  /** false: the sender's own connection learns of the message from the ack alone. */
  echo?: boolean | undefined
}

const EMAIL = /^[^\s@<>()[\],;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/

/** How long a write-path conversation check may be reused (see ChatService.#hot). */
const HOT_CONVERSATION_MS = 5000

/**
 * A message as stored, from its write and the commit's answer. Listed field by field: on
 * Node 20's V8 `{ ...write, seq }` mints a hidden class per object, once per message here.
 */
function storedView(write: MessageWrite, stored: MessageWriteResult): StoredMessageView {
  return {
    id: stored.id,
    conversationId: write.conversationId,
    seq: stored.seq,
    clientMsgId: write.clientMsgId,
    senderKind: write.senderKind,
    senderId: write.senderId,
    kind: write.kind,
    text: write.text,
    attachmentId: write.attachmentId ?? null,
    redactions: write.redactions ?? {},
    createdAt: stored.createdAt,
  }
}

const SYSTEM_SENDER: SenderView = { kind: 'system', id: 'system', name: null }

/**
 * The rules of live chat: who may say what where, in which state, and who hears it. Every
 * edge (WebSocket gateway, REST, CLI) calls these functions with an authenticated context;
 * none of them holds a rule of its own.
 */
export class ChatService {
  readonly router: Router
  readonly #names = new Map<string, string>()
  /**
   * Conversations recently checked on the write path, so a busy chat does not read its row
   * for every message. Any change to a conversation is announced on the bus, which every
   * node hears, and drops the entry; the short lifetime bounds a missed announcement.
   */
  readonly #hot = new Map<string, { row: ConversationRow; at: number }>()

  constructor(
    readonly store: Store,
    readonly bus: Bus,
    readonly events: EventStream,
    readonly limits: ChatLimits,
    readonly protector: MessageProtector,
  ) {
    this.router = new Router(
      store,
      (tenantId, delivery) => this.publish(tenantId, delivery),
      (conv) => this.conversationView(conv),
    )
    bus.subscribe((env) => {
      const d = env.payload as Delivery
      if (d.frame.type === 'conversation.updated' && d.conversationId) this.#hot.delete(d.conversationId)
    })
  }

  publish(tenantId: string, delivery: Delivery): void {
    this.bus.publish(tenantId, delivery)
  }

  /**
   * Pre-chat and offline form fields pass the redaction policy like messages. The `email`
   * field is the contact address the form asks for: it is kept when it is exactly one valid
   * address and dropped otherwise, so nothing else can ride in it.
   */
  async #redactFields(tenantId: string, fields: Record<string, string>): Promise<Record<string, string>> {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(fields)) {
      if (name === 'email') {
        if (EMAIL.test(value.trim())) out.email = value.trim()
        continue
      }
      out[name] = (await this.protector.scanText(tenantId, value)).text
    }
    return out
  }

  /** Text a person typed outside a chat (offline form), redacted under the tenant's policy. */
  async redactText(tenantId: string, text: string): Promise<string> {
    return (await this.protector.scanText(tenantId, text)).text
  }

  /** Loads a conversation the context may act on; anything else is "not found", never "forbidden". */
  async conversationFor(
    ctx: AuthContext,
    conversationId: string,
    action: ConversationAction,
  ): Promise<ConversationRow> {
    const hotPath = action === 'write' || action === 'note'
    const hit = hotPath ? this.#hot.get(conversationId) : undefined
    let conv =
      hit && performance.now() - hit.at < HOT_CONVERSATION_MS && hit.row.tenant_id === ctx.tenantId
        ? hit.row
        : undefined
    if (!conv) {
      conv = await this.store.conversations.conversation(ctx.tenantId, conversationId)
      if (conv && hotPath) {
        if (this.#hot.size >= 50_000) this.#hot.clear()
        this.#hot.set(conversationId, { row: conv, at: performance.now() })
      }
    }
    const teams = conv && ctx.kind === 'agent' && ctx.role !== 'admin' ? await this.teamsOf(ctx) : []
    if (!conv || !canAccessConversation(ctx, action, conv, teams)) {
      if (conv && ctx.kind === 'agent') this.#denied(ctx, `conversation:${action}`, conversationId)
      throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'conversation not found', { resource: 'conversation' })
    }
    return conv
  }

  teamsOf(ctx: AgentContext): Promise<string[]> {
    return this.store.directory.teamsOfAgent(ctx.tenantId, ctx.agentId)
  }

  #denied(ctx: AuthContext, action: string, resource: string): void {
    this.events.emit({
      type: 'access.denied',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      action,
      resource,
      reason: 'policy',
    })
  }

  async conversationView(conv: ConversationRow): Promise<ConversationView> {
    const [labels, visitor] = await Promise.all([
      this.store.conversations.labelsOf(conv.tenant_id, [conv.id]),
      this.store.conversations.visitor(conv.tenant_id, conv.visitor_id),
    ])
    return presentConversation(conv, {
      labels: labels.get(conv.id) ?? [],
      visitor: { name: visitor?.name ?? null, email: visitor?.email ?? null },
    })
  }

  /** A frame for the people in a conversation: its visitor (unless agents only) and the agents who may see it. */
  #toConversation(
    conv: ConversationRow,
    audience: 'everyone' | 'agents',
    frame: Delivery['frame'],
    exceptConnection: string | null = null,
  ): void {
    this.publish(conv.tenant_id, {
      audience,
      conversationId: conv.id,
      scope: this.scopeOf(conv),
      exceptConnection,
      frame,
    })
  }

  scopeOf(
    conv: Pick<ConversationRow, 'agent_id' | 'team_id' | 'status'>,
    previousAgent?: string | null,
  ): DeliveryScope {
    const agentIds = [conv.agent_id, previousAgent].filter((a): a is string => !!a)
    return { agentIds, teamIds: conv.team_id ? [conv.team_id] : [], unassigned: conv.status === 'open' }
  }

  /** Tells everyone concerned that a conversation changed (state, assignment, labels). */
  async announce(conv: ConversationRow, previousAgent?: string | null): Promise<ConversationView> {
    const view = await this.conversationView(conv)
    this.publish(conv.tenant_id, {
      audience: 'agents',
      conversationId: conv.id,
      scope: this.scopeOf(conv, previousAgent),
      exceptConnection: null,
      frame: { type: 'conversation.updated', conversation: view },
    })
    this.publish(conv.tenant_id, {
      audience: 'visitor',
      conversationId: conv.id,
      scope: null,
      exceptConnection: null,
      frame: { type: 'conversation.updated', conversation: presentConversationToVisitor(view) },
    })
    return view
  }

  // ── conversations ──

  async startConversation(
    ctx: VisitorContext,
    input: {
      fields?: Record<string, string> | undefined
      page?: { url?: string; referrer?: string; title?: string } | undefined
      timezone?: string | undefined
    },
  ): Promise<{ conversation: ConversationView; queuePosition: number | null }> {
    const fields = await this.#redactFields(ctx.tenantId, input.fields ?? {})
    if (fields.name || fields.email) {
      await this.store.conversations.updateVisitor(ctx.tenantId, ctx.visitorId, {
        ...(fields.name ? { name: fields.name } : {}),
        ...(fields.email ? { email: fields.email } : {}),
      })
    }
    const context: VisitorContextInfo = {
      ...(input.page?.url ? { pageUrl: input.page.url } : {}),
      ...(input.page?.title ? { pageTitle: input.page.title } : {}),
      ...(input.page?.referrer ? { referrer: input.page.referrer } : {}),
      ...(ctx.origin.userAgent ? { userAgent: ctx.origin.userAgent } : {}),
      ...(input.timezone ? { timezone: input.timezone } : {}),
      ...(ctx.origin.ip ? { ip: ctx.origin.ip } : {}),
      fields,
    }
    const id = randomUUID()
    await this.store.conversations.insertConversation({
      id,
      tenantId: ctx.tenantId,
      siteId: ctx.siteId,
      visitorId: ctx.visitorId,
      visitorContext: JSON.stringify(context),
      teamId: null,
    })
    this.events.emit({
      type: 'conversation.started',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      conversationId: id,
      siteId: ctx.siteId,
      visitorId: ctx.visitorId,
      ...(input.page?.referrer ? { referrer: input.page.referrer } : {}),
      ...(input.page?.url ? { landingPage: input.page.url } : {}),
    })
    let conv = (await this.store.conversations.conversation(ctx.tenantId, id))!
    await this.announce(conv)
    await this.router.dispatch(ctx.tenantId)
    conv = (await this.store.conversations.conversation(ctx.tenantId, id))!
    const view = presentConversationToVisitor(await this.conversationView(conv))
    const queuePosition =
      conv.status === 'open' ? await this.store.conversations.queuePosition(ctx.tenantId, conv) : null
    return { conversation: view, queuePosition }
  }

  /** The write path: check, store (group commit), emit, fan out. Resolves once stored: then ack. */
  /**
   * `onQueued` is called once the message has its place in the write queue (or failed before):
   * a caller that handles one sender's messages in order may start on the next one then,
   * without waiting for the commit, and the order of sequence numbers still follows.
   */
  async acceptMessage(
    ctx: AuthContext,
    draft: MessageDraft,
    onQueued?: () => void,
    connectionId?: string,
  ): Promise<MessageAck> {
    try {
      return await this.#acceptMessage(ctx, draft, onQueued, connectionId)
    } finally {
      onQueued?.()
    }
  }

  async #acceptMessage(
    ctx: AuthContext,
    draft: MessageDraft,
    onQueued?: () => void,
    connectionId?: string,
  ): Promise<MessageAck> {
    const text = draft.text.trim()
    if (text.length === 0 && !draft.attachmentId)
      throw new ParleyError('PARLEY_ERR_MESSAGE_EMPTY', 'message text is empty')
    if (text.length > this.limits.maxMessageLength) {
      throw new ParleyError(
        'PARLEY_ERR_MESSAGE_TOO_LONG',
        `message exceeds ${this.limits.maxMessageLength} characters`,
        {
          limit: this.limits.maxMessageLength,
        },
      )
    }
    const note = draft.note === true
    if (note) requireAgent(ctx)
    let conv = await this.conversationFor(ctx, draft.conversationId, note ? 'note' : 'write')
    if (conv.status === 'closed' && !note) {
      throw new ParleyError(
        'PARLEY_ERR_CONVERSATION_CLOSED',
        'the conversation is closed; reopen it or start a new one',
      )
    }
    // An agent answering an unassigned chat takes it.
    if (ctx.kind === 'agent' && !note && conv.status === 'open') {
      const claimed = await this.store.conversations.transition(ctx.tenantId, conv.id, ['open'], {
        status: 'assigned',
        agent_id: ctx.agentId,
      })
      if (claimed) {
        conv = claimed
        await this.#assigned(ctx, conv, null, 'claim')
      }
    }

    const kind = draft.attachmentId ? 'attachment' : note ? 'note' : 'text'
    const createdAt = Date.now()
    const id = timeOrderedId(createdAt)
    // Redaction comes before anything is stored, sent or counted: from here on only the
    // redacted text exists. (The vault will seal the body through the store's BodyCodec.)
    const senderId = ctx.kind === 'agent' ? ctx.agentId : ctx.visitorId
    const scanned =
      kind === 'attachment'
        ? { ...(await this.protector.scanText(ctx.tenantId, text, conv.id)), revisions: [] }
        : await this.protector.scanMessage(ctx.tenantId, {
            conversation: conv.id,
            // Notes and replies are separate streams: a split card never spans the two.
            sender: `${ctx.kind}:${kind}:${senderId}`,
            id,
            text,
          })
    const write = {
      id,
      tenantId: ctx.tenantId,
      conversationId: conv.id,
      clientMsgId: draft.clientMsgId,
      senderKind: ctx.kind,
      senderId,
      kind,
      text: scanned.text,
      attachmentId: draft.attachmentId ?? null,
      redactions: scanned.summary as Record<string, number>,
      createdAt,
    } as const
    let stored: Awaited<ReturnType<Store['messages']['write']>>
    try {
      const writing = this.store.messages.write(write)
      onQueued?.()
      stored = await writing
    } catch (err) {
      if (err instanceof ConversationMissing)
        throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'conversation not found', { resource: 'conversation' })
      throw new ParleyError(
        'PARLEY_ERR_UNAVAILABLE',
        'the message could not be stored; resend it with the same clientMsgId',
        {},
        { cause: err },
      )
    }
    if (stored.duplicate) return presentAck(conv.id, draft.clientMsgId, stored)

    this.events.emit({
      type: 'message.sent',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      conversationId: conv.id,
      messageId: stored.id,
      sender: ctx.kind,
      kind,
      length: scanned.text.length,
      redactions: write.redactions,
    })
    for (const revision of scanned.revisions) await this.#revise(ctx, conv, note, revision)
    const attachment = draft.attachmentId
      ? await this.#attachmentMeta(ctx.tenantId, conv.id, draft.attachmentId)
      : null
    const message: MessageView = presentMessage(
      storedView(write, stored),
      ctx.kind === 'agent'
        ? { kind: 'agent', id: ctx.agentId, name: ctx.name }
        : { kind: 'visitor', id: ctx.visitorId, name: null },
      attachment,
    )
    // Without the echo the sender's socket carries the ack alone: one frame less per message,
    // and the sender's other sockets (tabs, devices) still get the frame.
    const quiet = draft.echo === false && connectionId !== undefined
    this.#toConversation(
      conv,
      note ? 'agents' : 'everyone',
      { type: 'message', message },
      quiet ? connectionId : null,
    )
    return presentAck(conv.id, draft.clientMsgId, stored, quiet ? message : undefined)
  }

  /**
   * A line the system adds to a transcript (e.g. "Secure form completed"), stored like a
   * message and sent to everyone in the conversation. `clientMsgId` makes it idempotent.
   * The caller composes `text` from facts it controls: it is not passed through redaction.
   */
  async appendSystemMessage(conv: ConversationRow, clientMsgId: string, text: string): Promise<MessageView> {
    const write = {
      id: timeOrderedId(),
      tenantId: conv.tenant_id,
      conversationId: conv.id,
      clientMsgId,
      senderKind: 'system',
      senderId: SYSTEM_SENDER.id,
      kind: 'event',
      text,
      attachmentId: null,
      redactions: {},
      createdAt: Date.now(),
    } as const
    let stored: Awaited<ReturnType<Store['messages']['write']>>
    try {
      stored = await this.store.messages.write(write)
    } catch (err) {
      if (err instanceof ConversationMissing)
        throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'conversation not found', { resource: 'conversation' })
      throw new ParleyError(
        'PARLEY_ERR_UNAVAILABLE',
        'the transcript could not be written',
        {},
        { cause: err },
      )
    }
    const message = presentMessage(storedView(write, stored), SYSTEM_SENDER, null)
    if (!stored.duplicate) this.#toConversation(conv, 'everyone', { type: 'message', message })
    return message
  }

  /** An earlier message turned out to hold part of a sensitive value: store and show it redacted. */
  async #revise(
    ctx: AuthContext,
    conv: ConversationRow,
    note: boolean,
    revision: { id: string; text: string; summary: Record<string, number | undefined> },
  ): Promise<void> {
    const redactions = revision.summary as Record<string, number>
    const seq = await this.store.conversations.reviseMessageText(
      ctx.tenantId,
      conv.id,
      revision.id,
      revision.text,
      redactions,
    )
    if (seq === null) return
    this.events.emit({
      type: 'message.redacted',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      conversationId: conv.id,
      messageId: revision.id,
      redactions,
    })
    this.#toConversation(conv, note ? 'agents' : 'everyone', {
      type: 'message.redacted',
      conversationId: conv.id,
      id: revision.id,
      seq,
      text: revision.text,
      redactions,
    })
  }

  async #attachmentMeta(tenantId: string, conversationId: string, attachmentId: string) {
    const a = await this.store.content.attachment(tenantId, conversationId, attachmentId)
    return a ? { id: a.id, fileName: a.file_name, contentType: a.content_type, size: a.size } : null
  }

  /**
   * The read path: messages after `afterSeq` as the context may see them (visitors never see
   * internal notes). Every read is an event, not only writes.
   */
  async readTranscript(
    ctx: AuthContext,
    conversationId: string,
    opts: { afterSeq: number; limit: number; purpose: 'read' | 'resume' | 'export' },
  ): Promise<{ conversation: ConversationRow; messages: MessageView[] }> {
    const conv = await this.conversationFor(ctx, conversationId, 'read')
    const rows = await this.store.conversations.messages(ctx.tenantId, conversationId, {
      afterSeq: opts.afterSeq,
      limit: Math.min(opts.limit, this.limits.maxPage),
      includeNotes: ctx.kind === 'agent',
    })
    const messages = await this.#present(ctx.tenantId, conversationId, rows)
    if (ctx.kind === 'agent' || opts.purpose === 'export') {
      this.events.emit({
        type: opts.purpose === 'export' ? 'transcript.export' : 'transcript.read',
        tenant: ctx.tenantId,
        actor: actorOf(ctx),
        origin: ctx.origin,
        conversationId,
        messages: messages.length,
      })
    }
    return { conversation: conv, messages }
  }

  async #present(
    tenantId: string,
    conversationId: string,
    rows: StoredMessageView[],
  ): Promise<MessageView[]> {
    const out: MessageView[] = []
    for (const m of rows) {
      const sender: SenderView =
        m.senderKind === 'agent'
          ? { kind: 'agent', id: m.senderId, name: await this.agentName(tenantId, m.senderId) }
          : m.senderKind === 'visitor'
            ? { kind: 'visitor', id: m.senderId, name: null }
            : SYSTEM_SENDER
      const attachment = m.attachmentId
        ? await this.#attachmentMeta(tenantId, conversationId, m.attachmentId)
        : null
      out.push(presentMessage(m, sender, attachment))
    }
    return out
  }

  async agentName(tenantId: string, agentId: string): Promise<string | null> {
    const key = `${tenantId}:${agentId}`
    const cached = this.#names.get(key)
    if (cached !== undefined) return cached
    const agent = await this.store.directory.agent(tenantId, agentId)
    if (!agent) return null
    if (this.#names.size > 10_000) this.#names.clear()
    this.#names.set(key, agent.name)
    return agent.name
  }

  async typing(
    ctx: AuthContext,
    conversationId: string,
    state: boolean,
    connectionId: string,
  ): Promise<void> {
    const conv = await this.conversationFor(ctx, conversationId, 'write')
    const from: SenderView =
      ctx.kind === 'agent'
        ? { kind: 'agent', id: ctx.agentId, name: ctx.name }
        : { kind: 'visitor', id: ctx.visitorId, name: null }
    this.#toConversation(conv, 'everyone', { type: 'typing', conversationId, from, state }, connectionId)
  }

  async markRead(ctx: AuthContext, conversationId: string, seq: number): Promise<void> {
    const conv = await this.conversationFor(ctx, conversationId, 'read')
    const by = ctx.kind
    await this.store.conversations.markRead(ctx.tenantId, conversationId, by, seq)
    this.#toConversation(conv, 'everyone', {
      type: 'read',
      conversationId,
      by,
      seq: Math.min(seq, conv.last_seq),
    })
  }

  async #assigned(
    ctx: AgentContext,
    conv: ConversationRow,
    previousAgent: string | null,
    how: 'auto' | 'transfer' | 'claim',
  ) {
    this.events.emit({
      type: 'conversation.assigned',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      conversationId: conv.id,
      agentId: conv.agent_id,
      teamId: conv.team_id,
      how,
    })
    await this.announce(conv, previousAgent)
  }

  async claim(ctx: AuthContext, conversationId: string): Promise<ConversationView> {
    requireAgent(ctx)
    const conv = await this.conversationFor(ctx, conversationId, 'manage')
    const next = await this.store.conversations.transition(ctx.tenantId, conv.id, ['open'], {
      status: 'assigned',
      agent_id: ctx.agentId,
    })
    if (!next)
      throw new ParleyError('PARLEY_ERR_CONVERSATION_STATE', 'only a waiting conversation can be claimed', {
        status: conv.status,
      })
    await this.#assigned(ctx, next, null, 'claim')
    await this.router.dispatch(ctx.tenantId)
    return this.conversationView(next)
  }

  /** Manual transfer to an agent (who must be online with free capacity) or to a team's queue. */
  async transfer(
    ctx: AuthContext,
    conversationId: string,
    to: { agentId?: string | undefined; teamId?: string | undefined },
  ) {
    requireAgent(ctx)
    if (!to.agentId === !to.teamId) {
      throw new ParleyError('PARLEY_ERR_BAD_REQUEST', 'name exactly one of toAgentId or toTeamId', {
        issues: [],
      })
    }
    const conv = await this.conversationFor(ctx, conversationId, 'manage')
    if (conv.status === 'closed')
      throw new ParleyError(
        'PARLEY_ERR_CONVERSATION_CLOSED',
        'reopen the conversation before transferring it',
      )
    let next: ConversationRow | undefined
    if (to.agentId) {
      const target = await this.store.directory.agent(ctx.tenantId, to.agentId)
      if (!target || target.disabled)
        throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'agent not found', { resource: 'agent' })
      if (!(await this.router.hasFreeCapacity(ctx.tenantId, target))) {
        throw new ParleyError(
          'PARLEY_ERR_AGENT_UNAVAILABLE',
          'that agent is not online or has no free capacity',
        )
      }
      next = await this.store.conversations.transition(ctx.tenantId, conv.id, ['open', 'assigned'], {
        status: 'assigned',
        agent_id: target.id,
      })
    } else {
      const team = await this.store.directory.team(ctx.tenantId, to.teamId!)
      if (!team) throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'team not found', { resource: 'team' })
      next = await this.store.conversations.transition(ctx.tenantId, conv.id, ['open', 'assigned'], {
        status: 'open',
        agent_id: null,
        team_id: team.id,
      })
    }
    if (!next)
      throw new ParleyError('PARLEY_ERR_CONFLICT', 'the conversation changed meanwhile; reload and retry')
    await this.#assigned(ctx, next, conv.agent_id, 'transfer')
    await this.router.dispatch(ctx.tenantId)
    return this.conversationView((await this.store.conversations.conversation(ctx.tenantId, conv.id))!)
  }

  async close(ctx: AuthContext, conversationId: string): Promise<ConversationView> {
    const conv = await this.conversationFor(ctx, conversationId, ctx.kind === 'agent' ? 'manage' : 'write')
    const next = await this.store.conversations.transition(ctx.tenantId, conv.id, ['open', 'assigned'], {
      status: 'closed',
      closed_at: Date.now(),
    })
    if (!next) throw new ParleyError('PARLEY_ERR_CONVERSATION_STATE', 'the conversation is already closed')
    this.events.emit({
      type: 'conversation.closed',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      conversationId,
    })
    const view = await this.announce(next)
    await this.router.dispatch(ctx.tenantId)
    return view
  }

  /** Reopens a closed conversation, assigned to the agent who reopens it. */
  async reopen(ctx: AuthContext, conversationId: string): Promise<ConversationView> {
    requireAgent(ctx)
    const conv = await this.conversationFor(ctx, conversationId, 'manage')
    const next = await this.store.conversations.transition(ctx.tenantId, conv.id, ['closed'], {
      status: 'assigned',
      agent_id: ctx.agentId,
      closed_at: null,
    })
    if (!next)
      throw new ParleyError('PARLEY_ERR_CONVERSATION_STATE', 'only a closed conversation can be reopened', {
        status: conv.status,
      })
    this.events.emit({
      type: 'conversation.reopened',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      conversationId,
    })
    return this.announce(next, conv.agent_id)
  }

  async rate(
    ctx: VisitorContext,
    conversationId: string,
    rating: number,
    comment: string | null,
  ): Promise<void> {
    const conv = await this.conversationFor(ctx, conversationId, 'write')
    await this.store.conversations.rate(ctx.tenantId, conv.id, rating, comment)
    const next = (await this.store.conversations.conversation(ctx.tenantId, conv.id))!
    await this.announce(next)
  }

  async setLabels(ctx: AuthContext, conversationId: string, labelIds: string[]): Promise<ConversationView> {
    requireAgent(ctx)
    const conv = await this.conversationFor(ctx, conversationId, 'manage')
    if (!(await this.store.content.labelIdsExist(ctx.tenantId, labelIds))) {
      throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'one of the labels does not exist', { resource: 'label' })
    }
    await this.store.conversations.setLabels(ctx.tenantId, conv.id, [...new Set(labelIds)])
    return this.announce(conv)
  }

  /**
   * Stores a file sent in a conversation, after checking its content against the allowlist,
   * and posts it as an attachment message (idempotent on the client message id).
   */
  async uploadAttachment(
    ctx: AuthContext,
    conversationId: string,
    input: { fileName: string; clientMsgId: string; data: Buffer },
  ): Promise<{
    attachment: { id: string; fileName: string; contentType: string; size: number }
    ack: MessageAck
  }> {
    if (input.data.length > this.limits.maxAttachmentBytes) {
      throw new ParleyError(
        'PARLEY_ERR_ATTACHMENT_TOO_LARGE',
        `attachments are limited to ${this.limits.maxAttachmentBytes} bytes`,
        {
          limit: this.limits.maxAttachmentBytes,
        },
      )
    }
    const contentType = sniffAttachmentType(input.data)
    if (!contentType) {
      throw new ParleyError('PARLEY_ERR_ATTACHMENT_TYPE', `allowed types: ${ATTACHMENT_TYPES.join(', ')}`, {
        allowed: [...ATTACHMENT_TYPES],
      })
    }
    const conv = await this.conversationFor(ctx, conversationId, 'write')
    if (conv.status === 'closed')
      throw new ParleyError('PARLEY_ERR_CONVERSATION_CLOSED', 'the conversation is closed')
    const id = randomUUID()
    // File names and the content of text files are typed by people too: redacted like messages.
    const fileName = safeFileName((await this.protector.scanText(ctx.tenantId, input.fileName)).text)
    const data =
      contentType === 'text/plain'
        ? Buffer.from((await this.protector.scanText(ctx.tenantId, input.data.toString('utf8'))).text, 'utf8')
        : input.data
    await this.store.content.insertAttachment({
      id,
      tenant_id: ctx.tenantId,
      conversation_id: conv.id,
      uploader_kind: ctx.kind,
      uploader_id: ctx.kind === 'agent' ? ctx.agentId : ctx.visitorId,
      file_name: fileName,
      content_type: contentType,
      size: data.length,
      data,
    })
    this.events.emit({
      type: 'attachment.uploaded',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      conversationId: conv.id,
      attachmentId: id,
      size: input.data.length,
      contentType,
    })
    const ack = await this.acceptMessage(ctx, {
      conversationId: conv.id,
      clientMsgId: input.clientMsgId,
      text: fileName,
      attachmentId: id,
    })
    return { attachment: { id, fileName, contentType, size: input.data.length }, ack }
  }

  /** An attachment for a participant of its conversation; visitors cannot fetch internal files. */
  async downloadAttachment(ctx: AuthContext, conversationId: string, attachmentId: string) {
    const conv = await this.conversationFor(ctx, conversationId, 'read')
    const a = await this.store.content.attachment(ctx.tenantId, conv.id, attachmentId)
    if (!a) throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'attachment not found', { resource: 'attachment' })
    this.events.emit({
      type: 'attachment.downloaded',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      conversationId: conv.id,
      attachmentId: a.id,
      size: a.size,
      contentType: a.content_type,
    })
    return { fileName: a.file_name, contentType: a.content_type, data: Buffer.from(a.data) }
  }
}
