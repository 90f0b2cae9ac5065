/** The typed in-process stream every security-relevant happening is emitted on. */
export { EventStream } from './stream.js'
export type { EventListener } from './stream.js'
/** Event shapes: one union, discriminated by `type`. */
export type { ActorRef, EventDraft, Origin, ParleyEvent, ParleyEventType } from './types.js'
