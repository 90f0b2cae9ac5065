/**
 * Validators that turn "looks like a number" into "is one": Luhn and issuer ranges for cards,
 * ISO 13616 mod-97 and the registry lengths for IBANs, the ABA routing checksum, and the SSA's
 * never-issued SSN ranges. All take ASCII digit (or alphanumeric) strings without separators.
 */

/** Luhn (mod 10) check over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (d < 0 || d > 9) return false
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return digits.length > 0 && sum % 10 === 0
}

/** Issuer ranges: [first prefix, last prefix (same digit count), brand, allowed lengths]. */
type IinRange = readonly [number, number, string, readonly number[]]
const L16_19 = [16, 17, 18, 19]
const IIN_RANGES: readonly IinRange[] = [
  [4, 4, 'visa', [13, 16, 19]],
  [51, 55, 'mastercard', [16]],
  [2221, 2720, 'mastercard', [16]],
  [34, 34, 'amex', [15]],
  [37, 37, 'amex', [15]],
  [6011, 6011, 'discover', L16_19],
  [644, 649, 'discover', L16_19],
  [65, 65, 'discover', L16_19],
  [622126, 622925, 'discover', L16_19],
  [300, 305, 'diners', [14, 15, 16, 17, 18, 19]],
  [3095, 3095, 'diners', [14, 15, 16, 17, 18, 19]],
  [36, 36, 'diners', [14, 15, 16, 17, 18, 19]],
  [38, 39, 'diners', [14, 15, 16, 17, 18, 19]],
  [3528, 3589, 'jcb', L16_19],
  [62, 62, 'unionpay', L16_19],
  [8100, 8171, 'unionpay', L16_19],
  [5018, 5018, 'maestro', [12, 13, 14, 15, 16, 17, 18, 19]],
  [5020, 5020, 'maestro', [12, 13, 14, 15, 16, 17, 18, 19]],
  [5038, 5038, 'maestro', [12, 13, 14, 15, 16, 17, 18, 19]],
  [5893, 5893, 'maestro', [12, 13, 14, 15, 16, 17, 18, 19]],
  [6304, 6304, 'maestro', [12, 13, 14, 15, 16, 17, 18, 19]],
  [6759, 6759, 'maestro', [12, 13, 14, 15, 16, 17, 18, 19]],
  [6761, 6763, 'maestro', [12, 13, 14, 15, 16, 17, 18, 19]],
  [5019, 5019, 'dankort', [16]],
  [2200, 2204, 'mir', L16_19],
  [60, 60, 'rupay', [16]],
  [6521, 6522, 'rupay', [16]],
  [508, 508, 'rupay', [16]],
  [506099, 506198, 'verve', [16, 18, 19]],
  [507865, 507964, 'verve', [16, 18, 19]],
  [650002, 650027, 'verve', [16, 18, 19]],
  [9792, 9792, 'troy', [16]],
  [506699, 506778, 'elo', [16]],
  [509000, 509999, 'elo', [16]],
  [636297, 636297, 'elo', [16]],
  [636368, 636368, 'elo', [16]],
  [606282, 606282, 'hipercard', [16, 19]],
  [3841, 3841, 'hipercard', [16, 19]],
]

const IIN_WIDTHS = IIN_RANGES.map(([lo]) => String(lo).length)

/** The card brand whose issuer range and length fit `digits`, or null. */
export function cardBrand(digits: string): string | null {
  const len = digits.length
  if (len < 6) return null
  const six = Number(digits.slice(0, 6))
  for (let k = 0; k < IIN_RANGES.length; k++) {
    const [lo, hi, brand, lengths] = IIN_RANGES[k]!
    if (!lengths.includes(len)) continue
    const prefix = Math.floor(six / 10 ** (6 - IIN_WIDTHS[k]!))
    if (prefix >= lo && prefix <= hi) return brand
  }
  return null
}

/** A primary account number: 12-19 digits, a known issuer range for that length, Luhn-valid. */
export function isCardNumber(digits: string): boolean {
  return digits.length >= 12 && digits.length <= 19 && luhnValid(digits) && cardBrand(digits) !== null
}

/** IBAN length per country: the SWIFT IBAN registry, plus national IBANs in use outside it. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
  // In use but not (yet) in the SWIFT registry.
  IR: 26,
  AO: 25,
  BF: 28,
  BJ: 28,
  CI: 28,
  CM: 27,
  CV: 25,
  DZ: 26,
  MG: 27,
  ML: 28,
  MZ: 25,
  SN: 28,
}

/** ISO 13616 check: registry length for the country and mod 97 = 1. `iban` is compact, any case. */
export function ibanValid(iban: string): boolean {
  const upper = iban.toUpperCase()
  const expected = IBAN_LENGTHS[upper.slice(0, 2)]
  if (expected === undefined || upper.length !== expected) return false
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(upper)) return false
  const rearranged = upper.slice(4) + upper.slice(0, 4)
  let rem = 0
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i)
    if (c <= 57) rem = (rem * 10 + (c - 48)) % 97
    else rem = (rem * 100 + (c - 55)) % 97
  }
  return rem === 1
}

/** ABA routing number: 9 digits, a Federal Reserve prefix, and the 3-7-1 weighted checksum. */
export function abaValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false
  const prefix = Number(digits.slice(0, 2))
  const prefixOk =
    prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80
  if (!prefixOk) return false
  const d = (i: number) => digits.charCodeAt(i) - 48
  const sum = 3 * (d(0) + d(3) + d(6)) + 7 * (d(1) + d(4) + d(7)) + (d(2) + d(5) + d(8))
  return sum % 10 === 0
}

// Numbers the SSA voided after they were printed on sample cards and then widely misused.
const VOID_SSNS = new Set(['078051120', '219099999', '123456789'])

/** US SSN: area 001-899 except 666, group 01-99, serial 0001-9999; 9 digits without separators. */
export function ssnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false
  const area = digits.slice(0, 3)
  if (area === '000' || area === '666' || area[0] === '9') return false
  if (digits.slice(3, 5) === '00' || digits.slice(5) === '0000') return false
  return !VOID_SSNS.has(digits)
}
