/**
 * Every error code Parley can return, with its HTTP status and a one-line meaning.
 * The table is the single source: `docs/errors.md` is checked against it by a test.
 * Codes follow PARLEY_ERR_<AREA>_<WHAT>.
 */
export const ERROR_CODES = {
  PARLEY_ERR_BAD_REQUEST: [400, 'The request did not match its schema; `issues` lists each problem.'],
  PARLEY_ERR_NOT_FOUND: [404, 'The resource does not exist in your tenant.'],
  PARLEY_ERR_ROUTE_NOT_FOUND: [404, 'No route matches this method and path.'],
  PARLEY_ERR_INTERNAL: [500, 'An unexpected failure; the server log has details under the request id.'],
  PARLEY_ERR_UNAVAILABLE: [503, 'A dependency (database or bus) is unreachable; retry later.'],
  PARLEY_ERR_RATE_LIMITED: [429, 'Too many requests or frames; slow down and retry after `retryAfterMs`.'],
  PARLEY_ERR_PAYLOAD_TOO_LARGE: [413, 'The request body exceeds the size limit.'],

  PARLEY_ERR_AUTH_REQUIRED: [401, 'Sign in first, or send a valid session, token or widget key.'],
  PARLEY_ERR_AUTH_FAILED: [401, 'The credentials were not accepted.'],
  PARLEY_ERR_AUTH_LOCKED: [
    429,
    'Too many failed sign-ins for this account; retry after `retryAfterMs` or ask an admin to unlock it.',
  ],
  PARLEY_ERR_AUTH_FORBIDDEN: [403, 'Your role does not allow this action.'],
  PARLEY_ERR_AUTH_ORIGIN_DENIED: [403, "The page's Origin is not on the site's allowed origins."],
  PARLEY_ERR_AUTH_SETUP_INVALID: [400, 'The setup link is unknown, used or expired; ask for a new one.'],
  PARLEY_ERR_AUTH_PASSWORD_WEAK: [400, 'The password is too short (12 characters at least).'],
  PARLEY_ERR_AUTH_CSRF: [403, 'The request lacks the CSRF header a browser session must send.'],

  // multi-factor sign-in and step-up (docs/mfa.md)
  PARLEY_ERR_STEP_UP_REQUIRED: [
    401,
    'This session must verify a current authenticator or recovery code (POST /api/v1/auth/step-up), then retry.',
  ],
  PARLEY_ERR_MFA_CHALLENGE_INVALID: [
    401,
    'The MFA sign-in step is unknown, expired (5 minutes), used, or ended by wrong codes; sign in again.',
  ],
  PARLEY_ERR_MFA_CODE_INVALID: [
    401,
    'The code was not accepted: wrong, outside its 30-second window, or already used.',
  ],
  PARLEY_ERR_MFA_NOT_ENROLLED: [409, 'No confirmed second factor for this agent; enrol one first.'],
  PARLEY_ERR_MFA_ALREADY_ENROLLED: [
    409,
    'A second factor is already confirmed; turn it off (with a current code) before enrolling again.',
  ],
  PARLEY_ERR_MFA_REQUIRED: [
    403,
    'The tenant requires MFA: it cannot be turned off, and an admin enrols before requiring it.',
  ],

  // API tokens (docs/api-tokens.md)
  PARLEY_ERR_TOKEN_INVALID: [401, 'The API token is malformed, unknown or wrong; check it was copied whole.'],
  PARLEY_ERR_TOKEN_EXPIRED: [401, 'The API token has expired; ask an admin for a new one.'],
  PARLEY_ERR_TOKEN_REVOKED: [401, 'The API token was revoked; ask an admin for a new one.'],
  PARLEY_ERR_TOKEN_SUSPENDED: [
    401,
    'The API token is suspended (by an admin or an anomaly response); an admin reviews and lifts it.',
  ],
  PARLEY_ERR_TOKEN_SCOPE: [403, 'The API token lacks the scope this route needs (`scope`).'],
  PARLEY_ERR_TOKEN_ROUTE_DENIED: [403, 'This route is for signed-in agents only; API tokens cannot use it.'],

  PARLEY_ERR_MESSAGE_TOO_LONG: [413, 'The message text exceeds the limit (`limit` characters).'],
  PARLEY_ERR_MESSAGE_EMPTY: [400, 'The message text is empty after trimming.'],
  PARLEY_ERR_CONVERSATION_CLOSED: [409, 'The conversation is closed; reopen it before sending.'],
  PARLEY_ERR_CONVERSATION_STATE: [409, 'The conversation is not in a state that allows this action.'],
  PARLEY_ERR_CONFLICT: [409, 'The resource already exists or was changed concurrently.'],
  PARLEY_ERR_AGENT_UNAVAILABLE: [409, 'The target agent is not online or has no free capacity.'],
  PARLEY_ERR_ATTACHMENT_TYPE: [415, 'The file content is not one of the allowed attachment types.'],
  PARLEY_ERR_ATTACHMENT_TOO_LARGE: [413, 'The attachment exceeds the size limit (`limit` bytes).'],

  PARLEY_ERR_WS_BAD_FRAME: [400, 'A WebSocket frame was not valid JSON or did not match a known frame type.'],
  PARLEY_ERR_WS_UNKNOWN_TYPE: [400, 'The frame `type` is not part of the protocol.'],
  PARLEY_ERR_WS_NOT_AUTHENTICATED: [401, 'Send an `auth` frame before any other frame.'],
  PARLEY_ERR_WS_FRAME_TOO_LARGE: [413, 'The frame exceeds the maximum frame size.'],
  PARLEY_ERR_WS_FLOOD: [429, 'Too many frames from this socket; the socket is slowed or closed.'],

  PARLEY_ERR_WEBHOOK_URL_REFUSED: [
    400,
    'The webhook URL is not https, carries credentials, or targets a private address.',
  ],
  PARLEY_ERR_CONFIG_INVALID: [500, 'The server configuration (environment) is invalid.'],

  // secure forms
  PARLEY_ERR_SECURE_FORM_URL_REFUSED: [
    400,
    'The secure-form destination is not https, carries credentials, or targets a private address.',
  ],
  PARLEY_ERR_SECURE_FORM_NOT_CONFIGURED: [
    409,
    'The tenant has no secure-form destination; an admin sets one first.',
  ],
  PARLEY_ERR_SECURE_FORM_KIND_DISABLED: [400, 'The tenant has not enabled this kind of secure form.'],
  PARLEY_ERR_SECURE_FORM_FIELDS_INVALID: [
    400,
    'A submitted field is missing or invalid; `issues` names each field (never its value).',
  ],
  PARLEY_ERR_SECURE_FORM_EXPIRED: [410, 'The secure form has expired; ask the agent for a new one.'],
  PARLEY_ERR_SECURE_FORM_CLOSED: [
    409,
    'The secure form was already used, cancelled, or locked after failed attempts.',
  ],
  PARLEY_ERR_SECURE_FORM_DESTINATION_FAILED: [
    502,
    "The tenant's endpoint did not accept the form; nothing was kept, submit it again.",
  ],

  PARLEY_ERR_WATCH_TRANSITION: [409, 'The alert is not in a state that allows this lifecycle step.'],
  PARLEY_ERR_WATCH_ACK_INVALID: [400, 'Acknowledging as expected needs a note and an expiry within 30 days.'],
  PARLEY_ERR_WATCH_REPLAY_UNREADABLE: [400, 'The replay events file cannot be opened or read.'],

  // search and reports
  PARLEY_ERR_SEARCH_QUERY_INVALID: [
    400,
    'The search query has no word of two or more letters or digits, or more than `maxWords` words.',
  ],
  PARLEY_ERR_REPORT_RANGE_INVALID: [
    400,
    'The report range is not two real dates with `from` ≤ `to`, or spans more than `maxDays` days.',
  ],
  PARLEY_ERR_REPORT_TIMEZONE_INVALID: [400, 'The time zone is not an IANA zone name such as Europe/Berlin.'],

  // protect
  PARLEY_ERR_PROTECT_POLICY_INVALID: [400, 'The redaction policy is invalid; `issues` lists each problem.'],
  PARLEY_ERR_PROTECT_MODE_FORBIDDEN: [400, 'The mode is not allowed for this category (tokenize a CVV).'],
  PARLEY_ERR_PROTECT_PATTERN_UNSAFE: [400, 'A custom pattern is invalid or not linear-time safe.'],
  PARLEY_ERR_PROTECT_PATTERN_TEST_FAILED: [400, 'A custom pattern does not match its `test` string.'],
  PARLEY_ERR_PROTECT_TOKENIZER_MISSING: [500, 'The policy tokenizes but no tokenizer was given.'],
  PARLEY_ERR_PROTECT_TOKENIZE_UNAVAILABLE: [
    400,
    'Tokenization needs a vault, and this process runs without one.',
  ],
  PARLEY_ERR_REVEAL_SELF_APPROVAL: [403, 'A reveal must be approved by an admin other than the requester.'],
  PARLEY_ERR_REVEAL_NOT_APPROVED: [403, 'The reveal request is pending or was denied.'],
  PARLEY_ERR_REVEAL_EXPIRED: [410, 'The reveal window has closed; request again.'],
  PARLEY_ERR_PROTECT_INPUT_INVALID: [400, 'A redact input line is not JSON `{id, text}`.'],
} as const satisfies Record<string, readonly [number, string]>

/** A stable, documented error code: callers may `switch` on it. */
export type ParleyErrorCode = keyof typeof ERROR_CODES
