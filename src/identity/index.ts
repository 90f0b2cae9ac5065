/** Who is asking: the authenticated context every handler receives. */
export { actorOf } from './context.js'
export type { AgentContext, AgentRole, AuthContext, VisitorContext } from './context.js'
/** Access rules for conversations and admin actions. */
export { canAccessConversation, requireAdmin, requireAgent } from './policy.js'
export type { ConversationAccessView, ConversationAction } from './policy.js'
/** Setup links, password sign-in and sessions. */
export { IdentityService, MIN_PASSWORD_LENGTH, SESSION_IDLE_MS } from './identity-service.js'
export type { NewSession } from './identity-service.js'
/** Secret helpers: random ids, hashed storage, visitor tokens. */
export { hashSecret, newSecret, signVisitorToken, verifyVisitorToken } from './secrets.js'
/** Reading the authenticated context off a request. */
export { agentOf, authOf, visitorOf } from './request-auth.js'
/** HTTP routes of identity and the session cookie. */
export { identityRoutes, SESSION_COOKIE, setSessionCookie } from './identity.plugin.js'
