/** The rules of live chat: conversations, messages, routing, presence. */

export { safeFileName, sniffAttachmentType } from './attachment-type.js'
/** Business hours and attachment sniffing (pure). */
export { businessHoursSchema, isWithinBusinessHours } from './business-hours.js'
/** REST routes of the chat capability. */
export { chatRoutes } from './chat.plugin.js'
export type { ChatLimits, MessageDraft } from './chat-service.js'
export { ChatService } from './chat-service.js'
export type { Delivery, DeliveryScope } from './deliveries.js'
/** Who receives which frame. */
export { agentSeesScope } from './deliveries.js'
/** Agent presence across nodes. */
export { PresenceTracker } from './presence.js'
export type {
  ClientFrame,
  ClientFrameOf,
  ClientFrameType,
  ConversationView,
  MessageAck,
  MessageView,
  SecureFormView,
  ServerFrame,
} from './protocol.schema.js'
/** WebSocket protocol frames. */
export { clientFrameSchemas, isClientFrameType } from './protocol.schema.js'
export { PRESENCE_HEARTBEAT_MS } from './router.js'
/** Sites, widget keys and origin allowlists. */
export { normalizeOrigin, SiteService, siteAllowsOrigin } from './sites.js'
