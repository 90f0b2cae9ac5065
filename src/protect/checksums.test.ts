import { describe, expect, it } from 'vitest'
import { abaValid, cardBrand, ibanValid, isCardNumber, luhnValid, ssnValid } from './checksums.js'

describe('luhnValid', () => {
  it('accepts published test PANs and rejects a one-digit change', () => {
    for (const pan of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117']) {
      expect(luhnValid(pan)).toBe(true)
      const last = Number(pan.at(-1))
      expect(luhnValid(pan.slice(0, -1) + String((last + 1) % 10))).toBe(false)
    }
  })
  it('rejects non-digits and the empty string', () => {
    expect(luhnValid('')).toBe(false)
    expect(luhnValid('4111-1111')).toBe(false)
  })
})

describe('cardBrand / isCardNumber', () => {
  it.each([
    ['4111111111111111', 'visa'],
    ['4222222222222', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['378282246310005', 'amex'],
    ['30569309025904', 'diners'],
    ['3530111333300000', 'jcb'],
    ['6011111111111117', 'discover'],
    ['6759649826438453', 'maestro'],
    ['2200000000000004', 'mir'],
  ])('names the brand of %s as %s', (pan, brand) => {
    expect(cardBrand(pan)).toBe(brand)
    expect(isCardNumber(pan)).toBe(true)
  })
  it('refuses a Luhn-valid number outside every issuer range or of a wrong length', () => {
    expect(isCardNumber('1234567812345670')).toBe(false) // Luhn-valid, IIN 1
    expect(isCardNumber('37828224631000')).toBe(false) // amex prefix, 14 digits
    expect(isCardNumber('41111111111')).toBe(false) // too short
  })
})

describe('ibanValid', () => {
  it('accepts registry examples in any case and rejects a wrong check digit or length', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true)
    expect(ibanValid('gb82west12345698765432')).toBe(true)
    expect(ibanValid('NO9386011117947')).toBe(true)
    expect(ibanValid('DE89370400440532013001')).toBe(false)
    expect(ibanValid('DE8937040044053201300')).toBe(false)
    expect(ibanValid('XX89370400440532013000')).toBe(false)
  })
})

describe('abaValid', () => {
  it('accepts real routing numbers and rejects bad checksums or Fed prefixes', () => {
    expect(abaValid('021000021')).toBe(true)
    expect(abaValid('011000015')).toBe(true)
    expect(abaValid('021000022')).toBe(false)
    expect(abaValid('991000021')).toBe(false)
  })
})

describe('ssnValid', () => {
  it('rejects area 000, 666 and 9xx, group 00 and serial 0000', () => {
    expect(ssnValid('234567890')).toBe(true)
    for (const bad of ['000123456', '666123456', '900123456', '234007890', '234560000', '078051120']) {
      expect(ssnValid(bad)).toBe(false)
    }
  })
})
