import { describe, expect, it } from 'vitest'
import { compilePolicy, DEFAULT_POLICY } from './policy.js'
import { scanText } from './scan.js'
import type { Finding } from './types.js'

const policy = compilePolicy(DEFAULT_POLICY)
const found = (text: string) => scanText(text, policy).findings
const values = (text: string) => found(text).map((f: Finding) => `${f.type}:${text.slice(f.start, f.end)}`)

describe('card numbers', () => {
  it.each([
    '4111111111111111',
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '4111.1111.1111.1111',
    '4111 - 1111 - 1111 - 1111',
    '3782 822463 10005',
    '3056 930902 5904',
    '6212 3456 7890 1234 569',
    '41 11 11 11 11 11 11 11',
  ])('finds %s in a sentence', (pan) => {
    expect(values(`please charge ${pan}, thanks`)).toEqual([`card_number:${pan}`])
  })
  it('masks all but the last four digits by default', () => {
    expect(scanText('card 4111-1111-1111-1111 ok', policy).text).toBe('card ****-****-****-1111 ok')
  })
  it('finds a card hidden by zero-width and full-width characters, with input offsets', () => {
    const text = 'x ４１１１\u200b１１１１ 1111\u200c1111 y'
    const [f] = found(text)
    expect(f).toMatchObject({ type: 'card_number', start: 2 })
    expect(text.slice(f!.start, f!.end)).toBe('４１１１\u200b１１１１ 1111\u200c1111')
  })
  it('reads an expiry and a code typed right after the card', () => {
    expect(values('4111111111111111 12/27 123')).toEqual([
      'card_number:4111111111111111',
      'card_expiry:12/27',
      'card_cvv:123',
    ])
  })
  it.each([
    ['a Luhn-invalid number', 'card 4111 1111 1111 1112 declined'],
    ['an order number', 'order #4111111111111111 shipped'],
    ['a tracking number', 'tracking number 4111 1111 1111 1111'],
    ['an Amazon order id', 'order 112-4111111-1111111'],
    ['a price', 'it is $4,111.11 total'],
    ['a time and a date', 'at 10:30 on 2024-01-15'],
    ['a phone number', 'call (415) 555-2671'],
    ['a slice of a longer grouped number', '4549 - 3651 - 9329 - 9536 - 6907'],
    ['a huge digit run', '1'.repeat(5000)],
  ])('does not take %s for a card', (_what, text) => {
    expect(found(text).filter((f) => f.type === 'card_number')).toEqual([])
  })
})

describe('context-dependent values', () => {
  it.each([
    ['the cvv is 123', 'card_cvv:123'],
    ['CVC: 4567', 'card_cvv:4567'],
    ['expires 08/27', 'card_expiry:08/27'],
    ['valid thru 11/2029', 'card_expiry:11/2029'],
    ['my pin is 4321', 'pin:4321'],
    ['PIN: 0000', 'pin:0000'],
    ['the code is 482913', 'otp:482913'],
    ['verification code: 482 913', 'otp:482 913'],
    ['my password is hunter2!', 'password:hunter2!'],
    ['password: "correct horse"', 'password:correct horse'],
    ['pw=S3cret', 'password:S3cret'],
    ['DOB: 01/02/1990', 'date_of_birth:01/02/1990'],
    ['born on March 3, 1985', 'date_of_birth:March 3, 1985'],
    ['routing number 021000021', 'routing_number:021000021'],
    ['account number is 12345678', 'bank_account:12345678'],
    ['ssn 234567890', 'ssn:234567890'],
  ])('finds the value in "%s"', (text, expected) => {
    expect(values(text)).toEqual([expected])
  })
  it.each([
    'my password is incorrect',
    'I forgot my password.',
    'password reset link expired',
    'the password is too short',
    'zip code 90210',
    'promo code 123456',
    'error code 5000',
    'pin this chat please',
    'account ending in 4242',
    'routing 123456789',
    'exp 3 years',
    'meeting on 01/02/2025',
  ])('finds nothing in "%s"', (text) => {
    expect(found(text)).toEqual([])
  })
})

describe('structured identifiers', () => {
  it('finds SSNs in 3-2-4 layout and skips never-issued ranges', () => {
    expect(values('ssn 234-56-7890 or 234 56 7890')).toEqual(['ssn:234-56-7890', 'ssn:234 56 7890'])
    expect(found('000-12-3456 666-12-3456 900-12-3456 234-00-7890 234-56-0000')).toEqual([])
  })
  it('finds IBANs with the country length and mod-97, spaced or not', () => {
    expect(values('IBAN DE89 3704 0044 0532 0130 00 please')).toEqual(['iban:DE89 3704 0044 0532 0130 00'])
    expect(values('GB82WEST12345698765432')).toEqual(['iban:GB82WEST12345698765432'])
    expect(found('DE89 3704 0044 0532 0130 01')).toEqual([])
  })
  it('finds emails and phone numbers', () => {
    expect(values('write to first.last+tag@mail.example.com or call +44 20 7946 0958')).toEqual([
      'email:first.last+tag@mail.example.com',
      'phone:+44 20 7946 0958',
    ])
    expect(values('(415) 555-2671')).toEqual(['phone:(415) 555-2671'])
    expect(found('invoice INV-2024-182648 and v1.2.3')).toEqual([])
  })
  it('reads an ISO date as a date, not as a phone number, where the region would accept it', () => {
    // German numbering takes "2026-11-02" for a valid phone number.
    const german = compilePolicy({ ...DEFAULT_POLICY, phoneRegions: ['DE'] })
    const germanValues = (text: string) =>
      scanText(text, german).findings.map((f: Finding) => `${f.type}:${text.slice(f.start, f.end)}`)
    expect(germanValues('the transfer left on 2026-11-02')).toEqual([])
    expect(germanValues('ruf an: 030 1234567')).toEqual(['phone:030 1234567'])
    // Not a date (month 13): still read as a phone number where it is one.
    expect(germanValues('2026-13-02')).toEqual(['phone:2026-13-02'])
  })
  it('finds secrets: AWS keys, GitHub and Slack tokens, JWTs and private-key blocks', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU'
    const text = `AKIAIOSFODNN7EXAMPLE ghp_${'a1'.repeat(18)} xoxb-123456789012-abcdefghij ${jwt}`
    expect(found(text).map((f) => f.type)).toEqual(['secret', 'secret', 'secret', 'secret'])
    const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----'
    expect(values(`here ${key} done`)).toEqual([`secret:${key}`])
    // A block cut short is still secret, to the end of the text.
    expect(values('-----BEGIN PRIVATE KEY-----\nMIIE')).toEqual(['secret:-----BEGIN PRIVATE KEY-----\nMIIE'])
  })
  it('finds magnetic-stripe track data as one finding', () => {
    expect(values(';4111111111111111=25121010000000000?')).toEqual([
      'track_data:;4111111111111111=25121010000000000?',
    ])
  })
})

describe('summary', () => {
  it('counts findings per category and never carries a value', () => {
    const r = scanText('card 4111111111111111 and 5555555555554444, pin 1234', policy)
    expect(r.summary).toEqual({ card_number: 2, pin: 1 })
    expect(JSON.stringify(r.summary)).not.toMatch(/\d{4}/)
  })
})
