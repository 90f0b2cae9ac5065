/** The typed in-process stream every security-relevant happening is emitted on. */

export type { EventListener } from './stream.js'
export { EventStream } from './stream.js'
/** ISO 8601 times, formatted cheaply on hot paths. */
export { isoTime } from './time.js'
/** Event shapes: one union, discriminated by `type`. */
export type { ActorRef, EventDraft, Origin, ParleyEvent, ParleyEventType } from './types.js'
