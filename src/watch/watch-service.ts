import { ParleyError } from '../errors/index.js'
import type { EventStream, Origin, ParleyEvent } from '../events/index.js'
import type { Store } from '../store/index.js'
import { type Suppression, type WatchAlert, WatchEngine } from './engine.js'
import {
  type AlertRecord,
  type AlertResponse,
  foldAlert,
  type LifecycleAction,
  openAlert,
  transition,
} from './lifecycle.js'
import { fromParleyEvent } from './watch.schema.js'

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

/**
 * Anomaly detection, live: the engine listens to the one event stream, each alert it raises
 * is stored and announced, and admins move it through its lifecycle (expected campaign or
 * test, incident, resolved). Every step is itself an event, so the audit log records it.
 * Each node runs the engine over the events it emitted itself.
 */
export class WatchService {
  readonly engine = new WatchEngine()
  #timer: NodeJS.Timeout | null = null
  #unsubscribe: (() => void) | null = null
  /** Alerts are written in order, one at a time: a fold must find the alert it folds into. */
  #writes: Promise<void> = Promise.resolve()

  constructor(
    private readonly store: Store,
    private readonly events: EventStream,
    private readonly notify: AlertNotifier,
    private readonly node: string,
  ) {}

  start(): void {
    this.#unsubscribe = this.events.subscribe((e) => this.#onEvent(e))
    // Windows close with time, not only with events: a quiet tenant still gets its alert.
    this.#timer = setInterval(() => this.#raise(this.engine.advanceTo(Date.now())), TICK_MS)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#unsubscribe?.()
    await this.#writes
  }

  /** Resolves once every alert raised so far is stored. */
  settled(): Promise<void> {
    return this.#writes
  }

  #onEvent(e: ParleyEvent): void {
    if (e.type === 'watch.alert') return
    const we = fromParleyEvent(e)
    if (we) this.#raise(this.engine.ingest(we))
  }

  #raise(alerts: WatchAlert[]): void {
    for (const alert of alerts) this.#writes = this.#writes.then(() => this.#store(alert)).catch(() => {})
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
    if (next.suppression) this.engine.addSuppression(next.suppression satisfies Suppression)
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
