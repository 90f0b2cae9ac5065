/**
 * API token scopes and the routes each opens. Plain data with no imports, so the console can
 * show the same list the server enforces.
 */

/** What a token may be granted: each maps onto a family of REST routes (docs/api-tokens.md). */
export const API_SCOPES = [
  'conversations:read',
  'conversations:write',
  'transcripts:export',
  'directory:read',
  'directory:write',
  'reports:read',
] as const
export type ApiScope = (typeof API_SCOPES)[number]

/** One line per scope, for the console and the docs. */
export const SCOPE_SUMMARIES: Readonly<Record<ApiScope, string>> = {
  'conversations:read': 'List and read conversations, transcripts, attachments, offline messages; search',
  'conversations:write': 'Close, transfer and label conversations',
  'transcripts:export': 'Export whole transcripts',
  'directory:read': 'List agents, teams, sites, canned responses and labels',
  'directory:write': 'Create, change and delete teams, sites, canned responses and labels',
  'reports:read': 'Read the reports summary',
}

export const TOKEN_MAX_DAYS = 365
export const TOKEN_DEFAULT_DAYS = 90

/**
 * The routes a token may call and the scope each needs, as `METHOD /url`. A route missing here
 * is for signed-in agents only (sign-in, sessions, agents' accounts, redaction policy, reveals,
 * webhooks, alerts, secure-form settings, API tokens themselves): a token gets 403 there, so a
 * route added later stays closed to tokens until someone decides otherwise.
 */
export const TOKEN_ROUTE_SCOPES: Readonly<Record<string, ApiScope>> = {
  'GET /api/v1/conversations': 'conversations:read',
  'GET /api/v1/conversations/:id': 'conversations:read',
  'GET /api/v1/conversations/:id/messages': 'conversations:read',
  'GET /api/v1/conversations/:id/attachments/:attachmentId': 'conversations:read',
  'GET /api/v1/offline-messages': 'conversations:read',
  'GET /api/v1/search': 'conversations:read',
  'POST /api/v1/conversations/:id/close': 'conversations:write',
  'POST /api/v1/conversations/:id/transfer': 'conversations:write',
  'PUT /api/v1/conversations/:id/labels': 'conversations:write',
  'GET /api/v1/conversations/:id/export': 'transcripts:export',
  'GET /api/v1/agents': 'directory:read',
  'GET /api/v1/teams': 'directory:read',
  'GET /api/v1/sites': 'directory:read',
  'GET /api/v1/canned-responses': 'directory:read',
  'GET /api/v1/labels': 'directory:read',
  'POST /api/v1/teams': 'directory:write',
  'PATCH /api/v1/teams/:id': 'directory:write',
  'DELETE /api/v1/teams/:id': 'directory:write',
  'POST /api/v1/sites': 'directory:write',
  'PATCH /api/v1/sites/:id': 'directory:write',
  'DELETE /api/v1/sites/:id': 'directory:write',
  'POST /api/v1/canned-responses': 'directory:write',
  'PATCH /api/v1/canned-responses/:id': 'directory:write',
  'DELETE /api/v1/canned-responses/:id': 'directory:write',
  'POST /api/v1/labels': 'directory:write',
  'DELETE /api/v1/labels/:id': 'directory:write',
  'GET /api/v1/reports/summary': 'reports:read',
}
