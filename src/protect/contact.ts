import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max'
import { labelledAsReference } from './context.js'
import { isDigitCode } from './normalize.js'
import type { Emit } from './types.js'

function isLocalCode(c: number): boolean {
  // A-Z a-z 0-9 . _ % + -
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    isDigitCode(c) ||
    c === 46 ||
    c === 95 ||
    c === 37 ||
    c === 43 ||
    c === 45
  )
}

function isDomainCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigitCode(c) || c === 46 || c === 45
}

function isLetterCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90)
}

/**
 * Email addresses. Built around each "@" rather than with one regex: a regex such as
 * `[\w.]+@…` retried at every position of a long "aaaa…" run is quadratic. Here each "@" looks at
 * most 64 characters left and 253 right, so the cost is linear.
 */
export function detectEmails(text: string, emit: Emit): void {
  const n = text.length
  let lastEnd = 0
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let s = at
    while (s > lastEnd && at - s < 64 && isLocalCode(text.charCodeAt(s - 1))) s--
    while (s < at && text.charCodeAt(s) === 46) s++
    if (s === at) continue
    let e = at + 1
    while (e < n && e - at <= 253 && isDomainCode(text.charCodeAt(e))) e++
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--
    // Look for the last dot inside this domain only: a search past "@" would be quadratic.
    let dot = e - 1
    while (dot > at && text.charCodeAt(dot) !== 46) dot--
    if (dot <= at + 1 || e - dot < 3) continue
    let tldOk = true
    for (let k = dot + 1; k < e; k++) if (!isLetterCode(text.charCodeAt(k))) tldOk = false
    if (!tldOk) continue
    emit('email', s, e)
    lastEnd = e
    at = e - 1
  }
}

function isPhoneJoinCode(c: number): boolean {
  // space - . ( ) and tab
  return c === 32 || c === 45 || c === 46 || c === 40 || c === 41 || c === 9
}

/**
 * Phone numbers: candidate spans of 7-15 digits with phone punctuation (an optional leading "+"
 * or "00"), each validated by libphonenumber's full metadata for the policy's regions. Spans
 * glued to letters, longer digit runs (cards, IBANs) and labelled reference numbers are skipped.
 */
export function detectPhones(
  text: string,
  emit: Emit,
  regions: readonly CountryCode[],
  covered: (start: number, end: number) => boolean = () => false,
): void {
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    const startsHere =
      isDigitCode(c) || ((c === 43 || c === 40) && i + 1 < n && isDigitCode(text.charCodeAt(i + 1)))
    if (!startsHere) {
      i++
      continue
    }
    const prev = i > 0 ? text.charCodeAt(i - 1) : 32
    const start = i
    let digits = 0
    let gap = 0
    let end = i
    let j = i
    if (c === 43 || c === 40) j++
    for (; j < n; j++) {
      const d = text.charCodeAt(j)
      if (isDigitCode(d)) {
        digits++
        gap = 0
        end = j + 1
      } else if (isPhoneJoinCode(d) && gap < 3) gap++
      else break
    }
    i = Math.max(end, start + 1)
    if (digits < 7 || digits > 15) continue
    if (isLetterCode(prev) || isDigitCode(prev) || prev === 47 || prev === 64 || prev === 36) continue
    // "INV-2024-182648", "v4.1.5550134": the digits end an identifier, not a phone number.
    if ((prev === 45 || prev === 46 || prev === 95) && start > 1) {
      const before = text.charCodeAt(start - 2)
      if (isLetterCode(before) || isDigitCode(before)) continue
    }
    const next = end < n ? text.charCodeAt(end) : 32
    if (isLetterCode(next) || next === 47 || next === 64) continue
    // Inside a card, IBAN or other finding already: a phone reading would add nothing.
    if (covered(start, end) || labelledAsReference(text, start)) continue
    // "2026-11-02" is a date; parsing it as a phone number costs more than the rest of the scan.
    if (isIsoDate(text, start, end)) continue
    let candidate = text.slice(start, end)
    if (candidate.startsWith('00')) candidate = '+' + candidate.slice(2)
    if (isValidPhone(candidate, regions)) emit('phone', start, end)
  }
}

/** `text[start, end)` is YYYY-MM-DD with a month of 01-12 and a day of 01-31. */
function isIsoDate(text: string, start: number, end: number): boolean {
  if (end - start !== 10) return false
  for (let k = 0; k < 10; k++) {
    const c = text.charCodeAt(start + k)
    if (k === 4 || k === 7 ? c !== 45 : !isDigitCode(c)) return false
  }
  const month = Number(text.slice(start + 5, start + 7))
  const day = Number(text.slice(start + 8, end))
  return month >= 1 && month <= 12 && day >= 1 && day <= 31
}

function isValidPhone(candidate: string, regions: readonly CountryCode[]): boolean {
  if (candidate.startsWith('+')) return parsePhoneNumberFromString(candidate)?.isValid() === true
  let national = candidate.replace(/\D/g, '')
  for (const region of regions) {
    // North American numbering plan: NXX-NXX-XXXX, checked here first because parsing costs
    // microseconds and most digit runs in chat are not phone numbers.
    if (region === 'US' || region === 'CA') {
      if (national.length === 11 && national[0] === '1') national = national.slice(1)
      if (national.length !== 10 || national[0]! < '2' || national[3]! < '2') continue
    }
    if (parsePhoneNumberFromString(candidate, region)?.isValid() === true) return true
  }
  return false
}

/** True when `code` is an ISO 3166 region libphonenumber knows. */
export function isPhoneRegion(code: string): code is CountryCode {
  return isSupportedCountry(code)
}
