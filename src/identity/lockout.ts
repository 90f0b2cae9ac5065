/**
 * Sign-in lockout as pure rules: failures are counted per account name in a sliding window;
 * past the limit the name is locked for a while. Locked names are refused before the password
 * is checked, so a lock is not a password oracle; names of no agent are counted alike, so a
 * lock tells nothing about which e-mails exist.
 */
export interface LockoutRules {
  maxFailures: number
  windowMs: number
  lockMs: number
}

export const DEFAULT_LOCKOUT: LockoutRules = { maxFailures: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000 }

export interface ThrottleState {
  failures: number
  windowStart: number
  lockedUntil: number
}

export const FRESH_THROTTLE: ThrottleState = { failures: 0, windowStart: 0, lockedUntil: 0 }

/** Milliseconds until the lock ends, or 0 when sign-in may be tried. */
export function lockRemaining(state: ThrottleState, now: number): number {
  return Math.max(0, state.lockedUntil - now)
}

/** The state after one more failed sign-in. */
export function afterFailure(
  state: ThrottleState,
  now: number,
  rules: LockoutRules = DEFAULT_LOCKOUT,
): ThrottleState {
  const inWindow = now - state.windowStart < rules.windowMs
  const failures = inWindow ? state.failures + 1 : 1
  const windowStart = inWindow ? state.windowStart : now
  const lockedUntil =
    failures >= rules.maxFailures ? Math.max(state.lockedUntil, now + rules.lockMs) : state.lockedUntil
  // A lock starts a fresh count: the next window begins when it ends.
  return failures >= rules.maxFailures
    ? { failures: 0, windowStart: lockedUntil, lockedUntil }
    : { failures, windowStart, lockedUntil }
}
