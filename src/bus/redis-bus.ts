import { Redis } from 'ioredis'
import type { z } from 'zod'
import {
  type Bus,
  type BusEnvelope,
  type BusHandler,
  LocalFanout,
  type NoticeEnvelope,
  type NoticeHandler,
} from './bus.js'

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
  readonly #notices = new Map<string, LocalFanout<NoticeEnvelope>>()

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
    let envelope: NoticeEnvelope
    try {
      envelope = JSON.parse(message)
    } catch (err) {
      this.onError(err)
      return
    }
    if (envelope.node !== this.nodeId) handlers.deliver(envelope)
  }

  toOtherNodes(topic: string, payload: unknown): void {
    const envelope: NoticeEnvelope = { node: this.nodeId, payload }
    this.#pub.publish(NOTICE_PREFIX + topic, JSON.stringify(envelope)).catch(this.onError)
  }

  fromOtherNodes<T>(topic: string, schema: z.ZodType<T>, handler: NoticeHandler<T>): () => void {
    let handlers = this.#notices.get(topic)
    if (!handlers) {
      handlers = new LocalFanout(this.onError)
      this.#notices.set(topic, handlers)
    }
    return handlers.add((envelope) => {
      const parsed = schema.safeParse(envelope.payload)
      if (parsed.success) handler(parsed.data, envelope.node)
      else
        this.onError(
          new Error(
            `ignored a malformed ${topic} notice from node ${envelope.node}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
          ),
        )
    })
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
