import { Redis } from 'ioredis'
import { type Bus, type BusEnvelope, type BusHandler, LocalFanout, type NoticeHandler } from './bus.js'

const CHANNEL_PREFIX = 'parley:tenant:'
const NOTICE_PREFIX = 'parley:node:'

/**
 * Fan-out across nodes over Redis pub/sub. Local handlers get a delivery at once (no round
 * trip for sockets on the same node); other nodes get it through Redis, and a node ignores
 * its own echo. Pub/sub is fire-and-forget by design: a node that misses a delivery while
 * disconnected catches up because clients resume from their last sequence number, which
 * the database, not the bus, guarantees.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis' as const
  readonly #pub: Redis
  readonly #sub: Redis
  readonly #local: LocalFanout
  readonly #ready: Promise<unknown>
  readonly #notices = new Map<string, Set<NoticeHandler>>()

  constructor(
    readonly nodeId: string,
    url: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.#local = new LocalFanout(onError)
    this.#pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 })
    this.#sub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 })
    this.#pub.on('error', onError)
    this.#sub.on('error', onError)
    this.#sub.on('pmessage', (pattern: string, channel: string, message: string) =>
      pattern === `${NOTICE_PREFIX}*`
        ? this.#onNotice(channel.slice(NOTICE_PREFIX.length), message)
        : this.#onMessage(message),
    )
    this.#ready = this.#sub.psubscribe(`${CHANNEL_PREFIX}*`, `${NOTICE_PREFIX}*`)
  }

  /** Resolves once this node is subscribed, so nothing published after start is missed. */
  ready(): Promise<unknown> {
    return this.#ready
  }

  #onMessage(message: string): void {
    let envelope: BusEnvelope
    try {
      envelope = JSON.parse(message) as BusEnvelope
    } catch (err) {
      this.onError(err)
      return
    }
    if (envelope.node === this.nodeId) return
    this.#local.deliver(envelope)
  }

  #onNotice(topic: string, message: string): void {
    const handlers = this.#notices.get(topic)
    if (!handlers) return
    let envelope: { node: string; payload: unknown }
    try {
      envelope = JSON.parse(message)
    } catch (err) {
      this.onError(err)
      return
    }
    if (envelope.node === this.nodeId) return
    for (const h of handlers) {
      try {
        h(envelope.payload, envelope.node)
      } catch (err) {
        this.onError(err)
      }
    }
  }

  toOtherNodes(topic: string, payload: unknown): void {
    this.#pub
      .publish(NOTICE_PREFIX + topic, JSON.stringify({ node: this.nodeId, payload }))
      .catch(this.onError)
  }

  fromOtherNodes(topic: string, handler: NoticeHandler): () => void {
    let handlers = this.#notices.get(topic)
    if (!handlers) {
      handlers = new Set()
      this.#notices.set(topic, handlers)
    }
    handlers.add(handler)
    return () => handlers.delete(handler)
  }

  publish(tenantId: string, payload: unknown): void {
    const envelope: BusEnvelope = { tenantId, node: this.nodeId, payload }
    this.#local.deliver(envelope)
    this.#pub.publish(CHANNEL_PREFIX + tenantId, JSON.stringify(envelope)).catch(this.onError)
  }

  subscribe(handler: BusHandler): () => void {
    return this.#local.add(handler)
  }

  async ping(): Promise<void> {
    await this.#pub.ping()
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#sub.quit(), this.#pub.quit()])
  }
}
