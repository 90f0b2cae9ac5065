import { describe, expect, it } from 'vitest'
import {
  blindTerm,
  secretFingerprint,
  TERM_BYTES,
  tenantSearchKey,
  tokenizeForIndex,
  wordsOf,
} from './terms.js'

describe('tokenizeForIndex', () => {
  it('lower-cases, folds diacritics and compatibility forms, and keeps each word once', () => {
    expect(tokenizeForIndex('Café CRÈME, café crème! Straße ﬁle ＡＢＣ')).toEqual([
      'cafe',
      'creme',
      'strasse',
      'file',
      'abc',
    ])
  })

  it('splits on punctuation and drops one-character words', () => {
    expect(tokenizeForIndex('order #A-1234: ok? a b 7 x9')).toEqual(['order', '1234', 'ok', 'x9'])
  })

  it('treats a decomposed accent like the composed one', () => {
    expect(tokenizeForIndex('Cafe\u0301')).toEqual(tokenizeForIndex('Caf\u00e9'))
  })

  it('cuts very long words to 64 characters, the same in messages and queries', () => {
    const long = 'x'.repeat(100)
    expect(tokenizeForIndex(long)).toEqual(['x'.repeat(64)])
  })

  it('keeps letters of other scripts', () => {
    expect(tokenizeForIndex('Привет мир γειά σου')).toEqual(['привет', 'мир', 'γεια', 'σου'])
  })

  it('finds nothing to index in redaction masks and punctuation', () => {
    expect(tokenizeForIndex('**** **** ****  ... !!!')).toEqual([])
  })

  it('reports where each word starts in the original text', () => {
    expect(wordsOf('Hi  Élodie')).toEqual([
      { word: 'hi', index: 0 },
      { word: 'elodie', index: 4 },
    ])
  })
})

describe('blind terms', () => {
  const secret = Buffer.alloc(32, 7)

  it('derives unrelated keys for two tenants from one secret', () => {
    const a = tenantSearchKey(secret, 'tenant-a')
    const b = tenantSearchKey(secret, 'tenant-b')
    expect(a).toHaveLength(32)
    expect(a.equals(b)).toBe(false)
    expect(tenantSearchKey(secret, 'tenant-a').equals(a)).toBe(true)
  })

  it('blinds the same word differently per tenant, and identically within one', () => {
    const a = tenantSearchKey(secret, 'tenant-a')
    const b = tenantSearchKey(secret, 'tenant-b')
    expect(blindTerm(a, 'refund')).toHaveLength(TERM_BYTES)
    expect(blindTerm(a, 'refund').equals(blindTerm(a, 'refund'))).toBe(true)
    expect(blindTerm(a, 'refund').equals(blindTerm(b, 'refund'))).toBe(false)
    expect(blindTerm(a, 'refund').equals(blindTerm(a, 'refunds'))).toBe(false)
  })

  it('never contains the word itself', () => {
    const key = tenantSearchKey(secret, 't')
    expect(blindTerm(key, 'password').toString('latin1')).not.toContain('password')
  })

  it('fingerprints a secret without revealing it, differently for different secrets', () => {
    const fp = secretFingerprint(secret)
    expect(fp).toMatch(/^[0-9a-f]{32}$/)
    expect(fp).not.toContain(secret.toString('hex').slice(0, 8))
    expect(secretFingerprint(Buffer.alloc(32, 8))).not.toBe(fp)
  })
})
