import { ERROR_CODES, type ParleyErrorCode } from './codes.js'

/** Extra, client-safe fields an error adds to its JSON body (e.g. `limit`). */
export type ErrorDetails = Record<string, string | number | boolean | readonly unknown[] | undefined>

/**
 * The one error type that crosses capability boundaries. It carries a stable code,
 * the HTTP status that code maps to, and details safe to show a client. `cause` keeps
 * the wrapped error for logs; it is never serialised to a client.
 */
export class ParleyError extends Error {
  readonly code: ParleyErrorCode
  readonly statusCode: number
  readonly details: ErrorDetails

  constructor(
    code: ParleyErrorCode,
    message: string,
    details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ParleyError'
    this.code = code
    this.statusCode = ERROR_CODES[code][0]
    this.details = details
  }

  /** The body a client sees: `{"error":{"code","message",…details}}`, never a stack. */
  toJSON(): { error: { code: ParleyErrorCode; message: string } & ErrorDetails } {
    return { error: { code: this.code, message: this.message, ...this.details } }
  }
}

export function isParleyError(err: unknown): err is ParleyError {
  return err instanceof ParleyError
}
