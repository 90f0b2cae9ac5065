import { z } from 'zod'
import type { Bus } from '../bus/index.js'
import { ParleyError } from '../errors/index.js'
import type { EventStream, Origin, ParleyEvent } from '../events/index.js'
import type { Store } from '../store/index.js'
import { type Cause, RECOMMENDATIONS } from './diagnosis.js'
import { type Suppression, type WatchAlert, WatchEngine } from './engine.js'
import {
  type AlertRecord,
  type AlertResponse,
  foldAlert,
  type LifecycleAction,
  openAlert,
  transition,
} from './lifecycle.js'
import { fromParleyEvent, type WatchEvent, watchEventSchema } from './watch.schema.js'

/** What a surge alert looks like to the console: the alert as raised plus its lifecycle record. */
export interface StoredAlert {
  id: string
  tenantId: string
  state: AlertRecord['state']
  record: AlertRecord
  alert: WatchAlert
}

/** The console hears of each new or changed alert through this callback (a banner for admins). */
export type AlertNotifier = (tenantId: string, alert: StoredAlert) => void

const TICK_MS = 30_000
/** Bus topics between nodes: watched events (batched) and acknowledgements' suppressions. */
const EVENTS_TOPIC = 'watch-events'
const SUPPRESSIONS_TOPIC = 'watch-suppressions'
/** The lease of the one node that stores and announces the cluster's alerts. */
const JUDGE_LEASE = 'watch-judge'
const JUDGE_LEASE_MS = 30_000
/** A node sends its watched events to the others at most this often, or once this many wait. */
const FORWARD_MS = 200
const FORWARD_MAX = 1000
/** Alerts a node that is not the judge raised itself, kept in case the judge died before storing them. */
const HELD_MS = 2 * JUDGE_LEASE_MS
const HELD_MAX = 1000

const suppressionSchema = z.object({
  alertId: z.string().min(1).max(1000),
  tenant: z.string().min(1).max(200),
  group: z.string().min(1).max(200),
  cause: z.enum(Object.keys(RECOMMENDATIONS) as [Cause, ...Cause[]]).optional(),
  until: z.number(),
})

/** What the service needs of the bus: telling the other nodes, and hearing them. */
export type WatchBus = Pick<Bus, 'kind' | 'toOtherNodes' | 'fromOtherNodes'>

/**
 * Anomaly detection, live: the engine listens to the one event stream, each alert it raises
 * is stored and announced, and admins move it through its lifecycle (expected campaign or
 * test, incident, resolved). Every step is itself an event, so the audit log records it.
 *
 * Across nodes (a Redis bus), every node sends the events it watches to the others, so each
 * node's engine sees the whole cluster's traffic for a tenant and keeps the same baselines: a
 * surge spread over several nodes is judged whole. One node at a time, the holder of the
 * `watch-judge` lease, stores and announces the alerts; the others keep what they raised for a
 * minute, and a node that takes the lease over stores any of those the last judge had not.
 */
export class WatchService {
  readonly engine = new WatchEngine()
  /** Events sent to and received from other nodes; `rejected` did not parse (counted, never thrown). */
  readonly clusterStats = { received: 0, rejected: 0, forwarded: 0 }
  #timer: NodeJS.Timeout | null = null
  #leaseTimer: NodeJS.Timeout | null = null
  #forwardTimer: NodeJS.Timeout | null = null
  #unsubscribe: (() => void)[] = []
  /** Alerts are written in order, one at a time: a fold must find the alert it folds into. */
  #writes: Promise<void> = Promise.resolve()
  #judge = false
  #held: { alert: WatchAlert; at: number }[] = []
  #outbox: WatchEvent[] = []

  constructor(
    private readonly store: Store,
    private readonly events: EventStream,
    private readonly notify: AlertNotifier,
    private readonly node: string,
    private readonly bus: WatchBus | null = null,
  ) {}

  /** True while this node stores and announces the cluster's alerts. */
  get isJudge(): boolean {
    return this.#judge
  }

  start(): void {
    this.#unsubscribe.push(this.events.subscribe((e) => this.#onEvent(e)))
    if (this.bus?.kind === 'redis') {
      this.#unsubscribe.push(
        // Each event of a batch is parsed on its own below: one bad event does not drop the rest.
        this.bus.fromOtherNodes(EVENTS_TOPIC, z.array(z.unknown()), (batch) => this.#onClusterEvents(batch)),
        this.bus.fromOtherNodes(SUPPRESSIONS_TOPIC, suppressionSchema, (s) => this.engine.addSuppression(s)),
      )
      this.#forwardTimer = setInterval(() => this.#forward(), FORWARD_MS)
      this.#forwardTimer.unref()
    }
    // Windows close with time, not only with events: a quiet tenant still gets its alert.
    this.#timer = setInterval(() => this.#raise(this.engine.advanceTo(Date.now())), TICK_MS)
    this.#timer.unref()
    void this.renewJudgeLease()
    this.#leaseTimer = setInterval(() => void this.renewJudgeLease(), JUDGE_LEASE_MS / 3)
    this.#leaseTimer.unref()
  }

  async stop(): Promise<void> {
    for (const t of [this.#timer, this.#leaseTimer, this.#forwardTimer]) if (t) clearInterval(t)
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
    this.#forward()
    await this.#writes
    if (this.#judge) await this.store.leases.release(JUDGE_LEASE, this.node).catch(() => {})
    this.#judge = false
  }

  /** Takes or renews the judge's lease; a node that has just taken it stores what it held. */
  async renewJudgeLease(): Promise<void> {
    let held: boolean
    try {
      held = await this.store.leases.acquire(JUDGE_LEASE, this.node, Date.now(), JUDGE_LEASE_MS)
    } catch {
      return // the database is unreachable: nothing could be stored either; try again next time
    }
    const becameJudge = held && !this.#judge
    this.#judge = held
    if (!becameJudge) return
    const now = Date.now()
    const waiting = this.#held.filter((h) => now - h.at <= HELD_MS && !h.alert.foldedInto)
    this.#held = []
    for (const { alert } of waiting)
      this.#writes = this.#writes
        .then(async () => {
          if (!(await this.store.content.alert(alert.tenant, alert.id))) await this.#store(alert)
        })
        .catch(() => {})
  }

  #forward(): void {
    if (this.#outbox.length === 0 || !this.bus) return
    this.bus.toOtherNodes(EVENTS_TOPIC, this.#outbox)
    this.clusterStats.forwarded += this.#outbox.length
    this.#outbox = []
  }

  #onClusterEvents(batch: unknown[]): void {
    for (const item of batch) {
      this.clusterStats.received++
      // Sent with `ts` in epoch ms (as the engine holds it); the schema reads ISO-8601, as in a file.
      const sent = item as { ts?: unknown } | null
      if (sent && typeof sent === 'object' && typeof sent.ts === 'number')
        sent.ts = new Date(sent.ts).toISOString()
      const parsed = watchEventSchema.safeParse(item)
      if (parsed.success) this.#raise(this.engine.ingest(parsed.data))
      else this.clusterStats.rejected++
    }
  }

  /** Resolves once every alert raised so far is stored. */
  settled(): Promise<void> {
    return this.#writes
  }

  #onEvent(e: ParleyEvent): void {
    if (e.type === 'watch.alert') return
    const we = fromParleyEvent(e)
    if (!we) return
    this.#raise(this.engine.ingest(we))
    if (this.#forwardTimer) {
      this.#outbox.push(we)
      if (this.#outbox.length >= FORWARD_MAX) this.#forward()
    }
  }

  #raise(alerts: WatchAlert[]): void {
    for (const alert of alerts) {
      if (this.#judge) {
        this.#writes = this.#writes.then(() => this.#store(alert)).catch(() => {})
        continue
      }
      const now = Date.now()
      this.#held.push({ alert, at: now })
      while (this.#held.length > HELD_MAX || (this.#held[0] && now - this.#held[0].at > HELD_MS))
        this.#held.shift()
    }
  }

  async #store(alert: WatchAlert): Promise<void> {
    if (alert.foldedInto) {
      const host = await this.store.content.alert(alert.tenant, alert.foldedInto)
      const folded = host ? foldAlert(host.record as AlertRecord, alert) : null
      if (!host || !folded) return
      await this.store.content.upsertAlert({
        id: host.id,
        tenantId: host.tenantId,
        state: folded.record.state,
        record: folded.record,
        alert: host.alert,
        openedAt: folded.record.openedAt,
      })
      this.#emit(alert.tenant, 'folded', folded.record, alert, { kind: 'system', id: 'system' })
      return
    }
    const opened = openAlert(alert)
    await this.store.content.upsertAlert({
      id: alert.id,
      tenantId: alert.tenant,
      state: opened.record.state,
      record: opened.record,
      alert,
      openedAt: opened.record.openedAt,
    })
    this.#emit(alert.tenant, 'opened', opened.record, alert, { kind: 'system', id: 'system' })
    this.notify(alert.tenant, {
      id: alert.id,
      tenantId: alert.tenant,
      state: opened.record.state,
      record: opened.record,
      alert,
    })
  }

  #emit(
    tenant: string,
    step: 'opened' | 'folded' | 'acknowledged' | 'escalated' | 'resolved',
    record: AlertRecord,
    alert: WatchAlert,
    actor: { kind: 'system'; id: 'system' } | { kind: 'agent'; id: string; role: string },
    origin: Origin = { channel: 'system', node: this.node },
    note?: string,
  ): void {
    this.events.emit({
      type: 'watch.alert',
      tenant,
      actor,
      origin,
      step,
      alertId: record.id,
      signal: alert.signal,
      cause: alert.diagnosis.cause,
      ...(note ? { note } : {}),
    })
  }

  /** Notes an automatic response on its alert, so admins see what was done (in write order). */
  recordResponse(tenantId: string, alertId: string, response: AlertResponse): Promise<void> {
    const write = this.#writes.then(async () => {
      const found = (await this.store.content.alert(tenantId, alertId)) as StoredAlert | undefined
      if (!found) return
      const record = { ...found.record, responses: [...(found.record.responses ?? []), response] }
      await this.store.content.upsertAlert({
        id: found.id,
        tenantId: found.tenantId,
        state: found.state,
        record,
        alert: found.alert,
        openedAt: record.openedAt,
      })
    })
    this.#writes = write.catch(() => {})
    return write
  }

  async list(tenantId: string | null, limit: number): Promise<StoredAlert[]> {
    return (await this.store.content.alerts(tenantId, limit)) as StoredAlert[]
  }

  /** One lifecycle step by an admin; an acknowledgement also starts folding similar alerts. */
  async act(
    ctx: { tenantId: string; agentId: string; role: string; origin: Origin },
    alertId: string,
    action: LifecycleAction,
  ): Promise<StoredAlert> {
    const found = (await this.store.content.alert(ctx.tenantId, alertId)) as StoredAlert | undefined
    if (!found) throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'alert not found', { resource: 'alert' })
    const next = transition(found.record, action, Date.now())
    await this.store.content.upsertAlert({
      id: found.id,
      tenantId: found.tenantId,
      state: next.record.state,
      record: next.record,
      alert: found.alert,
      openedAt: next.record.openedAt,
    })
    if (next.suppression) {
      this.engine.addSuppression(next.suppression satisfies Suppression)
      this.bus?.toOtherNodes(SUPPRESSIONS_TOPIC, next.suppression)
    }
    const step =
      next.record.state === 'acknowledged'
        ? 'acknowledged'
        : next.record.state === 'escalated'
          ? 'escalated'
          : 'resolved'
    this.#emit(
      found.tenantId,
      step,
      next.record,
      found.alert,
      { kind: 'agent', id: ctx.agentId, role: ctx.role },
      ctx.origin,
      'note' in action ? action.note : undefined,
    )
    const stored = { ...found, state: next.record.state, record: next.record }
    this.notify(found.tenantId, stored)
    return stored
  }
}
