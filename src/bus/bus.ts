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

export interface Bus {
  readonly nodeId: string
  readonly kind: 'memory' | 'redis'
  /** Delivers to this node's handlers at once and to every other node through the broker. */
  publish(tenantId: string, payload: unknown): void
  subscribe(handler: BusHandler): () => void
  /** Resolves when the broker answers (for /readyz). */
  ping(): Promise<void>
  close(): Promise<void>
}

/** Handlers of one node; shared by both implementations. */
export class LocalFanout {
  readonly #handlers = new Set<BusHandler>()
  constructor(private readonly onError: (err: unknown) => void) {}

  add(handler: BusHandler): () => void {
    this.#handlers.add(handler)
    return () => this.#handlers.delete(handler)
  }

  deliver(envelope: BusEnvelope): void {
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

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}
