import { describe, expect, it } from 'vitest'
import { compileCustomPattern } from './custom-pattern.js'
import { compilePolicy, DEFAULT_POLICY } from './policy.js'
import { scanText, type Tokenizer } from './scan.js'

const tokenizer: Tokenizer = {
  tokenize: ({ type, value }) => `tok_${type}_${value.replace(/\D/g, '').length}`,
}

describe('modes', () => {
  it('removes, masks, tokenizes or keeps each category as the policy says', () => {
    const policy = compilePolicy({
      version: 1,
      categories: {
        card_number: 'tokenize',
        email: 'keep',
        phone: { mode: 'mask', keepLast: 2 },
        ssn: 'remove',
        password: 'mask',
      },
    })
    const r = scanText(
      'card 4111 1111 1111 1111, a@b.co, (415) 555-2671, ssn 234-56-7890, password: Hunter2!',
      policy,
      { tokenizer },
    )
    expect(r.text).toBe(
      'card tok_card_number_16, a@b.co, (***) ***-**71, ssn [redacted:ssn], password: ********',
    )
    expect(r.summary).toEqual({ card_number: 1, email: 1, phone: 1, ssn: 1, password: 1 })
  })
  it('uses the strict default: card numbers masked to the last four, everything else removed', () => {
    const r = scanText('4111111111111111 pin 1234', compilePolicy(DEFAULT_POLICY))
    expect(r.text).toBe('************1111 pin [redacted:pin]')
  })
  it('applies `default` to unlisted categories but never to sensitive authentication data', () => {
    const policy = compilePolicy({ version: 1, default: 'keep' })
    expect(scanText('mail a@b.co, cvv 123, pin 9876', policy).text).toBe(
      'mail a@b.co, cvv [redacted:card_cvv], pin [redacted:pin]',
    )
  })
})

describe('policy validation', () => {
  it.each(['card_cvv', 'pin', 'track_data'])('refuses to tokenize or keep %s (PCI DSS 3.3.1)', (category) => {
    for (const mode of ['tokenize', 'keep']) {
      expect(() => compilePolicy({ version: 1, categories: { [category]: mode } })).toThrow(
        expect.objectContaining({ code: 'PARLEY_ERR_PROTECT_MODE_FORBIDDEN', statusCode: 400 }),
      )
    }
  })
  it('refuses a card mask that keeps more than 4 digits and keepLast on a password', () => {
    expect(() =>
      compilePolicy({ version: 1, categories: { card_number: { mode: 'mask', keepLast: 6 } } }),
    ).toThrow(expect.objectContaining({ code: 'PARLEY_ERR_PROTECT_POLICY_INVALID' }))
    expect(() =>
      compilePolicy({ version: 1, categories: { password: { mode: 'mask', keepLast: 2 } } }),
    ).toThrow(expect.objectContaining({ code: 'PARLEY_ERR_PROTECT_MODE_FORBIDDEN' }))
  })
  it('refuses unknown keys, unknown modes, unknown categories and unknown phone regions', () => {
    for (const doc of [
      { version: 1, extra: true },
      { version: 1, categories: { card_number: 'shred' } },
      { version: 1, categories: { favourite_colour: 'remove' } },
      { version: 2 },
      { version: 1, phoneRegions: ['ZZ'] },
      'not an object',
    ]) {
      expect(() => compilePolicy(doc)).toThrow(
        expect.objectContaining({ code: 'PARLEY_ERR_PROTECT_POLICY_INVALID' }),
      )
    }
  })
  it('requires a tokenizer when a category is tokenized', () => {
    const policy = compilePolicy({ version: 1, categories: { email: 'tokenize' } })
    expect(() => scanText('a@b.co', policy)).toThrow(
      expect.objectContaining({ code: 'PARLEY_ERR_PROTECT_TOKENIZER_MISSING', statusCode: 500 }),
    )
  })
})

describe('custom patterns', () => {
  it('reports a tenant pattern as custom:<name> with its own mode', () => {
    const policy = compilePolicy({
      version: 1,
      customPatterns: [
        { name: 'member_id', pattern: 'MBR-\\d{8}', flags: 'i', test: 'MBR-12345678', mode: 'mask' },
      ],
    })
    const r = scanText('member mbr-87654321 here', policy)
    expect(r.findings).toEqual([{ type: 'custom:member_id', start: 7, end: 19 }])
    expect(r.text).toBe('member ******** here')
  })
  it('matches custom patterns against folded text (full-width digits)', () => {
    const policy = compilePolicy({
      version: 1,
      customPatterns: [{ name: 'mrn', pattern: 'MRN\\d{6}', test: 'MRN123456' }],
    })
    expect(scanText('ＭＲＮ１２３４５６', policy).findings).toEqual([
      { type: 'custom:mrn', start: 0, end: 9 },
    ])
  })
  it.each([
    ['(a+)+b', 'unbounded'],
    ['(?:a{1,5}){1,5}', 'repeated group'],
    ['(a|ab){2,4}', 'repeated group'],
    ['(\\w)\\1', 'backreference'],
    ['(?<x>a)\\k<x>', 'backreference'],
    ['a(?=b)', 'lookaround'],
    ['(?<!a)b', 'lookaround'],
    ['\\d+', 'unbounded'],
    ['.*secret', 'unbounded'],
    ['x{2,}', 'unbounded'],
    ['\\w{1,200}@\\w{1,200}', 'cost'],
    ['a{1,1000}', 'bound'],
    ['a?', 'empty'],
    ['(abc', 'parenthesis'],
  ])('refuses %s as unsafe (%s)', (pattern, reason) => {
    let caught: unknown
    try {
      compileCustomPattern({ name: 'x', pattern, test: 'aaa' })
    } catch (err) {
      caught = err
    }
    expect(caught).toMatchObject({ code: 'PARLEY_ERR_PROTECT_PATTERN_UNSAFE', statusCode: 400 })
    expect(String((caught as { details: { reason: string } }).details.reason)).toMatch(
      new RegExp(reason.split(' ')[0]!, 'i'),
    )
  })
  it('refuses a pattern that does not match its own test string', () => {
    expect(() => compileCustomPattern({ name: 'x', pattern: 'MBR-\\d{8}', test: 'MBR-123' })).toThrow(
      expect.objectContaining({ code: 'PARLEY_ERR_PROTECT_PATTERN_TEST_FAILED' }),
    )
  })
  it('refuses flags other than i, m and s', () => {
    expect(() => compileCustomPattern({ name: 'x', pattern: 'a', flags: 'y', test: 'a' })).toThrow(
      expect.objectContaining({ code: 'PARLEY_ERR_PROTECT_PATTERN_UNSAFE' }),
    )
  })
  it('accepts an optional group that holds a repetition', () => {
    expect(
      compileCustomPattern({ name: 'x', pattern: 'ID-\\d{4}(?:-\\d{2})?', test: 'ID-1234-56' }).regex.flags,
    ).toBe('gu')
  })
})
