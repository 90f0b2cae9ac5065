import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

/**
 * One data model for both engines. Times are epoch milliseconds (bigint columns), ids are
 * UUID strings, JSON is text, and anything that will be sealed by the vault (message bodies,
 * offline message bodies, attachment data) is bytes, so encryption can arrive without a
 * schema change. Every row carries its tenant.
 */
export interface TenantTable {
  id: string
  name: string
  created_at: number
  /** 1: every agent needs a second factor to get a session (docs/mfa.md). */
  mfa_required: Generated<number>
}

export interface InstanceTable {
  /** Single-row table: secrets shared by every node of this installation. */
  id: number
  visitor_token_secret: string
  created_at: number
}

export interface SiteTable {
  id: string
  tenant_id: string
  name: string
  widget_key: string
  /** JSON array of allowed page origins, e.g. ["https://shop.example"]. */
  allowed_origins: string
  /** JSON: pre-chat form fields and offline form settings. */
  prechat: string
  /** JSON: { timezone, days: { mon: [["09:00","17:00"]], … } } or "null" (always open). */
  business_hours: string
  created_at: number
  updated_at: number
}

export interface AgentTable {
  id: string
  tenant_id: string
  email: string
  name: string
  role: 'admin' | 'agent'
  password_hash: string | null
  /** How many assigned conversations the agent takes at once. */
  capacity: number
  /** What the agent chose: online agents get chats when connected. */
  status: 'online' | 'away' | 'offline'
  last_assigned_at: number
  disabled: number
  created_at: number
  updated_at: number
}

export interface AgentPresenceTable {
  agent_id: string
  node_id: string
  tenant_id: string
  sockets: number
  heartbeat_at: number
}

export interface SetupTokenTable {
  token_hash: string
  tenant_id: string
  agent_id: string
  expires_at: number
  used_at: number | null
}

export interface SessionTable {
  id_hash: string
  tenant_id: string
  agent_id: string
  created_at: number
  last_seen_at: number
  expires_at: number
  ip: string | null
  user_agent: string | null
  /** When this session last proved a second factor (sign-in or step-up); null: never. */
  mfa_verified_at: Generated<number | null>
  /** 1: transcript reads wait for a step-up verification (set by a watch response). */
  step_up_required: Generated<number>
}

export interface TeamTable {
  id: string
  tenant_id: string
  name: string
  created_at: number
}

export interface TeamMemberTable {
  team_id: string
  agent_id: string
  tenant_id: string
}

export interface VisitorTable {
  id: string
  tenant_id: string
  site_id: string
  name: string | null
  email: string | null
  created_at: number
  last_seen_at: number
}

export interface ConversationTable {
  id: string
  tenant_id: string
  site_id: string
  visitor_id: string
  status: 'open' | 'assigned' | 'closed'
  agent_id: string | null
  team_id: string | null
  last_seq: number
  visitor_read_seq: number
  agent_read_seq: number
  /** JSON: page url, referrer, user agent, local timezone, ip, pre-chat fields. */
  visitor_context: string
  rating: number | null
  rating_comment: string | null
  first_response_at: number | null
  created_at: number
  updated_at: number
  closed_at: number | null
}

export interface MessageTable {
  id: string
  tenant_id: string
  conversation_id: string
  seq: number
  client_msg_id: string
  sender_kind: 'visitor' | 'agent' | 'system'
  sender_id: string
  kind: 'text' | 'note' | 'attachment' | 'event'
  /** Message text as bytes (UTF-8 today; the vault will store ciphertext here). */
  body: Buffer
  attachment_id: string | null
  /** JSON: what redaction found, by category and count (never the values). */
  redactions: string
  created_at: number
}

export interface ProtectPolicyTable {
  tenant_id: string
  /** The tenant's redaction policy document (JSON, see docs/protect.md). */
  document: string
  updated_at: number
}

export interface WatchAlertTable {
  id: string
  tenant_id: string
  state: 'open' | 'acknowledged' | 'escalated' | 'resolved'
  /** JSON: the lifecycle record (state, note, expiry, incident, folded count). */
  record: string
  /** JSON: the alert as raised (signal, onset, diagnosis with evidence, recommendation). */
  alert: string
  opened_at: number
  updated_at: number
}

export interface WebhookTable {
  id: string
  tenant_id: string
  url: string
  /** HMAC key for the signature header (the tenant saw it once, at creation). */
  secret: string
  /** JSON array of event types sent to this URL, e.g. ["watch.alert"]. */
  events: string
  created_at: number
}

export interface WatchPolicyTable {
  tenant_id: string
  /** JSON: which automatic responses the tenant turned on (docs/watch.md). */
  document: string
  updated_at: number
}

export interface AttachmentTable {
  id: string
  tenant_id: string
  conversation_id: string
  uploader_kind: 'visitor' | 'agent'
  uploader_id: string
  file_name: string
  content_type: string
  size: number
  data: Buffer
  created_at: number
}

export interface LabelTable {
  id: string
  tenant_id: string
  name: string
  color: string
  created_at: number
}

export interface ConversationLabelTable {
  conversation_id: string
  label_id: string
  tenant_id: string
}

export interface CannedResponseTable {
  id: string
  tenant_id: string
  shortcut: string
  title: string
  body: string
  created_at: number
  updated_at: number
}

export interface OfflineMessageTable {
  id: string
  tenant_id: string
  site_id: string
  name: string
  email: string
  body: Buffer
  created_at: number
}

export interface SearchTermTable {
  tenant_id: string
  /** Truncated HMAC-SHA-256 of one normalised word under the tenant's search key: never the word. */
  term_hash: Buffer
  message_id: string
  conversation_id: string
}

export interface SearchDirtyTable {
  /** A message whose body changed (redaction revision) or that was deleted: re-index or drop it. */
  message_id: string
  tenant_id: string
}

export interface SearchStateTable {
  /** Single row: the search indexer's state, shared by every node. */
  id: number
  /** The generated search secret, when SEARCH_KEY is not configured; null when it is. */
  key_secret: string | null
  /** Identifies the key the index was built with, so a changed key rebuilds the index. */
  key_fingerprint: string
  /** Every message with an id at or below this one has been indexed ('' before the first). */
  cursor: string
  /** The node that runs the indexer now, so two nodes never index at once. */
  lease_owner: string | null
  lease_until: number
}

/** A tenant's data key of one purpose and version, wrapped (encrypted) by the master key. */
export interface TenantKeyTable {
  tenant_id: string
  version: number
  purpose: string
  /** Which master key wrapped it, so a rotated master key can still unwrap older rows. */
  master_key_id: string
  wrapped: Buffer
  created_at: number
}

/** A value redaction tokenized, sealed under the tenant's token key (AES-256-GCM). */
export interface ProtectTokenTable {
  id: string
  tenant_id: string
  type: string
  key_version: number
  sealed: Buffer
  conversation_id: string | null
  created_at: number
}

/** A request to see a tokenized value: who, why, who approved, until when. */
export interface RevealRequestTable {
  id: string
  tenant_id: string
  token_id: string
  requester_id: string
  reason: string
  state: 'pending' | 'approved' | 'denied'
  decided_by: string | null
  created_at: number
  decided_at: number | null
  expires_at: number | null
  reveals: Generated<number>
}

export interface SecureFormConfigTable {
  tenant_id: string
  /** Where submitted secure forms are posted (https; see docs/protect.md#secure-forms). */
  url: string
  /** HMAC key for the signature header (the tenant saw it once, when it was generated). */
  secret: string
  /** JSON array of the form kinds agents may request, e.g. ["card","bank_account"]. */
  kinds: string
  /** The label of a `custom` form when the agent gives none. */
  custom_label: string | null
  updated_at: number
}

export interface SecureFormTable {
  id: string
  tenant_id: string
  conversation_id: string
  /** The one visitor who may fill it in (the conversation's). */
  visitor_id: string
  site_id: string
  kind: 'card' | 'bank_account' | 'custom'
  label: string | null
  /** pending → sending → completed; or cancelled, or locked after too many failed attempts. Never a value. */
  status: 'pending' | 'sending' | 'completed' | 'cancelled' | 'locked'
  /** Refused or undeliverable submissions so far. */
  attempts: number
  requested_by: string
  /** Seq of the transcript's "Secure form requested" message (the widget shows the form there). */
  request_seq: number
  created_at: number
  expires_at: number
  closed_at: number | null
}

/** Failed sign-ins per account name (a hash of the e-mail) and the lock they led to. */
export interface LeaseTable {
  name: string
  owner: string | null
  until: number
}

export interface SignInThrottleTable {
  key: string
  /** The tenant of the agent with that e-mail, when one exists (for tenant-wide responses). */
  tenant_id: string | null
  failures: number
  window_start: number
  locked_until: number
  updated_at: number
}

/** An API token (docs/api-tokens.md): only the SHA-256 of its secret is stored. */
export interface ApiTokenTable {
  id: string
  tenant_id: string
  name: string
  secret_hash: string
  /** JSON array of scopes, e.g. ["conversations:read"]. */
  scopes: string
  /** The admin who created it. */
  created_by: string
  created_at: number
  expires_at: number
  last_used_at: number | null
  last_used_ip: string | null
  revoked_at: number | null
  revoked_by: string | null
  suspended_at: number | null
  /** An admin's id, or `system` when an anomaly response suspended it. */
  suspended_by: string | null
  suspended_reason: string | null
}

/** An agent's TOTP secret, sealed under the tenant's `mfa` key; confirmed once a code matched. */
export interface AgentMfaTable {
  agent_id: string
  tenant_id: string
  key_version: number
  secret_sealed: Buffer
  /** The last TOTP time step accepted: a code of that step or earlier is never accepted again. */
  last_step: Generated<number>
  created_at: number
  confirmed_at: number | null
}

/** A one-time recovery code, as an HMAC under the tenant's `mfa` key (never the code). */
export interface MfaRecoveryCodeTable {
  agent_id: string
  tenant_id: string
  code_hash: string
  created_at: number
  used_at: number | null
}

/** The step between a correct password and a session: verify a code, or enrol first. */
export interface MfaChallengeTable {
  id_hash: string
  tenant_id: string
  agent_id: string
  kind: 'verify' | 'enrol'
  attempts: Generated<number>
  created_at: number
  expires_at: number
}

export interface Database {
  tenants: TenantTable
  instance: InstanceTable
  sites: SiteTable
  agents: AgentTable
  agent_presence: AgentPresenceTable
  setup_tokens: SetupTokenTable
  sessions: SessionTable
  teams: TeamTable
  team_members: TeamMemberTable
  visitors: VisitorTable
  conversations: ConversationTable
  messages: MessageTable
  attachments: AttachmentTable
  labels: LabelTable
  conversation_labels: ConversationLabelTable
  canned_responses: CannedResponseTable
  offline_messages: OfflineMessageTable
  protect_policies: ProtectPolicyTable
  watch_alerts: WatchAlertTable
  webhooks: WebhookTable
  watch_policies: WatchPolicyTable
  search_terms: SearchTermTable
  search_dirty: SearchDirtyTable
  search_state: SearchStateTable
  tenant_keys: TenantKeyTable
  protect_tokens: ProtectTokenTable
  reveal_requests: RevealRequestTable
  sign_in_throttle: SignInThrottleTable
  leases: LeaseTable
  secure_form_configs: SecureFormConfigTable
  secure_forms: SecureFormTable
  agent_mfa: AgentMfaTable
  mfa_recovery_codes: MfaRecoveryCodeTable
  mfa_challenges: MfaChallengeTable
  api_tokens: ApiTokenTable
}

export type ConversationRow = Selectable<ConversationTable>
export type MessageRow = Selectable<MessageTable>
export type NewMessageRow = Insertable<MessageTable>
export type AgentRow = Selectable<AgentTable>
export type SiteRow = Selectable<SiteTable>
export type ConversationUpdate = Updateable<ConversationTable>
export type { Generated }
