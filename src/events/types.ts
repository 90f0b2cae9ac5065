/**
 * The one stream of security-relevant happenings. Every event carries its tenant, actor,
 * origin and time, so the audit log, anomaly detection and compliance checks can subscribe
 * to it instead of hunting for call sites.
 */

/** Who did it. The id is scoped to the tenant. */
export type ActorRef =
  | { kind: 'visitor'; id: string }
  | { kind: 'agent'; id: string; role: string }
  | { kind: 'token'; id: string }
  | { kind: 'system'; id: 'system' }

/** Where it came from. */
export interface Origin {
  channel: 'ws' | 'http' | 'cli' | 'system'
  node: string
  ip?: string
  userAgent?: string
  requestId?: string
}

interface Base<T extends string> {
  /** Unique id of the event (random, sortable by time only through `ts`). */
  id: string
  type: T
  /** ISO-8601 time the event happened on the emitting node. */
  ts: string
  tenant: string
  actor: ActorRef
  origin: Origin
}

export type ParleyEvent =
  | (Base<'conversation.started'> & {
      conversationId: string
      siteId: string
      visitorId: string
      referrer?: string
      landingPage?: string
    })
  | (Base<'conversation.assigned'> & {
      conversationId: string
      agentId: string | null
      teamId: string | null
      how: 'auto' | 'transfer' | 'claim'
    })
  | (Base<'conversation.closed' | 'conversation.reopened'> & { conversationId: string })
  | (Base<'message.sent'> & {
      conversationId: string
      messageId: string
      sender: 'visitor' | 'agent' | 'system'
      kind: 'text' | 'note' | 'attachment'
      /** Length in characters of the text as stored; never the text itself. */
      length: number
      /** What redaction found, by category and count (never the values). */
      redactions: Record<string, number>
    })
  | (Base<'message.redacted'> & {
      conversationId: string
      messageId: string
      /** A later message completed a value split across messages; this one was redacted again. */
      redactions: Record<string, number>
    })
  | (Base<'offline_message.received'> & { offlineMessageId: string; siteId: string; length: number })
  | (Base<'auth.login'> & { outcome: 'success' | 'failure'; username: string; reason?: string })
  | (Base<'auth.logout'> & { sessionId: string })
  | (Base<'auth.setup_completed'> & { agentId: string })
  | (Base<'auth.mfa_change'> & {
      /** A change to an agent's second factor or to a session's need for one; never a secret or a code. */
      action:
        | 'enrolled'
        | 'disabled'
        | 'reset'
        | 'recovery_code_used'
        | 'recovery_codes_renewed'
        | 'step_up_verified'
        | 'step_up_required'
      agentId: string
    })
  | (Base<'transcript.read' | 'transcript.export'> & { conversationId: string; messages: number })
  | (Base<'transcript.search'> & {
      /** Characters in the query and how many words it had; never the query, it may hold sensitive words. */
      queryLength: number
      words: number
      /** Messages returned on this page. */
      results: number
    })
  | (Base<'protect.reveal_requested'> & {
      requestId: string
      tokenId: string
      category: string
      conversationId: string | null
      /** Why the value is needed, as the requester typed it (never the value). */
      reason: string
      state: 'pending' | 'approved'
    })
  | (Base<'protect.reveal_decided'> & {
      requestId: string
      tokenId: string
      requesterId: string
      decision: 'approved' | 'denied'
    })
  | (Base<'protect.revealed'> & {
      /** A tokenized value was shown to the actor (the masked-value reveal signal). */
      requestId: string
      tokenId: string
      category: string
      conversationId: string | null
    })
  | (Base<'attachment.uploaded' | 'attachment.downloaded'> & {
      conversationId: string
      attachmentId: string
      size: number
      contentType: string
    })
  | (Base<'api.request'> & { method: string; route: string; status: number; durationMs: number })
  | (Base<'admin.change'> & {
      resource:
        | 'tenant'
        | 'site'
        | 'agent'
        | 'team'
        | 'canned_response'
        | 'business_hours'
        | 'label'
        | 'protect_policy'
        | 'webhook'
        | 'watch_policy'
        | 'mfa_policy'
        | 'secure_form_config'
        | 'api_token'
      action: 'create' | 'update' | 'delete'
      resourceId: string
    })
  | (Base<'watch.alert'> & {
      /** A lifecycle step of an anomaly alert: raised, folded into an acknowledged one, acknowledged, escalated, resolved. */
      step: 'opened' | 'folded' | 'acknowledged' | 'escalated' | 'resolved'
      alertId: string
      signal: string
      cause: string
      note?: string
    })
  | (Base<'watch.response'> & {
      /** An automatic response the tenant's policy ordered for an alert. */
      alertId: string
      response: 'throttle_widget' | 'suspend_agent' | 'lock_accounts' | 'suspend_token' | 'require_step_up'
      /** The network, the agent or API token, or for locks the number of accounts locked. */
      target: string
      until?: string
      /** What happened instead, e.g. a suspension where step-up was asked of an agent without MFA. */
      note?: string
    })
  | (Base<'secure_form.requested'> & {
      conversationId: string
      formId: string
      kind: 'card' | 'bank_account' | 'custom'
    })
  | (Base<'secure_form.completed'> & {
      /** How a secure form ended; never a submitted value (a card's last four digits at most). */
      conversationId: string
      formId: string
      kind: 'card' | 'bank_account' | 'custom'
      outcome: 'completed' | 'failed' | 'cancelled'
      last4?: string
    })
  | (Base<'access.denied'> & { action: string; resource: string; reason: string })
  | (Base<'ws.rejected'> & { reason: string; code: string; siteId?: string; pageOrigin?: string })

export type ParleyEventType = ParleyEvent['type']

/** An event before the stream stamps its id and time. */
export type EventDraft = ParleyEvent extends infer E
  ? E extends ParleyEvent
    ? Omit<E, 'id' | 'ts'> & { ts?: string }
    : never
  : never
