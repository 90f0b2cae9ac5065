/** What the console receives from the server. The WebSocket views come from the protocol's own source. */
export type {
  ConversationView,
  MessageAck,
  MessageView,
  SecureFormView,
  ServerFrame,
  VisitorContextInfo,
} from '../../../src/chat/protocol.schema.js'

export type Role = 'admin' | 'agent'

export interface Me {
  agentId: string
  tenantId: string
  name: string
  email: string
  role: Role
}

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface Agent {
  id: string
  email: string
  name: string
  role: Role
  capacity: number
  status: PresenceStatus
  disabled: boolean
  passwordSet: boolean
  teamIds: string[]
}
export type PresenceStatus = 'online' | 'away' | 'offline'

export interface Team {
  id: string
  name: string
  agentIds: string[]
}

export interface Label {
  id: string
  name: string
  color: string
}

export interface Canned {
  id: string
  shortcut: string
  title: string
  body: string
}

export type Day = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat'
export type BusinessHours = { timezone: string; days: Partial<Record<Day, [string, string][]>> } | null

export interface Site {
  id: string
  name: string
  widgetKey: string
  allowedOrigins: string[]
  prechat: {
    enabled: boolean
    fields: { name: string; label: string; type: 'text' | 'email' | 'tel'; required: boolean }[]
  }
  businessHours: BusinessHours
  snippet: string
  createdAt: string
}

export interface SetupLink {
  setupUrl: string
  setupExpiresAt: string
}

export interface SearchHit {
  conversationId: string
  messageId: string
  seq: number
  senderKind: 'visitor' | 'agent' | 'system'
  sentAt: string
  snippet: string
}

export interface Durations {
  count: number
  avgSeconds: number | null
  p50Seconds: number | null
  p90Seconds: number | null
}

export interface ReportRow {
  name: string
  conversations: number
  closed: number
  firstResponseP50Seconds: number | null
  resolutionP50Seconds: number | null
  satisfactionAverage: number | null
  satisfactionCount: number
}

export interface ReportSummary {
  from: string
  to: string
  tz: string
  days: { date: string; conversations: number; closed: number; offlineMessages: number }[]
  firstResponse: Durations
  resolution: Durations
  satisfaction: { count: number; average: number | null; distribution: Record<string, number> }
  perAgent: (ReportRow & { agentId: string })[]
  perTeam: (ReportRow & { teamId: string })[]
}

export interface AlertSummary {
  id: string
  state: 'open' | 'acknowledged' | 'escalated' | 'resolved'
  signal: string
  severity: string
  cause: string
  recommendation: string
}

/** An alert as `/api/v1/alerts` lists it: lifecycle record and the detector's alert. */
export interface StoredAlert {
  id: string
  state: AlertSummary['state']
  record: Record<string, unknown>
  alert: Record<string, unknown>
}

export type SecureFormKind = 'card' | 'bank_account' | 'custom'

/** The tenant's secure-form destination (`/api/v1/secure-forms/config`); the secret only right after it is made. */
export interface SecureFormConfig {
  configured: boolean
  url: string | null
  kinds: SecureFormKind[]
  customLabel: string | null
  updatedAt: string | null
  secret?: string
}
