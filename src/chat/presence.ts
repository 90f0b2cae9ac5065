import type { AgentContext } from '../identity/index.js'
import type { Store } from '../store/index.js'
import type { Delivery } from './deliveries.js'
import { PRESENCE_HEARTBEAT_MS, type Router } from './router.js'

/**
 * Agent presence across nodes: each node counts an agent's sockets and keeps one row per
 * (agent, node) with a heartbeat, so an agent connected to node B is available to a visitor
 * on node A, and a node that dies stops counting after its rows go stale.
 */
export class PresenceTracker {
  readonly #sockets = new Map<string, { tenantId: string; count: number }>()
  #timer: NodeJS.Timeout | null = null

  constructor(
    private readonly store: Store,
    private readonly nodeId: string,
    private readonly router: Router,
    private readonly publish: (tenantId: string, d: Delivery) => void,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      void this.store.directory.heartbeatNode(this.nodeId, Date.now()).catch(() => {})
    }, PRESENCE_HEARTBEAT_MS)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    await this.store.directory.clearNodePresence(this.nodeId).catch(() => {})
  }

  async connected(ctx: AgentContext): Promise<void> {
    const entry = this.#sockets.get(ctx.agentId) ?? { tenantId: ctx.tenantId, count: 0 }
    entry.count++
    this.#sockets.set(ctx.agentId, entry)
    await this.store.directory.setPresence(
      { agentId: ctx.agentId, nodeId: this.nodeId, tenantId: ctx.tenantId, sockets: entry.count },
      Date.now(),
    )
    if (entry.count === 1) await this.#announce(ctx.tenantId, ctx.agentId, true)
  }

  async disconnected(ctx: AgentContext): Promise<void> {
    const entry = this.#sockets.get(ctx.agentId)
    if (!entry) return
    entry.count--
    if (entry.count <= 0) this.#sockets.delete(ctx.agentId)
    await this.store.directory.setPresence(
      {
        agentId: ctx.agentId,
        nodeId: this.nodeId,
        tenantId: ctx.tenantId,
        sockets: Math.max(entry.count, 0),
      },
      Date.now(),
    )
    if (entry.count <= 0) {
      const stillConnected = (await this.router.candidates(ctx.tenantId)).includes(ctx.agentId)
      await this.#announce(ctx.tenantId, ctx.agentId, stillConnected)
    }
  }

  /** The agent chose a status (and maybe a capacity); going online may pull waiting chats. */
  async setStatus(
    ctx: AgentContext,
    status: 'online' | 'away' | 'offline',
    capacity?: number,
  ): Promise<void> {
    await this.store.directory.updateAgent(ctx.tenantId, ctx.agentId, {
      status,
      ...(capacity ? { capacity } : {}),
    })
    await this.#announce(ctx.tenantId, ctx.agentId, true)
    if (status === 'online') await this.router.dispatch(ctx.tenantId)
  }

  async #announce(tenantId: string, agentId: string, connected: boolean): Promise<void> {
    const agent = await this.store.directory.agent(tenantId, agentId)
    if (!agent) return
    this.publish(tenantId, {
      audience: 'agents',
      conversationId: null,
      scope: null,
      exceptConnection: null,
      frame: { type: 'presence', agentId, status: agent.status, connected, capacity: agent.capacity },
    })
  }
}
