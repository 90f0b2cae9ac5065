/**
 * The console's REST client. Writes carry `X-Parley-CSRF: 1` (the server refuses a write
 * without it); errors come back as `{"error":{"code","message"}}` and are thrown as ApiError
 * so screens can show the server's message.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** Called when a request answers PARLEY_ERR_AUTH_REQUIRED: the session ended, so the app shows sign-in again. */
let onSignedOut: () => void = () => {}
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn
}

/**
 * Asks the agent for a current code when the server answers PARLEY_ERR_STEP_UP_REQUIRED (the
 * console's step-up prompt registers it); resolves true once the session stepped up.
 */
let stepUp: (() => Promise<boolean>) | null = null
export function whenStepUpRequired(fn: (() => Promise<boolean>) | null): void {
  stepUp = fn
}

/** Prompts for a step-up now (the live socket closed with 4005); false when there is no prompt or it was cancelled. */
export function requestStepUp(): Promise<boolean> {
  return stepUp ? stepUp() : Promise.resolve(false)
}

export const STEP_UP_REQUIRED = 'PARLEY_ERR_STEP_UP_REQUIRED'

export async function api<T>(method: Method, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (method !== 'GET') headers['x-parley-csrf'] = '1'
  if (body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'PARLEY_ERR_NETWORK', 'the server cannot be reached; check the connection')
  }
  const text = await res.text()
  let parsed: unknown = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = null
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string } } | null)?.error
    // Step-up: still signed in; after a verified code the same call is made once more.
    if (err?.code === STEP_UP_REQUIRED) {
      if (!retried && (await requestStepUp())) return api<T>(method, path, body, true)
    } else if (err?.code === 'PARLEY_ERR_AUTH_REQUIRED' && !path.startsWith('/api/v1/auth/')) {
      // Only a missing session signs the console out: a wrong code or password re-typed while
      // signed in is a 401 too.
      onSignedOut()
    }
    const { code, message, ...details } = err ?? {}
    throw new ApiError(
      res.status,
      code ?? 'PARLEY_ERR_HTTP',
      message ?? `the server answered ${res.status}`,
      details as Record<string, unknown>,
    )
  }
  return parsed as T
}

/** Builds a query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

/** The message to show for anything thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    const issues = err.details.issues
    return Array.isArray(issues) && issues.length > 0 ? `${err.message}: ${issues.join('; ')}` : err.message
  }
  return err instanceof Error ? err.message : String(err)
}
