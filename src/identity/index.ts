/** Who is asking: the authenticated context every handler receives. */

/** The shared admin DELETE route (tenant-scoped removal, not-found, admin.change event). */
export { adminDeleteRoute } from './admin-routes.js'
export type { ApiScope } from './api-scopes.js'
/** API token scopes and the route-to-scope table (plain data the console shares). */
export { API_SCOPES, SCOPE_SUMMARIES, TOKEN_ROUTE_SCOPES } from './api-scopes.js'
export type { TokenChanger } from './api-tokens.js'
/** API tokens: issuing, checking a presented token, scope checks, revoking and suspending. */
export { ApiTokenService, looksLikeApiToken, requireTokenScope } from './api-tokens.js'
/** HTTP routes of API tokens (admins with a session only). */
export { apiTokenRoutes } from './api-tokens.plugin.js'
export type { ApiTokenStatus, ApiTokenView } from './api-tokens.schema.js'
export type { AdminResource, AgentContext, AgentRole, AuthContext, VisitorContext } from './context.js'
export { actorOf, adminChangeEvent } from './context.js'
/** HTTP routes of identity and the session cookie. */
export { identityRoutes, SESSION_COOKIE, setSessionCookie } from './identity.plugin.js'
export type { NewSession, SignInResult } from './identity-service.js'
/** Setup links, password sign-in and sessions. */
export { IdentityService, MIN_PASSWORD_LENGTH, SESSION_IDLE_MS } from './identity-service.js'
export type { FactorNeed, MfaSecretBox } from './mfa.js'
/** TOTP second factor: enrolment, codes (no replay), recovery codes, policy, step-up. */
export { MFA_KEY_PURPOSE, MfaService, matchTotp, STEP_UP_FRESH_MS, stepUpRequired } from './mfa.js'
/** HTTP routes of MFA: second sign-in step, enrolment, step-up, admin policy and reset. */
export { mfaRoutes } from './mfa.plugin.js'
export type { ConversationAccessView, ConversationAction } from './policy.js'
/** Access rules for conversations and admin actions. */
export { canAccessConversation, requireAdmin, requireAgent } from './policy.js'
/** Reading the authenticated context off a request. */
export { agentOf, authOf, visitorOf } from './request-auth.js'
/** Secret helpers: random ids, hashed storage, visitor tokens. */
export { hashSecret, newSecret, signVisitorToken, verifyVisitorToken } from './secrets.js'
/** Signed, SSRF-guarded webhooks: delivery, notifier and routes. */
export { checkWebhookUrl, deliverWebhook, isPrivateAddress, signWebhook } from './webhooks.js'
export { WEBHOOK_EVENTS, WebhookNotifier, webhookRoutes } from './webhooks.plugin.js'
