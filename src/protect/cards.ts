import { isCardNumber, luhnValid } from './checksums.js'
import { labelledAsReference } from './context.js'
import { isDigitCode } from './normalize.js'
import type { Emit } from './types.js'

/** A maximal run of ASCII digits inside a number run. */
export interface DigitGroup {
  start: number
  end: number
}

const MAX_SEPARATOR = 3

function isSeparatorCode(c: number): boolean {
  return c === 32 || c === 45 || c === 46 || c === 9
}

/**
 * Splits `text` into number runs: digit groups joined by 1-3 spaces, dashes or dots ("4111 1111",
 * "4111-1111", "4111 - 1111"). Each character is visited once, so the cost is linear.
 */
const NEXT_DIGIT = /\d/g

export function forEachNumberRun(text: string, visit: (groups: DigitGroup[]) => void): void {
  const n = text.length
  let i = 0
  while (i < n) {
    // Jump to the next digit with the regex engine: much faster than a JS loop over prose.
    NEXT_DIGIT.lastIndex = i
    const found = NEXT_DIGIT.exec(text)
    if (!found) return
    i = found.index
    const groups: DigitGroup[] = []
    for (;;) {
      const start = i
      while (i < n && isDigitCode(text.charCodeAt(i))) i++
      groups.push({ start, end: i })
      let j = i
      while (j < n && j - i < MAX_SEPARATOR && isSeparatorCode(text.charCodeAt(j))) j++
      if (j > i && j < n && isDigitCode(text.charCodeAt(j))) i = j
      else break
    }
    visit(groups)
  }
}

// Groupings people use for card numbers: one block, fours with a short tail (4-4-4-4, 4-4-4-4-3),
// Amex 4-6-5, Diners 4-6-4, eights, and even splits of 1-3 digits ("41 11 11 …", "4 1 1 1 …")
// typed to dodge filters. Other splits (7-7 in "112-1234567-1234567") are order numbers, not cards.
function plausibleLayout(groups: DigitGroup[], from: number, to: number): boolean {
  if (from === to) return true
  const size = (k: number) => groups[k]!.end - groups[k]!.start
  const count = to - from + 1
  if (count === 3 && size(from) === 4 && size(from + 1) === 6 && (size(to) === 5 || size(to) === 4))
    return true
  const first = size(from)
  if (first > 4 && first !== 8) return false
  for (let k = from + 1; k < to; k++) if (size(k) !== first) return false
  return size(to) <= first
}

/**
 * Card numbers (PANs) of 12-19 digits: any plausible grouping, a known issuer range for the
 * length, and a valid Luhn digit. A value labelled as an order, tracking or invoice number is
 * left alone. After each card, an expiry ("12/27") and a 3-4 digit code that follow it are
 * reported as card_expiry and card_cvv.
 */
export function detectCards(text: string, emit: Emit): void {
  forEachNumberRun(text, (groups) => {
    if (groups.length === 1 && groups[0]!.end - groups[0]!.start < 12) return
    let i = 0
    while (i < groups.length) {
      let digits = ''
      let best = -1
      let bestEnd = 0
      for (let j = i; j < groups.length; j++) {
        const g = groups[j]!
        if (digits.length + (g.end - g.start) > 19) break
        digits += text.slice(g.start, g.end)
        if (digits.length >= 12 && isCardNumber(digits) && plausibleLayout(groups, i, j)) {
          best = j
          bestEnd = g.end
        }
      }
      // A card starts a number: if the group before it continues the same layout ("4549 - 3651 -
      // 9329 - …"), the run is one longer number and this is only a slice of it.
      const slice = best >= 0 && i > 0 && plausibleLayout(groups, i - 1, best)
      if (
        best >= 0 &&
        !slice &&
        !labelledAsReference(text, groups[i]!.start) &&
        !labelledAsReference(text, groups[0]!.start)
      ) {
        emit('card_number', groups[i]!.start, bestEnd)
        detectTrailingCardData(text, bestEnd, emit)
        i = best + 1
      } else i++
    }
  })
}

const TRAILING_EXPIRY = /[ \t,;/|-]{1,3}((?:0?[1-9]|1[0-2]) ?[/-] ?(?:20)?\d{2})(?![\d/])/y
const TRAILING_CODE = /[ \t,;/|-]{1,3}(\d{3,4})(?![\d/.-])/y

// "4111 1111 1111 1111 12/27 123": the expiry and code typed right after a card, in either order.
function detectTrailingCardData(text: string, from: number, emit: Emit): void {
  let at = from
  let sawExpiry = false
  let sawCode = false
  for (let step = 0; step < 2; step++) {
    if (!sawExpiry) {
      TRAILING_EXPIRY.lastIndex = at
      const m = TRAILING_EXPIRY.exec(text)
      if (m) {
        const start = TRAILING_EXPIRY.lastIndex - m[1]!.length
        emit('card_expiry', start, TRAILING_EXPIRY.lastIndex)
        at = TRAILING_EXPIRY.lastIndex
        sawExpiry = true
        continue
      }
    }
    if (!sawCode) {
      TRAILING_CODE.lastIndex = at
      const m = TRAILING_CODE.exec(text)
      if (m) {
        emit('card_cvv', TRAILING_CODE.lastIndex - m[1]!.length, TRAILING_CODE.lastIndex)
        at = TRAILING_CODE.lastIndex
        sawCode = true
        continue
      }
    }
    break
  }
}

// Magnetic-stripe track 1 ("%B<PAN>^NAME^YYMM…?") and track 2 (";<PAN>=YYMM…?"): sensitive
// authentication data that must never be stored, whatever the policy says about PANs.
const TRACK1 = /%?B(\d{12,19})\^[^^\n]{2,26}\^\d{7}[^?\n\s]{0,79}\??/g
const TRACK2 = /;?(\d{12,19})=\d{7}[\d]{0,30}\??/g

/** Magnetic-stripe track 1 and track 2 data whose PAN passes Luhn. */
export function detectTrackData(text: string, emit: Emit): void {
  for (const re of [TRACK1, TRACK2]) {
    re.lastIndex = 0
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (luhnValid(m[1]!)) emit('track_data', m.index, m.index + m[0].length)
    }
  }
}
