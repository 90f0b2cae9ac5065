import { describe, expect, it } from 'vitest'
import { checkFields } from './fields.js'

const NOW = new Date('2026-05-15T12:00:00Z')
const card = { number: '4111 1111 1111 1111', expiry: '12/27', cvc: '123', name: 'Vera Visitor' }
const refusal = (kind: Parameters<typeof checkFields>[0], input: unknown) => {
  try {
    checkFields(kind, input, NOW)
  } catch (err) {
    return err as {
      code: string
      statusCode: number
      message: string
      details: { issues: { field: string }[] }
    }
  }
  throw new Error('expected a refusal')
}

describe('secure form fields', () => {
  it('normalises a card and keeps only its last four digits for the transcript', () => {
    expect(checkFields('card', card, NOW)).toEqual({
      fields: {
        number: '4111111111111111',
        expMonth: '12',
        expYear: '2027',
        cvc: '123',
        name: 'Vera Visitor',
      },
      last4: '1111',
    })
    expect(checkFields('card', { ...card, expiry: '05/2026' }, NOW).fields.expYear).toBe('2026')
  })

  it('rejects a Luhn-invalid card with PARLEY_ERR_SECURE_FORM_FIELDS_INVALID naming the field, not the value', () => {
    const err = refusal('card', { ...card, number: '4111 1111 1111 1112' })
    expect(err).toMatchObject({ code: 'PARLEY_ERR_SECURE_FORM_FIELDS_INVALID', statusCode: 400 })
    expect(err.details.issues.map((i) => i.field)).toEqual(['number'])
    expect(JSON.stringify(err)).not.toContain('1112')
    expect(err.message).not.toContain('1112')
  })

  it('rejects past, impossible and far-future expiry dates', () => {
    for (const expiry of ['04/26', '13/30', '00/28', '12/2050', 'soon', '1/1'])
      expect(
        refusal('card', { ...card, expiry }).details.issues.map((i) => i.field),
        expiry,
      ).toEqual(['expiry'])
  })

  it('wants a 4-digit code for American Express and 3 for others', () => {
    expect(refusal('card', { ...card, cvc: '1234' }).details.issues.map((i) => i.field)).toEqual(['cvc'])
    const amex = { ...card, number: '3782 822463 10005' }
    expect(refusal('card', { ...amex, cvc: '123' }).details.issues.map((i) => i.field)).toEqual(['cvc'])
    expect(checkFields('card', { ...amex, cvc: '1234' }, NOW).last4).toBe('0005')
  })

  it('refuses unknown fields, missing fields and look-alike objects', () => {
    expect(refusal('card', { ...card, track: '%B4111' }).details.issues[0]!.field).toBe('track')
    expect(
      refusal('card', {})
        .details.issues.map((i) => i.field)
        .sort(),
    ).toEqual(['cvc', 'expiry', 'name', 'number'])
    expect(refusal('card', [card]).code).toBe('PARLEY_ERR_SECURE_FORM_FIELDS_INVALID')
    expect(refusal('custom', { value: { toString: () => 'x' } }).code).toBe(
      'PARLEY_ERR_SECURE_FORM_FIELDS_INVALID',
    )
  })

  it('takes a bank account as an IBAN or as routing and account numbers, each validated', () => {
    expect(
      checkFields('bank_account', { holderName: 'A B', iban: 'gb82 west 1234 5698 7654 32' }).fields,
    ).toEqual({
      holderName: 'A B',
      iban: 'GB82WEST12345698765432',
    })
    expect(
      checkFields('bank_account', {
        holderName: 'A B',
        routingNumber: '011000015',
        accountNumber: '1234 5678',
      }).fields,
    ).toEqual({ holderName: 'A B', routingNumber: '011000015', accountNumber: '12345678' })
    expect(
      refusal('bank_account', { holderName: 'A', iban: 'GB82WEST12345698765433' }).details.issues[0]!.field,
    ).toBe('iban')
    expect(
      refusal('bank_account', {
        holderName: 'A',
        routingNumber: '011000016',
        accountNumber: '12',
      }).details.issues.map((i) => i.field),
    ).toEqual(['routingNumber', 'accountNumber'])
    expect(
      refusal('bank_account', { holderName: 'A', iban: 'GB82WEST12345698765432', accountNumber: '12345678' })
        .code,
    ).toBe('PARLEY_ERR_SECURE_FORM_FIELDS_INVALID')
  })

  it('takes one custom value of at most 500 characters', () => {
    expect(checkFields('custom', { value: '  MBR-1234  ' }).fields).toEqual({ value: 'MBR-1234' })
    expect(refusal('custom', { value: 'x'.repeat(501) }).details.issues[0]!.field).toBe('value')
    expect(refusal('custom', { value: '   ' }).details.issues[0]!.field).toBe('value')
  })
})
