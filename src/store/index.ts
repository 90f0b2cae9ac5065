/** The data layer: one schema over SQLite and PostgreSQL, repositories, group-committed messages. */

/** API token rows (hashed secrets, scopes, expiry, revocation and suspension). */
export type { ApiTokenRepo, ApiTokenRow, NewApiToken } from './api-tokens.js'
export type { BodyCodec, BodyRef } from './body-codec.js'
/** How message bodies become stored bytes; the vault replaces the default UTF-8 codec. */
export { utf8BodyCodec } from './body-codec.js'
export type { ConversationFilter, StoredMessageView } from './conversations.js'
export type { DialectTraits, SqliteSync, StoreOptions } from './dialect.js'
/** Time-ordered UUIDv7 ids for rows written at a high rate (messages). */
export { timeOrderedId } from './ids.js'
export type { MessageWrite, MessageWriteResult } from './message-writer.js'
export { ConversationMissing } from './message-writer.js'
/** Multi-factor rows: sealed TOTP secrets, recovery-code hashes, challenges, session factor state. */
export type { AgentMfaRow, MfaChallengeRow, MfaRepo } from './mfa.js'
/** Runs the versioned migrations (also done by `Store.open`). */
export { migrateToLatest, migrateUpTo } from './migrate.js'
/** A worker thread running one of this package's modules (TypeScript under tsx in tests). */
export { startModuleWorker } from './module-worker.js'
export type { ConversationFacts, FirstResponse, ReportsRepo, SlotCount } from './reports.js'
/** Reports count per 15-minute slot; the slot length the caller buckets by. */
export { REPORT_SLOT_MS } from './reports.js'
export type { AgentRow, ConversationRow, MessageRow, SiteRow } from './schema.js'
/** The transcript search index (blind terms, changed-message queue, indexer state). */
export type {
  Posting,
  SearchableMessage,
  SearchHit,
  SearchIndexRepo,
  SearchIndexState,
} from './search-index.js'
/** Secure-form destinations and requested forms (never a submitted value). */
export type { SecureFormConfigRow, SecureFormKindName, SecureFormRow } from './secure-forms.js'
export type { SignInThrottleRepo, SignInThrottleRow } from './sign-in-throttle.js'
export { Store } from './store.js'
/** Vault rows: wrapped tenant keys, sealed tokenized values, reveal requests. */
export type {
  NewProtectToken,
  ProtectTokenRow,
  RevealRequestRow,
  RevealRequestWithToken,
  TenantKeyRow,
  VaultRepo,
} from './vault.js'
