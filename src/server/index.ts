/** Composes the capabilities into the Parley server. */

export type { ParleyApp } from './app.js'
export { buildApp, CONTENT_SECURITY_POLICY } from './app.js'
export type { ParleyConfig } from './config.js'
/** Configuration from the environment. */
export { loadConfig } from './config.js'
/** WebSocket close codes. */
export { CLOSE } from './gateway.js'
/** V8 heap settings for a serving process. */
export { tuneHeapForServing } from './heap-tuning.js'
export type { NewTenant } from './tenants.js'
/** Tenants: first-start bootstrap and creation. */
export { bootstrapFirstTenant, createTenant } from './tenants.js'
