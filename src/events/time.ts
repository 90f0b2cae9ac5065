/** Latest whole second formatted, as `YYYY-MM-DDTHH:MM:SS.` (see isoTime). */
let isoSecond = Number.NaN
let isoPrefix = ''
/** The latest time formatted in full: a busy node stamps many events in one millisecond. */
let lastMs = Number.NaN
let lastIso = ''
/** Past this (year 10000) toISOString switches to six-digit years: formatted in full. */
const ISO_FOUR_DIGIT_YEARS_END = 253_402_300_800_000

/**
 * `new Date(ms).toISOString()`, formatting the date and time of day once per second: every
 * event, and each message's ack and view, carry a time, and at thousands of messages a second
 * the full formatting was a visible part of the message path.
 */
export function isoTime(ms: number): string {
  if (ms === lastMs) return lastIso
  if (!Number.isInteger(ms) || ms < 0 || ms >= ISO_FOUR_DIGIT_YEARS_END) return new Date(ms).toISOString()
  const milli = ms % 1000
  const second = ms - milli
  if (second !== isoSecond) {
    isoPrefix = new Date(second).toISOString().slice(0, 20)
    isoSecond = second
  }
  lastIso = `${isoPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`
  lastMs = ms
  return lastIso
}
