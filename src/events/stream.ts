import { randomUUID } from 'node:crypto'
import { isoTime } from './time.js'
import type { EventDraft, ParleyEvent, ParleyEventType } from './types.js'

export type EventListener = (event: ParleyEvent) => void

/**
 * A typed, synchronous, in-process event stream. Listeners run in the emitting tick so an
 * event is never lost between emission and recording; a listener that throws is reported
 * through `onListenerError` and never breaks the emitter or the other listeners.
 */
export class EventStream {
  readonly #listeners = new Set<{ types: ReadonlySet<ParleyEventType> | null; fn: EventListener }>()
  readonly #onListenerError: (err: unknown, event: ParleyEvent) => void

  constructor(onListenerError: (err: unknown, event: ParleyEvent) => void = () => {}) {
    this.#onListenerError = onListenerError
  }

  /** Stamps id and time, then hands the event to every interested listener. */
  emit(draft: EventDraft): ParleyEvent {
    // id and ts come before the spread: properties added after a spread get a hidden class
    // of their own per object on Node 20's V8, and every event would carry a new one.
    const event = { id: randomUUID(), ts: '', ...draft } as ParleyEvent
    if (!event.ts) event.ts = isoTime(Date.now())
    for (const listener of this.#listeners) {
      if (listener.types && !listener.types.has(event.type)) continue
      try {
        listener.fn(event)
      } catch (err) {
        this.#onListenerError(err, event)
      }
    }
    return event
  }

  /** Subscribes to all events, or only to `types`; returns the unsubscribe function. */
  subscribe(fn: EventListener, types?: readonly ParleyEventType[]): () => void {
    const entry = { types: types ? new Set(types) : null, fn }
    this.#listeners.add(entry)
    return () => this.#listeners.delete(entry)
  }
}
