import type { AgentRow, ConversationRow, Store } from '../store/index.js'
import type { Delivery } from './deliveries.js'
import type { ConversationView } from './protocol.schema.js'

/** A node refreshes its presence rows this often; rows older than 3 periods count as gone. */
export const PRESENCE_HEARTBEAT_MS = 10_000
export const PRESENCE_STALE_MS = 3 * PRESENCE_HEARTBEAT_MS
/** How many waiting visitors get a live queue position after each change. */
const QUEUE_NOTIFY_LIMIT = 500

/**
 * Assignment: waiting conversations go, oldest first, round-robin to online agents who are
 * connected (on any node) and have free capacity. Runs whenever capacity may have appeared:
 * a chat starts, an agent comes online, a chat closes or is transferred. Dispatch runs are
 * serialised per tenant on this node; across nodes, the database guards each assignment.
 */
export class Router {
  readonly #running = new Map<string, Promise<void>>()
  readonly #again = new Set<string>()

  constructor(
    private readonly store: Store,
    private readonly publish: (tenantId: string, d: Delivery) => void,
    private readonly view: (conv: ConversationRow) => Promise<ConversationView>,
  ) {}

  async candidates(tenantId: string): Promise<string[]> {
    return this.store.directory.connectedAgentIds(tenantId, Date.now() - PRESENCE_STALE_MS)
  }

  async hasFreeCapacity(tenantId: string, agent: AgentRow): Promise<boolean> {
    if (agent.status !== 'online') return false
    const connected = await this.candidates(tenantId)
    if (!connected.includes(agent.id)) return false
    return (await this.store.conversations.activeCount(tenantId, agent.id)) < agent.capacity
  }

  /** Whether any agent could take a chat now (for the widget's online/offline state). */
  async anyAgentAvailable(tenantId: string): Promise<boolean> {
    const ids = await this.candidates(tenantId)
    for (const id of ids) {
      const agent = await this.store.directory.agent(tenantId, id)
      if (agent && !agent.disabled && agent.status === 'online') return true
    }
    return false
  }

  dispatch(tenantId: string): Promise<void> {
    const running = this.#running.get(tenantId)
    if (running) {
      // Coalesce: one more pass after the current one covers every trigger that came meanwhile.
      this.#again.add(tenantId)
      return running
    }
    const run = this.#dispatchLoop(tenantId).finally(() => this.#running.delete(tenantId))
    this.#running.set(tenantId, run)
    return run
  }

  async #dispatchLoop(tenantId: string): Promise<void> {
    do {
      this.#again.delete(tenantId)
      await this.#dispatchOnce(tenantId)
    } while (this.#again.has(tenantId))
  }

  async #teamMembers(tenantId: string): Promise<Map<string, Set<string>>> {
    const byTeam = new Map<string, Set<string>>()
    for (const m of await this.store.directory.teamMembers(tenantId)) {
      let set = byTeam.get(m.team_id)
      if (!set) {
        set = new Set()
        byTeam.set(m.team_id, set)
      }
      set.add(m.agent_id)
    }
    return byTeam
  }

  async #dispatchOnce(tenantId: string): Promise<void> {
    const waiting = await this.store.conversations.waiting(tenantId, QUEUE_NOTIFY_LIMIT)
    if (waiting.length === 0) return
    const candidates = await this.candidates(tenantId)
    // A chat transferred to a team waits for one of that team's members, not anyone online.
    const teams = waiting.some((c) => c.team_id !== null) ? await this.#teamMembers(tenantId) : null
    const stillWaiting: ConversationRow[] = []
    for (const conv of waiting) {
      const eligible =
        conv.team_id === null
          ? candidates
          : candidates.filter((id) => teams?.get(conv.team_id!)?.has(id) === true)
      const agentId =
        eligible.length > 0
          ? await this.store.conversations.assignNext(tenantId, conv.id, eligible, Date.now())
          : null
      if (!agentId) {
        stillWaiting.push(conv)
        continue
      }
      const next = (await this.store.conversations.conversation(tenantId, conv.id))!
      const view = await this.view(next)
      this.publish(tenantId, {
        audience: 'agents',
        conversationId: conv.id,
        scope: { agentIds: [agentId], teamIds: next.team_id ? [next.team_id] : [], unassigned: false },
        exceptConnection: null,
        frame: { type: 'conversation.updated', conversation: view },
      })
      this.publish(tenantId, {
        audience: 'visitor',
        conversationId: conv.id,
        scope: null,
        exceptConnection: null,
        frame: {
          type: 'conversation.updated',
          conversation: { ...view, labels: [], context: {}, teamId: null },
        },
      })
    }
    for (const [i, conv] of stillWaiting.entries()) {
      this.publish(tenantId, {
        audience: 'visitor',
        conversationId: conv.id,
        scope: null,
        exceptConnection: null,
        frame: { type: 'queue', conversationId: conv.id, position: i + 1 },
      })
    }
  }
}
