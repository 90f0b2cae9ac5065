/**
 * The vault: a master key outside the database, per-tenant data keys wrapped by it, sealed
 * tokenized values and their audited reveal. (Sealing message bodies, rotation of the master
 * key and crypto-shredding build on the same keyring.)
 */

export type { TenantKey } from './keyring.js'
/** Per-tenant data keys, wrapped by the master key, one series per purpose. */
export { TenantKeyring } from './keyring.js'
export type { MasterKeyProvider } from './master-key.js'
/** The master key from PARLEY_MASTER_KEY or the key file (created 0600 on first start). */
export { LocalMasterKey, loadMasterKey } from './master-key.js'
export type { RevealGrant, RevealRules } from './reveal.js'
/** The reveal rules as pure functions. */
export { checkRevealable, decide, openRequest } from './reveal.js'
export type { RevealServiceDeps } from './reveal-service.js'
export { RevealService } from './reveal-service.js'
/** AES-256-GCM sealing with associated data, and HKDF subkeys. */
export { seal, subkey, unseal } from './sealing.js'
/** Small secrets of one purpose sealed under the tenant's keys, and keyed hashes (MFA secrets). */
export { TenantSecretBox } from './secret-box.js'
export type { RevealedValue } from './token-vault.js'
export { TOKEN_ID_PATTERN, TOKEN_KEY_PURPOSE, TOKEN_TEXT, TokenVault, tokenText } from './token-vault.js'
export { vaultRoutes } from './vault.plugin.js'
