import { ParleyError } from '../errors/index.js'
import { detectCards, detectTrackData } from './cards.js'
import { IBAN_LENGTHS, ibanValid } from './checksums.js'
import { detectEmails, detectPhones } from './contact.js'
import { detectInContext, detectSsnLayout } from './context.js'
import { type Normalized, normalize, toInputRange } from './normalize.js'
import { type CompiledPolicy, modeFor } from './policy.js'
import { detectSecrets } from './secrets.js'
import type { Emit, Finding, FindingSummary, FindingType } from './types.js'

/**
 * Swaps a value for a token. Called synchronously while a message is redacted, so scanning stays
 * a pure step before storage; a vault-backed tokenizer encrypts with a key it already holds and
 * returns the token (for example the ciphertext's id). The returned text replaces the value as is.
 */
export interface Tokenizer {
  tokenize(input: { type: FindingType; value: string }): string
}

/** The redacted text, the findings (offsets into the input) and a per-category count. */
export interface ScanResult {
  text: string
  findings: Finding[]
  summary: FindingSummary
}

/** Options for a scan. */
export interface ScanOptions {
  tokenizer?: Tokenizer
}

/** A finding with its range in the folded text too, kept inside the engine. */
export interface Located extends Finding {
  nStart: number
  nEnd: number
  /** For one part of a card split across messages: digits it may keep, and the PAN to tokenize. */
  part?: { keepDigits: number; tokenValue: string | null }
}

/** The result of detection: the folded text and the merged findings, sorted by position. */
export interface Detection {
  norm: Normalized
  located: Located[]
}

// On overlap the spans are merged and the merged span takes the type that ranks first here:
// whatever was detected stays covered, and the stricter category wins.
const RANK: readonly FindingType[] = [
  'secret',
  'track_data',
  'iban',
  'card_number',
  'card_cvv',
  'card_expiry',
  'ssn',
  'routing_number',
  'bank_account',
  'pin',
  'otp',
  'password',
  'date_of_birth',
  'email',
  'phone',
]
const rankOf = (t: FindingType) => {
  const r = RANK.indexOf(t)
  return r === -1 ? RANK.length : r
}

const IBAN_START = /(?<![A-Za-z0-9])([A-Za-z]{2})\d{2}(?:[ -]?[A-Za-z0-9]){10,30}/g

function detectIbans(text: string, emit: Emit): void {
  IBAN_START.lastIndex = 0
  for (let m = IBAN_START.exec(text); m; m = IBAN_START.exec(text)) {
    const expected = IBAN_LENGTHS[m[1]!.toUpperCase()]
    if (expected === undefined) {
      IBAN_START.lastIndex = m.index + 1
      continue
    }
    // The regex takes up to 34 characters; keep exactly the country's length.
    let compact = ''
    let end = m.index
    for (let k = m.index; k < m.index + m[0].length && compact.length < expected; k++) {
      const ch = text[k]!
      if (ch !== ' ' && ch !== '-') compact += ch
      end = k + 1
    }
    const glued = end < text.length && /[A-Za-z0-9]/.test(text[end]!)
    if (compact.length === expected && !glued && ibanValid(compact)) {
      emit('iban', m.index, end)
      IBAN_START.lastIndex = end
    } else IBAN_START.lastIndex = m.index + 1
  }
}

/** Runs every detector on the folded text and merges overlapping findings. */
export function detect(input: string, policy: CompiledPolicy): Detection {
  const norm = normalize(input)
  const text = norm.text
  const raw: { type: FindingType; start: number; end: number }[] = []
  const emit: Emit = (type, start, end) => {
    if (end > start) raw.push({ type, start, end })
  }
  // Cheap gates: most messages have no digits and no "@", and most detectors need one or the other.
  const hasDigit = /\d/.test(text)
  detectSecrets(text, emit)
  if (hasDigit) {
    detectTrackData(text, emit)
    detectCards(text, emit)
    detectIbans(text, emit)
    detectSsnLayout(text, emit)
    detectPhones(text, emit, policy.phoneRegions, (start, end) =>
      raw.some((f) => f.start < end && start < f.end),
    )
  }
  detectInContext(text, emit)
  if (text.includes('@')) detectEmails(text, emit)
  for (const p of policy.customPatterns) {
    const re = p.regex
    re.lastIndex = 0
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length === 0) re.lastIndex++
      else emit(`custom:${p.name}`, m.index, m.index + m[0].length)
    }
  }
  return { norm, located: raw.length === 0 ? [] : merge(norm, raw) }
}

function merge(norm: Normalized, raw: { type: FindingType; start: number; end: number }[]): Located[] {
  raw.sort((a, b) => a.start - b.start || b.end - a.end)
  const out: Located[] = []
  let cur: { type: FindingType; start: number; end: number } | null = null
  const flush = () => {
    if (!cur) return
    const [start, end] = toInputRange(norm, cur.start, cur.end)
    out.push({ type: cur.type, start, end, nStart: cur.start, nEnd: cur.end })
  }
  for (const f of raw) {
    if (cur && f.start < cur.end) {
      cur.end = Math.max(cur.end, f.end)
      if (rankOf(f.type) < rankOf(cur.type)) cur.type = f.type
    } else {
      flush()
      cur = { ...f }
    }
  }
  flush()
  return out
}

// Values with no fixed layout are masked to a fixed width so the mask does not leak their length.
const FREE_FORM = new Set<FindingType>(['password', 'secret', 'email', 'track_data'])
const isAlnumCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)

function mask(value: string, keepLast: number): string {
  let keep = keepLast
  const out: string[] = new Array(value.length)
  for (let k = value.length - 1; k >= 0; k--) {
    const c = value.charCodeAt(k)
    if (isAlnumCode(c) || c > 127) {
      out[k] = keep > 0 ? value[k]! : '*'
      keep--
    } else out[k] = value[k]!
  }
  return out.join('')
}

/** The replacement text for one finding under the policy. */
function replacement(
  f: Located,
  norm: Normalized,
  policy: CompiledPolicy,
  tokenizer?: Tokenizer,
): string | null {
  const spec = modeFor(policy, f.type)
  const value = norm.text.slice(f.nStart, f.nEnd)
  switch (spec.mode) {
    case 'keep':
      return null
    case 'remove':
      return `[redacted:${f.type}]`
    case 'mask':
      if (FREE_FORM.has(f.type) || f.type.startsWith('custom:')) return '********'
      return mask(value, f.part ? Math.min(spec.keepLast, f.part.keepDigits) : spec.keepLast)
    case 'tokenize': {
      if (!tokenizer) {
        throw new ParleyError(
          'PARLEY_ERR_PROTECT_TOKENIZER_MISSING',
          'the policy tokenizes but no tokenizer was given',
        )
      }
      if (f.part && f.part.tokenValue === null) return `[redacted:${f.type}]`
      return tokenizer.tokenize({ type: f.type, value: f.part?.tokenValue ?? value })
    }
  }
}

/** Applies the policy to detected findings and returns the redacted input. */
export function redact(
  input: string,
  detection: Detection,
  policy: CompiledPolicy,
  options: ScanOptions = {},
): ScanResult {
  if (detection.located.length === 0) return { text: input, findings: [], summary: {} }
  const findings: Finding[] = []
  const summary: FindingSummary = {}
  const pieces: string[] = []
  let at = 0
  for (const f of detection.located) {
    findings.push({ type: f.type, start: f.start, end: f.end })
    summary[f.type] = (summary[f.type] ?? 0) + 1
    const rep = replacement(f, detection.norm, policy, options.tokenizer)
    if (rep === null) continue
    pieces.push(input.slice(at, f.start), rep)
    at = f.end
  }
  pieces.push(input.slice(at))
  return { text: pieces.join(''), findings, summary }
}

/** Detects and redacts sensitive values in one message. */
export function scanText(input: string, policy: CompiledPolicy, options: ScanOptions = {}): ScanResult {
  if (policy.tokenizes && !options.tokenizer) {
    throw new ParleyError(
      'PARLEY_ERR_PROTECT_TOKENIZER_MISSING',
      'the policy tokenizes but no tokenizer was given',
    )
  }
  return redact(input, detect(input, policy), policy, options)
}
