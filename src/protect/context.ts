import { abaValid, ssnValid } from './checksums.js'
import type { BuiltinType, Emit } from './types.js'

/**
 * Detectors that need a context word: a CVV, a PIN or a one-time code is just a short number
 * unless the sender says what it is. Each rule is a keyword regex and a sticky value regex tried
 * right after the keyword. Every quantifier is bounded, and the value regex runs once per keyword
 * hit, so a rule costs O(text length × a small constant).
 */
interface ContextRule {
  type: BuiltinType
  /** Lower-case substrings one of which every keyword contains: a cheap gate before the regex. */
  anchors: readonly string[]
  keyword: RegExp
  /** Sticky, with the `d` flag; the first capture group that matched is the value. */
  value: RegExp
  accept?: (value: string, text: string, keywordStart: number, keyword: string) => boolean
}

// Filler between a keyword and its value: "PIN number is: 1234", "password = 'x'".
const S = `[\\s:=#(\\[-]{0,4}`
const W = '(?![a-z0-9])'
const FILL = `${S}(?:(?:number|no\\.?|num|nr|code)${W}${S}|#${S})?(?:(?:is|was|would be|will be|should be|are|of)${W}${S})?`

const rx = (source: string) => new RegExp(source, 'gi')
const value = (source: string) => new RegExp(FILL + source, 'iyd')

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?'
const DATE =
  `(\\d{1,2}[/.-]\\d{1,2}[/.-](?:\\d{4}|\\d{2})(?![\\d/])` +
  `|\\d{4}[/.-]\\d{1,2}[/.-]\\d{1,2}(?![\\d/])` +
  `|\\d{1,2}(?:st|nd|rd|th)?(?: of)? ${MONTH},? \\d{4}(?!\\d)` +
  `|${MONTH} \\d{1,2}(?:st|nd|rd|th)?,? \\d{4}(?!\\d))`

// A reference-number label right before a number: "order #", "tracking no.", "invoice: ".
const REFERENCE_LABEL =
  /\b(?:order|orders|tracking|track|ups|fedex|usps|dhl|shipment|parcel|invoice|receipt|ref|reference|confirmation|booking|reservation|ticket|serial|imei|iccid|transaction|txn|awb|waybill|sku|isbn)(?:\s?(?:no\.?|number|num|nr|id|#|code))?\s?(?:is\s)?[\s:#=.-]{0,3}$/i

/** True when the number at `start` is labelled as an order, tracking or other reference number. */
export function labelledAsReference(text: string, start: number): boolean {
  return REFERENCE_LABEL.test(text.slice(Math.max(0, start - 40), start))
}

// Words that follow "password" in talk about a password rather than in a disclosed one.
const NOT_A_PASSWORD = new Set(
  (
    'the a an not no is was for to and or of on in at my your his her our their it this that these those with ' +
    'without please reset change changed changes forgot forgotten incorrect wrong invalid expired locked same ' +
    'correct right required needed strong weak long short too very still also again now manager field box policy ' +
    'requirements rules hint recovery protected sent set updated new old case sensitive doesnt does dont isnt ' +
    'wasnt wont cant cannot should must will would could has have had be been being here there below above via ' +
    'by from so but if then when what which who how why where something anything nothing everything fine ok okay ' +
    'good bad work works twice different attempt attempts error yes really just only already because since until ' +
    'after before link email page screen form prompt expires expire every you we they i me us them protected'
  ).split(' '),
)

function plausiblePassword(v: string): boolean {
  if (!/[\p{L}\p{N}]/u.test(v)) return false
  const word = v
    .replace(/[.,;:!?)\]'"]+$/, '')
    .toLowerCase()
    .replace(/'/g, '')
  if (NOT_A_PASSWORD.has(word)) return false
  // A plain lower-case word ending like a verb or adverb ("expired", "working", "quickly") is
  // talk about the password; a disclosed one usually has a digit, a symbol or mixed case.
  if (/^[a-z]+$/.test(word) && (/(?:ed|ing|ly)$/.test(word) || word.length <= 2)) return false
  return true
}

// "code" alone is a one-time code only when nothing says it is a zip, promo or error code.
const NOT_OTP_CODE =
  /\b(?:zip|postal|post|area|promo|promotional|discount|coupon|voucher|gift|error|status|country|source|tracking|product|reference|referral|bar|qr|swift|sort|bank|branch|dial|dialing|tax|item|style|dress|color|colour|access|exit|room|door|gate|booking|confirmation|order|reservation|ticket|postcode|sic|naics|hs|icd|cpt|diagnosis|billing|procedure)\s?$/i

const RULES: readonly ContextRule[] = [
  {
    type: 'card_cvv',
    anchors: ['cvv', 'cvc', 'cvn', 'csc', 'cid', 'verification', 'security', 'digit'],
    keyword: rx(
      '\\b(?:cvv2?|cvc2?|cvn|csc|cid|card (?:verification|security) (?:code|value|number)|security code|(?:3|4|three|four)[- ]digits?(?: (?:code|number))?(?: on the back)?|digits on the back)\\b',
    ),
    value: value('(\\d{3,4})(?![\\d/])'),
  },
  {
    type: 'card_expiry',
    anchors: ['exp', 'valid', 'good'],
    keyword: rx(
      '(?<![a-z])(?:exp(?:iry|iration|ires|iring)?\\.?(?: date)?|valid (?:thru|through|until|till|to)|good (?:thru|through))(?![a-z])',
    ),
    value: value(
      `((?:0?[1-9]|1[0-2]) ?[/.-] ?(?:20)?\\d{2}(?![\\d/])|(?:0[1-9]|1[0-2])(?:20)?\\d{2}(?!\\d)|${MONTH},? (?:20)?\\d{2}(?!\\d))`,
    ),
  },
  {
    type: 'pin',
    anchors: ['pin', 'geheimzahl'],
    keyword: rx('\\b(?:pin|pin-code|pincode|atm pin|card pin|geheimzahl|code pin)\\b'),
    value: value('(\\d{4,8})(?![\\d/.:-]?\\d)'),
  },
  {
    type: 'otp',
    anchors: ['otp', 'code', '2fa', 'mfa', 'one time', 'one-time'],
    keyword: rx(
      '\\b(?:otp|one[- ]time (?:password|passcode|code|pin)|(?:verification|verify|confirmation|auth|authentication|authorization|security|sms|text|login|sign[- ]in|2fa|mfa|two[- ]factor) code|2fa|mfa|passcode|code)\\b',
    ),
    value: value('(\\d{4,8}|\\d{3}[ -]\\d{3})(?![\\d/.:-]?\\d)'),
    accept: (_v, text, at, keyword) => {
      const kw = keyword.toLowerCase()
      if (kw !== 'code') return true
      return !NOT_OTP_CODE.test(text.slice(Math.max(0, at - 24), at))
    },
  },
  {
    type: 'password',
    anchors: ['pass', 'pw', 'contrase', 'mot de', 'kennwort', 'senha'],
    keyword: rx(
      '\\b(?:password|passwd|pass ?word|passphrase|pwd|contrase\u00f1a|contrasena|mot de passe|passwort|kennwort|senha)\\b|\\b(?:pw|pass)(?=\\s?[:=])',
    ),
    value: value(`(?:"([^"\\n]{1,128})"|'([^'\\n]{1,128})'|\u201c([^\u201d\\n]{1,128})\u201d|(\\S{1,128}))`),
    accept: (v) => plausiblePassword(v),
  },
  {
    type: 'date_of_birth',
    anchors: ['dob', 'd.o.b', 'birth', 'born', 'geburt', 'nacimiento', 'naissance'],
    keyword: rx(
      '\\b(?:d\\.?o\\.?b\\.?|date of birth|birth ?date|birthday|born(?: on)?|geburtsdatum|fecha de nacimiento|date de naissance)(?![a-z])',
    ),
    value: value(DATE),
  },
  {
    type: 'routing_number',
    anchors: ['routing', 'aba', 'rtn', 'transit'],
    keyword: rx('\\b(?:routing|aba|rtn|routing transit|transit)\\b'),
    value: value('(\\d{9})(?!\\d)'),
    accept: (v) => abaValid(v),
  },
  {
    type: 'bank_account',
    anchors: ['acc', 'a/c', 'checking', 'savings', 'konto', 'compte', 'cuenta'],
    keyword: rx(
      '\\b(?:account|acct|a/c|acc|checking|savings|kontonummer|konto|compte|cuenta)(?![a-z])(?:\\s?(?:number|no\\.?|num|nr|#))?',
    ),
    value: value('((?:\\d[ -]?){5,16}\\d)(?![\\d/.:]?\\d)'),
  },
  {
    type: 'ssn',
    anchors: ['ssn', 'ss#', 'ss no', 'social', 'tax id', 'tin'],
    keyword: rx(
      '\\b(?:ssn|ss#|ss no|social security(?: number| no\\.?| #)?|social|tax id|tin|itin)(?![a-z])',
    ),
    value: value('(\\d{3}[- ]?\\d{2}[- ]?\\d{4})(?![\\d-])'),
    accept: (v) => ssnValid(v.replace(/[- ]/g, '')),
  },
]

/** Runs every context rule over `text`. */
// One pass over the text finds which rules can match at all; most messages wake none or one.
const ANCHOR = new RegExp(
  [...new Set(RULES.flatMap((r) => r.anchors))].map((a) => a.replace(/[.#/]/g, '\\$&')).join('|'),
  'gi',
)
const RULES_BY_ANCHOR = new Map<string, number[]>()
RULES.forEach((r, k) => {
  for (const a of r.anchors) RULES_BY_ANCHOR.set(a, [...(RULES_BY_ANCHOR.get(a) ?? []), k])
})

export function detectInContext(text: string, emit: Emit): void {
  let wanted = 0
  ANCHOR.lastIndex = 0
  for (let a = ANCHOR.exec(text); a; a = ANCHOR.exec(text)) {
    for (const k of RULES_BY_ANCHOR.get(a[0].toLowerCase()) ?? []) wanted |= 1 << k
  }
  if (wanted === 0) return
  for (let k = 0; k < RULES.length; k++) {
    if ((wanted & (1 << k)) === 0) continue
    const rule = RULES[k]!
    const { keyword, value: val } = rule
    keyword.lastIndex = 0
    for (let k = keyword.exec(text); k; k = keyword.exec(text)) {
      val.lastIndex = keyword.lastIndex
      const m = val.exec(text)
      if (!m?.indices) continue
      let group = 1
      while (group < m.length && m[group] === undefined) group++
      const v = m[group]
      const range = m.indices[group]
      if (v === undefined || !range) continue
      if (rule.accept && !rule.accept(v, text, k.index, k[0])) continue
      emit(rule.type, range[0], range[1])
      // Continue after the value so the value itself is not read as a new keyword.
      keyword.lastIndex = Math.max(keyword.lastIndex, range[1])
    }
  }
}

// "123-45-6789" or "123 45 6789" with the same separator twice: the SSN layout, valid without a
// context word. Nine bare digits need one ("SSN 123456789"), handled by the rule above.
const SSN_LAYOUT = /(?<![\d-])(?<!\d[- ])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-]|[- ]\d)/g

/** SSNs written in the 3-2-4 layout, excluding never-issued ranges and labelled references. */
export function detectSsnLayout(text: string, emit: Emit): void {
  SSN_LAYOUT.lastIndex = 0
  for (let m = SSN_LAYOUT.exec(text); m; m = SSN_LAYOUT.exec(text)) {
    if (!ssnValid(m[1]! + m[3]! + m[4]!)) continue
    if (labelledAsReference(text, m.index)) continue
    emit('ssn', m.index, m.index + m[0].length)
  }
}
