/** Composes the capabilities into the Parley server. */
export { buildApp, CONTENT_SECURITY_POLICY } from './app.js'
export type { ParleyApp } from './app.js'
/** Configuration from the environment. */
export { loadConfig } from './config.js'
export type { ParleyConfig } from './config.js'
/** Tenants: first-start bootstrap and creation. */
export { bootstrapFirstTenant, createTenant } from './tenants.js'
export type { NewTenant } from './tenants.js'
/** WebSocket close codes. */
export { CLOSE } from './gateway.js'
