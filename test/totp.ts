import { Secret, TOTP } from 'otpauth'

const PERIOD_MS = 30_000

/**
 * An authenticator app for tests: codes per RFC 6238 (SHA-1, 6 digits, 30 s), each for a time
 * step later than the last one it gave, as a person typing codes one after another would.
 * The server accepts the current step ±1 once each, so a test gets at least two fresh codes
 * in any window and never needs to wait.
 */
export class Authenticator {
  #last = 0

  constructor(readonly secret: string) {}

  /** A code for a step not used before: the current one, else the next. */
  code(): string {
    const now = Math.floor(Date.now() / PERIOD_MS)
    const step = Math.max(this.#last + 1, now)
    if (step > now + 1) throw new Error('this authenticator has no fresh code left in the current window')
    this.#last = step
    return this.at(step)
  }

  /** The code of one time step. */
  at(step: number): string {
    return TOTP.generate({
      secret: Secret.fromBase32(this.secret),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      timestamp: step * PERIOD_MS,
    })
  }

  /** The current time step. */
  static step(): number {
    return Math.floor(Date.now() / PERIOD_MS)
  }
}
