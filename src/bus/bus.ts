import type { z } from 'zod'

/**
 * A message for every node: the chat core publishes deliveries here, and each node's
 * WebSocket gateway hands them to its own sockets. Payloads are plain JSON.
 */
export interface BusEnvelope {
  tenantId: string
  /** The publishing node, so it can skip its own echo from a shared broker. */
  node: string
  payload: unknown
}

export type BusHandler = (envelope: BusEnvelope) => void

/** A node-to-node notice on a named topic, as its schema parsed it, and the node that sent it. */
export type NoticeHandler<T> = (payload: T, fromNode: string) => void

/** A notice as it travels between nodes. */
export interface NoticeEnvelope {
  node: string
  payload: unknown
}

export interface Bus {
  readonly nodeId: string
  readonly kind: 'memory' | 'redis'
  /** Delivers to this node's handlers at once and to every other node through the broker. */
  publish(tenantId: string, payload: unknown): void
  subscribe(handler: BusHandler): () => void
  /**
   * Tells every other node something about the cluster itself (not a tenant delivery), e.g. that
   * a session ended. The sending node does not hear its own notice; with no broker there is no
   * other node, and nothing is sent.
   */
  toOtherNodes(topic: string, payload: unknown): void
  /**
   * Hears the other nodes on `topic`. Each payload is parsed with `schema` first: one that does
   * not fit is reported through the bus's error handler, never handed on.
   */
  fromOtherNodes<T>(topic: string, schema: z.ZodType<T>, handler: NoticeHandler<T>): () => void
  /** Resolves when the broker answers (for /readyz). */
  ping(): Promise<void>
  close(): Promise<void>
}

/** Handlers of one node (of deliveries, or of one notice topic); shared by both implementations. */
export class LocalFanout<E = BusEnvelope> {
  readonly #handlers = new Set<(envelope: E) => void>()
  constructor(private readonly onError: (err: unknown) => void) {}

  add(handler: (envelope: E) => void): () => void {
    this.#handlers.add(handler)
    return () => this.#handlers.delete(handler)
  }

  deliver(envelope: E): void {
    for (const h of this.#handlers) {
      try {
        h(envelope)
      } catch (err) {
        this.onError(err)
      }
    }
  }
}

/** The default: one process, no broker. */
export class InProcessBus implements Bus {
  readonly kind = 'memory' as const
  readonly #local: LocalFanout

  constructor(
    readonly nodeId: string,
    onError: (err: unknown) => void = () => {},
  ) {
    this.#local = new LocalFanout(onError)
  }

  publish(tenantId: string, payload: unknown): void {
    this.#local.deliver({ tenantId, node: this.nodeId, payload })
  }

  subscribe(handler: BusHandler): () => void {
    return this.#local.add(handler)
  }

  toOtherNodes(): void {}

  fromOtherNodes(): () => void {
    return () => {}
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}
