import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'
import type { BusEnvelope } from '../bus/index.js'
import {
  agentSeesScope,
  type ChatService,
  type ClientFrame,
  type ClientFrameOf,
  clientFrameSchemas,
  type Delivery,
  isClientFrameType,
  type PresenceTracker,
  type ServerFrame,
} from '../chat/index.js'
import { isParleyError, ParleyError } from '../errors/index.js'
import type { EventStream, Origin } from '../events/index.js'
import {
  type AgentContext,
  type AuthContext,
  type IdentityService,
  signVisitorToken,
  stepUpRequired,
  type VisitorContext,
  verifyVisitorToken,
} from '../identity/index.js'
import type { SecureFormService } from '../secureform/index.js'
import type { SiteRow, Store } from '../store/index.js'
import type { ParleyConfig } from './config.js'
import type { Metrics } from './metrics.js'
import { SESSION_CHANGE_EVENT_TYPES, type SessionChange, sessionChangeOf } from './session-changes.js'

/** Close codes the server uses (documented in docs/protocol.md). */
export const CLOSE = {
  policy: 1008,
  tooBig: 1009,
  tryAgainLater: 1013,
  goingAway: 1001,
  authTimeout: 4001,
  authFailed: 4003,
  sessionEnded: 4004,
  /** The session must verify a second factor (POST /api/v1/auth/step-up), then reconnect. */
  stepUpRequired: 4005,
} as const

/** What the handshake established before the upgrade: the role, and for visitors the site. */
export interface HandshakeInfo {
  role: 'visitor' | 'agent'
  site: SiteRow | null
  /** An agent session already proven by its cookie at the handshake. */
  agent: AgentContext | null
  origin: Origin
}

interface Connection {
  id: string
  ws: WebSocket
  hs: HandshakeInfo
  ctx: AuthContext | null
  teamIds: string[]
  /** Conversations a visitor socket receives frames of. */
  conversations: Set<string>
  tokens: number
  lastRefill: number
  floodStrikes: number
  /** Frames of one socket are handled in order: a client's messages are stored in the order sent. */
  chain: Promise<void>
  authTimer: NodeJS.Timeout | null
}

const AUTH_TIMEOUT_MS = 10_000

/**
 * The WebSocket gateway: authenticates sockets, parses every frame once with its schema,
 * calls the chat rules, and fans deliveries from the bus out to the sockets of this node.
 * It holds no business rule of its own.
 */
export class Gateway {
  readonly #tenants = new Map<string, Set<Connection>>()
  readonly #visitorsByConversation = new Map<string, Set<Connection>>()
  /** Agent sockets per tenant: all of them, admins, and by agent id (deliveries look these up). */
  readonly #agents = new Map<
    string,
    { all: Set<Connection>; admins: Set<Connection>; byId: Map<string, Set<Connection>> }
  >()
  #visitorSecret = ''
  readonly #corked = new Set<import('node:net').Socket>()
  #uncorkScheduled = false

  constructor(
    private readonly deps: {
      chat: ChatService
      presence: PresenceTracker
      identity: IdentityService
      store: Store
      events: EventStream
      config: ParleyConfig
      metrics: Metrics
      log: FastifyBaseLogger
      secureForms: SecureFormService
    },
  ) {
    deps.chat.bus.subscribe((env) => this.#onBus(env))
    // Sign-out and admin changes to an agent end that agent's sockets here too, not only their
    // cookie; the server relays the same changes made on other nodes (applySessionChange).
    deps.events.subscribe((e) => {
      const change = sessionChangeOf(e)
      if (change) this.applySessionChange(change)
    }, SESSION_CHANGE_EVENT_TYPES)
  }

  /** Ends or rechecks the sockets a session change concerns, whichever node it was made on. */
  applySessionChange(change: SessionChange): void {
    if (change.type === 'auth.logout') {
      this.closeSession(change.sessionId)
      return
    }
    const recheck =
      change.type === 'admin.change'
        ? this.#recheckAgents(change.tenant, change.resource === 'agent' ? change.resourceId : null)
        : // A required step-up, a reset or a new factor ends or pauses sockets as it does sessions.
          this.#recheckAgents(change.tenant, change.agentId)
    recheck.catch((err) => this.deps.log.error({ err }, 'socket recheck after a session change failed'))
  }

  /** Re-reads session validity and team membership of one agent's sockets (or all agents' when null). */
  async #recheckAgents(tenantId: string, agentId: string | null): Promise<void> {
    for (const conn of this.#tenants.get(tenantId) ?? []) {
      const ctx = conn.ctx
      if (ctx?.kind !== 'agent' || (agentId !== null && ctx.agentId !== agentId)) continue
      const session = await this.deps.store.directory.sessionWithAgent(ctx.sessionHash)
      if (!session || session.disabled || session.expires_at <= Date.now())
        this.#close(conn, CLOSE.sessionEnded, 'session ended')
      else if (session.step_up_required === 1) this.#close(conn, CLOSE.stepUpRequired, 'step-up required')
      else conn.teamIds = ctx.role === 'admin' ? [] : await this.deps.chat.teamsOf(ctx)
    }
  }

  async init(): Promise<void> {
    this.#visitorSecret = await this.deps.store.directory.instanceSecret()
  }

  get connectionCount(): number {
    let n = 0
    for (const set of this.#tenants.values()) n += set.size
    return n
  }

  accept(ws: WebSocket, hs: HandshakeInfo): void {
    const { config, metrics } = this.deps
    const conn: Connection = {
      id: randomUUID(),
      ws,
      hs,
      ctx: null,
      teamIds: [],
      conversations: new Set(),
      tokens: config.ws.burst,
      lastRefill: performance.now(),
      floodStrikes: 0,
      chain: Promise.resolve(),
      authTimer: setTimeout(() => this.#close(conn, CLOSE.authTimeout, 'auth timeout'), AUTH_TIMEOUT_MS),
    }
    metrics.connections.inc({ role: hs.role })
    ws.on('message', (data, isBinary) => this.#onRaw(conn, data as Buffer, isBinary))
    ws.on('close', () => this.#onClose(conn))
    ws.on('error', () => {})
  }

  #onRaw(conn: Connection, data: Buffer, isBinary: boolean) {
    const { metrics, config } = this.deps
    // Token bucket per socket: a flood is refused here, before any parsing or database work.
    const now = performance.now()
    conn.tokens = Math.min(
      config.ws.burst,
      conn.tokens + ((now - conn.lastRefill) / 1000) * config.ws.framesPerSecond,
    )
    conn.lastRefill = now
    if (conn.tokens < 1) {
      conn.floodStrikes++
      metrics.rejected.inc({ code: 'PARLEY_ERR_WS_FLOOD' })
      if (conn.floodStrikes === 1) {
        this.#send(conn, {
          type: 'error',
          code: 'PARLEY_ERR_WS_FLOOD',
          message: 'too many frames; slow down',
          retryAfterMs: Math.ceil(1000 / config.ws.framesPerSecond),
        })
      }
      if (conn.floodStrikes > config.ws.burst) this.#close(conn, CLOSE.policy, 'flood')
      return
    }
    conn.tokens -= 1
    if (conn.floodStrikes > 0 && conn.tokens >= config.ws.burst / 2) conn.floodStrikes = 0

    let raw: unknown
    try {
      if (isBinary) throw new Error('binary')
      raw = JSON.parse(data.toString('utf8'))
    } catch {
      return this.#error(
        conn,
        undefined,
        new ParleyError('PARLEY_ERR_WS_BAD_FRAME', 'frames are JSON text objects'),
      )
    }
    const type = (raw as { type?: unknown } | null)?.type
    const ref =
      typeof (raw as { ref?: unknown })?.ref === 'string'
        ? (raw as { ref: string }).ref.slice(0, 64)
        : undefined
    if (!isClientFrameType(type)) {
      return this.#error(
        conn,
        ref,
        new ParleyError(
          'PARLEY_ERR_WS_UNKNOWN_TYPE',
          `unknown frame type ${JSON.stringify(String(type)).slice(0, 80)}`,
        ),
      )
    }
    const parsed = clientFrameSchemas[type].safeParse(raw)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
      return this.#error(
        conn,
        ref,
        new ParleyError(
          'PARLEY_ERR_WS_BAD_FRAME',
          `invalid ${type} frame: ${issues[0]?.path} ${issues[0]?.message}`,
          { issues },
        ),
      )
    }
    metrics.frames.inc({ type })
    const frame = parsed.data as ClientFrame
    const received = performance.now()
    conn.chain = conn.chain.then(() =>
      this.#handle(conn, frame, received).catch((err) => this.#error(conn, frame.ref, err)),
    )
  }

  async #handle(conn: Connection, frame: ClientFrame, received: number): Promise<void> {
    if (conn.ws.readyState !== conn.ws.OPEN) return
    if (frame.type === 'ping')
      return this.#send(conn, { type: 'pong', ...(frame.ref ? { ref: frame.ref } : {}) })
    if (frame.type === 'auth') return this.#auth(conn, frame)
    const ctx = conn.ctx
    if (!ctx) throw new ParleyError('PARLEY_ERR_WS_NOT_AUTHENTICATED', 'send an auth frame first')
    const { chat, presence } = this.deps
    const ref = frame.ref ? { ref: frame.ref } : {}
    switch (frame.type) {
      case 'message.send': {
        // This socket's next frame may start once the message is queued for the group commit
        // (the queue keeps the order); the ack still waits for the commit.
        let queued!: () => void
        const inQueue = new Promise<void>((resolve) => {
          queued = resolve
        })
        chat.acceptMessage(ctx, frame, queued, conn.id).then(
          (ack) => {
            this.#send(conn, { type: 'message.ack', ref: frame.ref, ...ack })
            this.deps.metrics.ackLatency.observe((performance.now() - received) / 1000)
          },
          (err) => this.#error(conn, frame.ref, err),
        )
        return inQueue
      }
      case 'conversation.start': {
        if (ctx.kind !== 'visitor')
          throw new ParleyError('PARLEY_ERR_AUTH_FORBIDDEN', 'only visitors start conversations')
        const started = await chat.startConversation(ctx, frame)
        this.#watchConversation(conn, started.conversation.id)
        this.#send(conn, {
          type: 'conversation',
          ...ref,
          conversation: started.conversation,
          queuePosition: started.queuePosition,
        })
        if (frame.message) {
          const ack = await chat.acceptMessage(ctx, {
            conversationId: started.conversation.id,
            ...frame.message,
          })
          this.#send(conn, { type: 'message.ack', ...ack })
        }
        return
      }
      case 'resume':
        await this.#resume(conn, ctx, frame)
        // A secure form requested while this visitor was away is offered again.
        if (ctx.kind === 'visitor')
          for (const offer of await this.deps.secureForms.offers(ctx, frame.conversationId))
            this.#send(conn, offer)
        return
      case 'secure_form.request': {
        const form = await this.deps.secureForms.request(ctx, frame.conversationId, frame)
        return this.#send(conn, { type: 'secure_form.requested', ...ref, ...form })
      }
      case 'typing':
        return chat.typing(ctx, frame.conversationId, frame.state, conn.id)
      case 'read':
        await chat.markRead(ctx, frame.conversationId, frame.seq)
        return this.#send(conn, { type: 'ok', ...ref })
      case 'presence.set':
        if (ctx.kind !== 'agent') throw new ParleyError('PARLEY_ERR_AUTH_FORBIDDEN', 'presence is for agents')
        await presence.setStatus(ctx, frame.status, frame.capacity)
        return this.#send(conn, { type: 'ok', ...ref })
      case 'conversation.transfer':
        await chat.transfer(ctx, frame.conversationId, { agentId: frame.toAgentId, teamId: frame.toTeamId })
        return this.#send(conn, { type: 'ok', ...ref })
      case 'conversation.claim':
        await chat.claim(ctx, frame.conversationId)
        return this.#send(conn, { type: 'ok', ...ref })
      case 'conversation.close':
        await chat.close(ctx, frame.conversationId)
        return this.#send(conn, { type: 'ok', ...ref })
      case 'conversation.reopen':
        await chat.reopen(ctx, frame.conversationId)
        return this.#send(conn, { type: 'ok', ...ref })
      case 'rating':
        if (ctx.kind !== 'visitor')
          throw new ParleyError('PARLEY_ERR_AUTH_FORBIDDEN', 'ratings come from visitors')
        await chat.rate(ctx, frame.conversationId, frame.rating, frame.comment ?? null)
        return this.#send(conn, { type: 'ok', ...ref })
    }
  }

  async #auth(conn: Connection, frame: ClientFrameOf<'auth'>): Promise<void> {
    if (conn.ctx)
      throw new ParleyError('PARLEY_ERR_BAD_REQUEST', 'this socket is already authenticated', { issues: [] })
    const { store, chat, identity, presence } = this.deps
    const ref = frame.ref ? { ref: frame.ref } : {}
    if (conn.hs.role === 'agent') {
      const agent =
        conn.hs.agent ?? (frame.session ? await identity.resolveSession(frame.session, conn.hs.origin) : null)
      if (!agent) {
        this.#send(conn, {
          type: 'error',
          ...ref,
          code: 'PARLEY_ERR_AUTH_FAILED',
          message: 'session not accepted',
        })
        return this.#close(conn, CLOSE.authFailed, 'auth failed')
      }
      // Live transcripts wait, like the REST routes, until the session steps up.
      if (agent.factor?.stepUpRequired) {
        this.#send(conn, { type: 'error', ...ref, ...stepUpRequired().toJSON().error })
        return this.#close(conn, CLOSE.stepUpRequired, 'step-up required')
      }
      conn.ctx = { ...agent, origin: conn.hs.origin }
      conn.teamIds = agent.role === 'admin' ? [] : await chat.teamsOf(agent)
      this.#register(conn)
      await presence.connected(agent)
      const rows = await store.conversations.list({
        tenantId: agent.tenantId,
        status: ['open', 'assigned'],
        visibleTo: agent.role === 'admin' ? undefined : { agentId: agent.agentId, teamIds: conn.teamIds },
        limit: 200,
      })
      const conversations = await Promise.all(rows.map((r) => chat.conversationView(r)))
      return this.#send(conn, {
        type: 'auth.ok',
        ...ref,
        role: 'agent',
        agentId: agent.agentId,
        conversations,
      })
    }

    const site = conn.hs.site!
    const claimed = frame.visitorToken ? verifyVisitorToken(this.#visitorSecret, frame.visitorToken) : null
    // A token of another site or tenant is ignored, never honoured: the visitor simply starts fresh.
    let visitorId =
      claimed && claimed.siteId === site.id && claimed.tenantId === site.tenant_id ? claimed.visitorId : null
    if (visitorId && !(await store.conversations.visitor(site.tenant_id, visitorId))) visitorId = null
    if (!visitorId) {
      visitorId = randomUUID()
      await store.conversations.insertVisitor({
        id: visitorId,
        tenantId: site.tenant_id,
        siteId: site.id,
        name: null,
        email: null,
      })
    }
    const ctx: VisitorContext = {
      kind: 'visitor',
      tenantId: site.tenant_id,
      visitorId,
      siteId: site.id,
      origin: conn.hs.origin,
    }
    conn.ctx = ctx
    this.#register(conn)
    const rows = await store.conversations.list({ tenantId: site.tenant_id, visitorId, limit: 20 })
    for (const r of rows) this.#watchConversation(conn, r.id)
    const conversations = await Promise.all(
      rows.map(async (r) => ({ ...(await chat.conversationView(r)), labels: [], context: {}, teamId: null })),
    )
    this.#send(conn, {
      type: 'auth.ok',
      ...ref,
      role: 'visitor',
      visitorId,
      visitorToken: signVisitorToken(this.#visitorSecret, site.tenant_id, site.id, visitorId),
      conversations,
    })
  }

  async #resume(conn: Connection, ctx: AuthContext, frame: ClientFrameOf<'resume'>): Promise<void> {
    // Subscribe first, then read: a message stored in between arrives twice at worst, and
    // clients drop duplicates by seq; it is never missed.
    if (ctx.kind === 'visitor') {
      await this.deps.chat.conversationFor(ctx, frame.conversationId, 'read')
      this.#watchConversation(conn, frame.conversationId)
    }
    let after = frame.afterSeq
    for (;;) {
      const { conversation, messages } = await this.deps.chat.readTranscript(ctx, frame.conversationId, {
        afterSeq: after,
        limit: 500,
        purpose: 'resume',
      })
      for (const message of messages) this.#send(conn, { type: 'message', message })
      after = messages.at(-1)?.seq ?? after
      if (messages.length < 500 || after >= conversation.last_seq) {
        return this.#send(conn, {
          type: 'resume.done',
          ...(frame.ref ? { ref: frame.ref } : {}),
          conversationId: frame.conversationId,
          lastSeq: after,
        })
      }
    }
  }

  #register(conn: Connection): void {
    if (conn.authTimer) clearTimeout(conn.authTimer)
    conn.authTimer = null
    const ctx = conn.ctx!
    const tenantId = ctx.tenantId
    if (ctx.kind === 'agent') {
      let agents = this.#agents.get(tenantId)
      if (!agents) {
        agents = { all: new Set(), admins: new Set(), byId: new Map() }
        this.#agents.set(tenantId, agents)
      }
      agents.all.add(conn)
      if (ctx.role === 'admin') agents.admins.add(conn)
      let mine = agents.byId.get(ctx.agentId)
      if (!mine) {
        mine = new Set()
        agents.byId.set(ctx.agentId, mine)
      }
      mine.add(conn)
    }
    let set = this.#tenants.get(tenantId)
    if (!set) {
      set = new Set()
      this.#tenants.set(tenantId, set)
    }
    set.add(conn)
  }

  #watchConversation(conn: Connection, conversationId: string): void {
    if (conn.conversations.has(conversationId)) return
    conn.conversations.add(conversationId)
    let set = this.#visitorsByConversation.get(conversationId)
    if (!set) {
      set = new Set()
      this.#visitorsByConversation.set(conversationId, set)
    }
    set.add(conn)
  }

  #onClose(conn: Connection): void {
    if (conn.authTimer) clearTimeout(conn.authTimer)
    this.deps.metrics.connections.dec({ role: conn.hs.role })
    const ctx = conn.ctx
    if (!ctx) return
    this.#tenants.get(ctx.tenantId)?.delete(conn)
    if (this.#tenants.get(ctx.tenantId)?.size === 0) this.#tenants.delete(ctx.tenantId)
    for (const c of conn.conversations) {
      const set = this.#visitorsByConversation.get(c)
      set?.delete(conn)
      if (set?.size === 0) this.#visitorsByConversation.delete(c)
    }
    const agents = ctx.kind === 'agent' ? this.#agents.get(ctx.tenantId) : undefined
    if (agents && ctx.kind === 'agent') {
      agents.all.delete(conn)
      agents.admins.delete(conn)
      agents.byId.get(ctx.agentId)?.delete(conn)
      if (agents.byId.get(ctx.agentId)?.size === 0) agents.byId.delete(ctx.agentId)
      if (agents.all.size === 0) this.#agents.delete(ctx.tenantId)
    }
    if (ctx.kind === 'agent')
      void this.deps.presence
        .disconnected(ctx)
        .catch((err) => this.deps.log.warn({ err }, 'presence update failed'))
  }

  #onBus(env: BusEnvelope): void {
    const d = env.payload as Delivery
    let data: string | null = null
    const send = (conn: Connection) => {
      if (conn.id === d.exceptConnection) return
      data ??= JSON.stringify(d.frame)
      this.#sendRaw(conn, data, d.frame.type === 'typing')
    }
    if (d.audience !== 'agents' && d.conversationId) {
      const visitors = this.#visitorsByConversation.get(d.conversationId)
      if (visitors) for (const conn of visitors) if (conn.ctx?.tenantId === env.tenantId) send(conn)
    }
    if (d.audience === 'visitor') return
    const agents = this.#agents.get(env.tenantId)
    if (!agents) return
    const scope = d.scope
    if (scope && !scope.unassigned && scope.teamIds.length === 0) {
      // The common case, a message of an assigned chat: its agents and the admins, found directly.
      for (const conn of agents.admins) send(conn)
      for (const agentId of scope.agentIds)
        for (const conn of agents.byId.get(agentId) ?? []) if (!agents.admins.has(conn)) send(conn)
      return
    }
    for (const conn of agents.all) {
      const ctx = conn.ctx as AgentContext
      if (agentSeesScope({ agentId: ctx.agentId, role: ctx.role, teamIds: conn.teamIds }, scope)) send(conn)
    }
  }

  #send(conn: Connection, frame: ServerFrame): void {
    this.#sendRaw(conn, JSON.stringify(frame), false)
  }

  /**
   * Backpressure: a slow reader never stalls others. Past the high-water mark, optional frames
   * (typing) are dropped; past four times it, the socket is closed with 1013 and the client
   * resumes from its last seq when it reconnects.
   */
  #sendRaw(conn: Connection, data: string, optional: boolean): void {
    const { ws } = conn
    if (ws.readyState !== ws.OPEN) return
    const buffered = ws.bufferedAmount
    const limit = this.deps.config.ws.slowClientBytes
    if (buffered > limit) {
      if (optional) {
        this.deps.metrics.slowClients.inc({ action: 'drop' })
        return
      }
      if (buffered > 4 * limit) {
        this.deps.metrics.slowClients.inc({ action: 'close' })
        this.#close(conn, CLOSE.tryAgainLater, 'slow consumer: reconnect and resume')
        return
      }
    }
    // Frames sent in one event-loop turn leave in one write: a group commit acks many
    // messages at once, and a syscall per frame would cost more than the frames.
    const socket = (ws as unknown as { _socket?: import('node:net').Socket })._socket
    if (socket && !this.#corked.has(socket)) {
      socket.cork()
      this.#corked.add(socket)
      if (!this.#uncorkScheduled) {
        this.#uncorkScheduled = true
        setImmediate(() => this.#uncork())
      }
    }
    ws.send(data)
  }

  #uncork(): void {
    this.#uncorkScheduled = false
    for (const socket of this.#corked) socket.uncork()
    this.#corked.clear()
  }

  #error(conn: Connection, ref: string | undefined, err: unknown): void {
    const e = isParleyError(err)
      ? err
      : new ParleyError('PARLEY_ERR_INTERNAL', 'internal error', {}, { cause: err })
    if (!isParleyError(err)) this.deps.log.error({ err }, 'ws frame failed')
    this.deps.metrics.rejected.inc({ code: e.code })
    this.#send(conn, { type: 'error', ...(ref ? { ref } : {}), ...e.toJSON().error })
  }

  #close(conn: Connection, code: number, reason: string): void {
    try {
      conn.ws.close(code, reason)
    } catch {
      conn.ws.terminate()
    }
  }

  /** Ends every socket of an agent session; `sessionId` is the session hash or the prefix events carry. */
  closeSession(sessionId: string): void {
    for (const set of this.#tenants.values()) {
      for (const conn of set) {
        if (conn.ctx?.kind === 'agent' && conn.ctx.sessionHash.startsWith(sessionId))
          this.#close(conn, CLOSE.sessionEnded, 'session ended')
      }
    }
  }

  closeAll(): void {
    for (const set of this.#tenants.values())
      for (const conn of set) this.#close(conn, CLOSE.goingAway, 'server shutting down')
  }
}
