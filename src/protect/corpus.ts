/**
 * Labelled corpus for the accuracy test and `npm run bench:protect`. Dev-only: index.ts does not
 * export it (it needs @faker-js/faker, a devDependency). It lives in src/ because the build's
 * rootDir is src/, so a test here may not import from bench/.
 */
import { base, en, Faker } from '@faker-js/faker'
import { parsePhoneNumberFromString } from 'libphonenumber-js/max'
import { luhnValid } from './checksums.js'
import type { BuiltinType, Finding } from './types.js'

/** One corpus message: its text, the values it holds, and whether it is a hard negative. */
export interface LabelledMessage {
  text: string
  labels: Finding[]
  kind: 'positive' | 'hard_negative' | 'clean'
}

type Piece = string | readonly [BuiltinType, string]

function assemble(pieces: readonly Piece[], kind: LabelledMessage['kind']): LabelledMessage {
  let text = ''
  const labels: Finding[] = []
  for (const p of pieces) {
    if (typeof p === 'string') text += p
    else {
      labels.push({ type: p[0], start: text.length, end: text.length + p[1].length })
      text += p[1]
    }
  }
  return { text, labels, kind }
}

const CARD_PREFIXES: readonly (readonly [string, number])[] = [
  ['4', 16],
  ['4', 13],
  ['4', 19],
  ['51', 16],
  ['55', 16],
  ['2221', 16],
  ['2720', 16],
  ['34', 15],
  ['37', 15],
  ['6011', 16],
  ['65', 16],
  ['3530', 16],
  ['36', 14],
  ['62', 16],
  ['62', 19],
  ['6759', 12],
  ['5018', 18],
  ['2201', 16],
]

const US_AREAS = [
  '201',
  '202',
  '212',
  '213',
  '305',
  '312',
  '404',
  '415',
  '617',
  '646',
  '702',
  '713',
  '718',
  '818',
  '917',
]
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
]

// Hand-written hard cases. «type:value» marks a labelled value.
const HARD_POSITIVES = [
  'my card number is «card_number:4111111111111111», exp «card_expiry:12/27»',
  'Ｃａｒｄ «card_number:４１１１ １１１１ １１１１ １１１１» please',
  'card «card_number:4\u200b1\u200b1\u200b1\u200b 1111 1111 1111»',
  'it is «card_number:5555-5555-5555-4444»!',
  'amex «card_number:3782 822463 10005» cid «card_cvv:1234»',
  'diners «card_number:3056 930902 5904»',
  '«card_number:4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1» lol try to catch that',
  '«card_number:41 11 11 11 11 11 11 11»',
  'pay with «card_number:6011 1111 1111 1117» ok?',
  'jcb «card_number:3530111333300000»',
  'unionpay «card_number:6212 3456 7890 1234 569»',
  '«card_number:4111.1111.1111.1111»',
  '«card_number:4111 - 1111 - 1111 - 1111»',
  'card:«card_number:4111111111111111»exp«card_expiry:0127»',
  'my pаssword is «password:Tr0ub4dor&3»',
  'пароль? password: «password:correct-horse-battery-staple»',
  'SSN «ssn:２３４-５６-７８９０»',
  'ssn «ssn:234567890»',
  'the verification code is «otp:482 913»',
  'IBAN «iban:GB82 WEST 1234 5698 7654 32»',
  'iban «iban:de89370400440532013000»',
  'routing «routing_number:021000021» acct «bank_account:000123456789»',
  'born on «date_of_birth:12th of March, 1984»',
  'mail «email:first.last+tag@sub.example.museum».',
  'call «phone:+1 (415) 555-2671» or «phone:+44 20 7946 0958»',
  'AWS «secret:AKIAIOSFODNN7EXAMPLE»',
  'Authorization: Bearer «secret:eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmVfMTIz»',
  'pin «pin:0000» please',
  'security code «card_cvv:737»',
  'exp «card_expiry:Dec 2027»',
]
const HARD_NEGATIVES = [
  'order 4111111111111111 has shipped',
  'tracking number 9400111899223197428490',
  'Amazon order 112-4111111-1111111',
  'it costs $4,111.11 or 4111.11 EUR',
  'meet at 12:30, call at 15:45:10',
  '2024-01-15 2024-02-15 2024-03-15',
  'ISBN 978-0-306-40615-7',
  'uuid 550e8400-e29b-41d4-a716-446655440000',
  'version 4.11.1111.1111',
  'ip 192.168.100.200 and 10.0.0.1',
  'my password is not working',
  'forgot password?',
  'password reset please',
  'the password is case sensitive',
  'zip code 90210',
  'error code 404 again',
  'promo code 123456',
  'area code 212',
  'pin the chat',
  'I need 4 pins',
  'account ending in 4242',
  'my account is locked since 2019',
  'SSN 000-12-3456 is not valid',
  '666-12-3456',
  'DE89 3704 0044 0532 0130 01',
  'routing 123456789',
  'tracking 1Z999AA10123456784',
  '4111 1111 1111 1112 is declined',
  'sha 3f786850e387550fdab836ed7e6dc881de23001b',
  'invoice INV-2024-000123',
]

function parseMarked(line: string, kind: LabelledMessage['kind']): LabelledMessage {
  const pieces: Piece[] = []
  const re = /«([a-z_]+):([^»]*)»/g
  let at = 0
  for (let m = re.exec(line); m; m = re.exec(line)) {
    pieces.push(line.slice(at, m.index), [m[1] as BuiltinType, m[2]!])
    at = m.index + m[0].length
  }
  pieces.push(line.slice(at))
  return assemble(pieces, kind)
}

/** The hand-written hard cases and hard negatives, labelled. */
export function handWrittenCases(): LabelledMessage[] {
  return [
    ...HARD_POSITIVES.map((l) => parseMarked(l, 'positive')),
    ...HARD_NEGATIVES.map((l) => parseMarked(l, 'hard_negative')),
  ]
}

/** Builds `size` generated messages plus the hand-written cases, deterministically from `seed`. */
export function buildCorpus(size: number, seed = 20_260_101): LabelledMessage[] {
  const f = new Faker({ locale: [en, base] })
  f.seed(seed)
  const pick = <T>(xs: readonly T[]): T => xs[f.number.int({ min: 0, max: xs.length - 1 })]!
  const digits = (n: number) => f.string.numeric({ length: n, allowLeadingZeros: true })
  const sentence = () =>
    pick([f.lorem.sentence(), f.hacker.phrase(), f.company.catchPhrase(), 'thanks', 'hi'])

  const pan = (valid: boolean): string => {
    // A Luhn-invalid 17-19 digit number can start with a valid 12-16 digit PAN, which the engine
    // reads as a card followed by its code: a true ambiguity, so such negatives are 13-16 digits.
    const [prefix, len] = pick(CARD_PREFIXES.filter(([, l]) => valid || l <= 16))
    const body = prefix + digits(len - prefix.length - 1)
    for (let d = 0; d <= 9; d++) if (luhnValid(body + d) === valid) return body + d
    return body + '0'
  }
  const formatPan = (p: string): string => {
    const style = f.number.int({ min: 0, max: 4 })
    if (style === 0 || p.length < 14) return p
    if (p.length === 15 && style !== 4) return `${p.slice(0, 4)} ${p.slice(4, 10)} ${p.slice(10)}`
    const sep = [' ', '-', '.', ' ', ' - '][style]!
    return p.match(/.{1,4}/g)!.join(sep)
  }
  const phone = (): string => {
    for (;;) {
      const area = pick(US_AREAS)
      const ex = `${f.number.int({ min: 2, max: 9 })}${digits(2)}`
      const line = digits(4)
      const v = pick([
        `(${area}) ${ex}-${line}`,
        `${area}-${ex}-${line}`,
        `${area}.${ex}.${line}`,
        `+1 ${area} ${ex} ${line}`,
        `+44 7700 900${digits(3)}`,
        `+49 30 ${digits(8)}`,
        `+33 6 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
      ])
      if (parsePhoneNumberFromString(v, 'US')?.isValid()) return v
    }
  }
  const ssn = (): string => {
    const area = String(f.number.int({ min: 1, max: 899 })).padStart(3, '0')
    if (area === '666') return ssn()
    return `${area}-${String(f.number.int({ min: 1, max: 99 })).padStart(2, '0')}-${String(f.number.int({ min: 1, max: 9999 })).padStart(4, '0')}`
  }
  const secret = (): string =>
    pick([
      () => `AKIA${f.string.fromCharacters('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
      () => `ghp_${f.string.alphanumeric(36)}`,
      () => `xoxb-${digits(12)}-${digits(12)}-${f.string.alphanumeric(24)}`,
      () => `sk_live_${f.string.alphanumeric(24)}`,
      () =>
        `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: f.string.uuid() })).toString('base64url')}.${f.string.alphanumeric(43)}`,
      () =>
        `-----BEGIN PRIVATE KEY-----\n${f.string.alphanumeric(64)}\n${f.string.alphanumeric(40)}\n-----END PRIVATE KEY-----`,
    ])()
  const mmYY = () =>
    `${String(f.number.int({ min: 1, max: 12 })).padStart(2, '0')}/${f.number.int({ min: 25, max: 32 })}`

  const positives: (() => Piece[])[] = [
    () => [
      pick(['my card is ', 'Card: ', 'charge ', 'here it is ', '', 'use this one ']),
      ['card_number', formatPan(pan(true))],
      pick(['', ' please', '. thanks', '\n']),
    ],
    () => [
      sentence(),
      ' ',
      ['card_number', formatPan(pan(true))],
      ' ',
      ['card_expiry', mmYY()],
      ' ',
      ['card_cvv', digits(3)],
    ],
    () => ['the cvv is ', ['card_cvv', digits(3)]],
    () => [pick(['CVC: ', 'security code ', 'cvv2 ']), ['card_cvv', digits(pick([3, 4]))]],
    () => [pick(['expires ', 'exp date ', 'valid thru ', 'Expiry: ']), ['card_expiry', mmYY()]],
    () => [pick(['my ssn is ', 'SSN: ', '', 'social security number ']), ['ssn', ssn()], ' ', sentence()],
    () => [
      pick(['IBAN ', 'please send it to ', 'my iban: ']),
      ['iban', f.finance.iban({ formatted: f.datatype.boolean() })],
    ],
    () => [pick(['routing number ', 'ABA ', 'routing: ']), ['routing_number', f.finance.routingNumber()]],
    () => [
      pick(['account number ', 'acct # ', 'my checking account is ']),
      ['bank_account', digits(f.number.int({ min: 8, max: 12 }))],
    ],
    () => [
      pick(['my password is ', 'password: ', 'pwd = ', 'new password is ']),
      ['password', `${f.internet.password({ length: 10 })}${digits(1)}`],
    ],
    () => [pick(['my pin is ', 'PIN: ', 'pin number ']), ['pin', digits(4)]],
    () => [
      pick(['the code is ', 'verification code: ', 'OTP ', 'your one-time code is ']),
      ['otp', digits(6)],
    ],
    () => [
      pick(['email me at ', 'contact: ', '']),
      ['email', f.internet.email()],
      pick(['', ' thanks', '.']),
    ],
    () => [pick(['call me at ', 'my number is ', 'phone: ']), ['phone', phone()]],
    () => [
      pick(['DOB: ', 'date of birth ', 'born on ']),
      [
        'date_of_birth',
        pick([
          `0${f.number.int({ min: 1, max: 9 })}/1${f.number.int({ min: 0, max: 9 })}/19${digits(2)}`,
          `${pick(MONTHS)} ${f.number.int({ min: 1, max: 28 })}, 19${digits(2)}`,
          `19${digits(2)}-0${f.number.int({ min: 1, max: 9 })}-1${f.number.int({ min: 0, max: 9 })}`,
        ]),
      ],
    ],
    () => [pick(['key ', 'token: ', 'oops pasted ', '']), ['secret', secret()]],
  ]

  const hardNegatives: (() => Piece[])[] = [
    () => [
      pick(['order #', 'Order number ', 'your order ', 'order no. ']),
      pick([pan(true), digits(8), `112-${digits(7)}-${digits(7)}`]),
    ],
    () => [
      pick(['tracking number ', 'tracking: ', 'UPS ']),
      pick([
        `1Z${f.string.alphanumeric({ length: 6, casing: 'upper' })}${digits(10)}`,
        `9400 ${digits(4)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(2)}`,
        digits(12),
      ]),
    ],
    () => [
      pick(['total ', 'that is ', 'price: ']),
      pick([
        `$${f.number.int({ min: 1, max: 9 })},${digits(3)}.${digits(2)}`,
        `${digits(4)}.${digits(2)} USD`,
        `€ ${digits(1)}.${digits(3)},${digits(2)}`,
      ]),
    ],
    () => [
      pick(['see you at ', 'meeting ', 'it happened at ']),
      pick([
        `${f.number.int({ min: 10, max: 23 })}:${digits(2)}`,
        `2025-0${f.number.int({ min: 1, max: 9 })}-1${digits(1)}T1${digits(1)}:${digits(2)}:00Z`,
        `0${f.number.int({ min: 1, max: 9 })}/1${digits(1)}/2025`,
      ]),
    ],
    () => ['card ', formatPan(pan(false)), ' did not work'],
    () => [
      pick([
        'my password is incorrect',
        'I forgot my password',
        'password reset link expired',
        'the password is too short',
        'my password was changed yesterday',
      ]),
    ],
    () => [
      pick(['zip code ', 'promo code SAVE', 'error code ', 'area code ', 'status code ']),
      digits(pick([3, 5])),
    ],
    () => [
      pick(['drop a pin at ', 'pin this message please', 'I have ', 'room ']),
      digits(4),
      ' ',
      sentence(),
    ],
    () => [pick(['version 4.1.', 'ip 192.168.', 'ISBN 978-3-16-', 'invoice INV-2024-']), digits(6)],
    () => [pick(['SSN 000-', 'ssn 666-', 'id 900-']), `${digits(2)}-${digits(4)}`],
    () => ['IBAN DE00 3704 0044 0532 0130 00'],
    () => ['account ending in ', digits(4)],
    () => ['reference ', f.string.uuid()],
    () => ['call ', ['phone', phone()], ' about order ', digits(10)],
  ]
  const clean = () => [
    pick([
      f.lorem.sentence(),
      f.hacker.phrase(),
      `Hi, I need help with my statement from ${pick(MONTHS)}`,
      f.lorem.paragraph(),
    ]),
  ]

  const out: LabelledMessage[] = handWrittenCases()
  for (let i = out.length; i < size; i++) {
    const r = i % 20
    if (r < 12) {
      const pieces = pick(positives)()
      if (f.datatype.boolean()) pieces.unshift(`${sentence()} `)
      out.push(assemble(pieces, 'positive'))
    } else if (r < 17) out.push(assemble(pick(hardNegatives)(), 'hard_negative'))
    else out.push(assemble(clean(), 'clean'))
  }
  return out
}

/** Per-category counts from scoring findings against labels. */
export interface CategoryScore {
  labels: number
  found: number
  findings: number
  correct: number
}

/** Accuracy of a scan function over a corpus. */
export interface CorpusScore {
  categories: Record<string, CategoryScore>
  hardNegatives: number
  hardNegativesFlagged: number
  unredactedLabels: number
}

/**
 * Scores `scan` on `corpus`. A label counts as found when a finding of its type covers it; a
 * finding is correct when it overlaps a label of its type. A hard negative is flagged when it
 * gets any finding that is not correct.
 */
export function scoreCorpus(
  corpus: readonly LabelledMessage[],
  scan: (text: string) => Finding[],
): CorpusScore {
  const categories: Record<string, CategoryScore> = {}
  const cat = (t: string) => {
    categories[t] ??= { labels: 0, found: 0, findings: 0, correct: 0 }
    return categories[t]
  }
  let hardNegatives = 0
  let hardNegativesFlagged = 0
  let unredactedLabels = 0
  for (const m of corpus) {
    const findings = scan(m.text)
    for (const l of m.labels) {
      const c = cat(l.type)
      c.labels++
      if (findings.some((x) => x.type === l.type && x.start <= l.start && x.end >= l.end)) c.found++
      if (!findings.some((x) => x.start <= l.start && x.end >= l.end)) unredactedLabels++
    }
    let wrong = 0
    for (const x of findings) {
      const c = cat(x.type)
      c.findings++
      if (m.labels.some((l) => l.type === x.type && x.start < l.end && l.start < x.end)) c.correct++
      else wrong++
    }
    if (m.kind === 'hard_negative') {
      hardNegatives++
      if (wrong > 0) hardNegativesFlagged++
    }
  }
  return { categories, hardNegatives, hardNegativesFlagged, unredactedLabels }
}
