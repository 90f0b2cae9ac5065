import { createHmac, hkdfSync } from 'node:crypto'

/** Words shorter than this are not indexed (and not searchable): too common to narrow anything. */
export const MIN_WORD_LENGTH = 2
/** Longer words are cut to this many characters, in the index and in queries alike. */
export const MAX_WORD_LENGTH = 64
/** Bytes kept of each HMAC: 96 bits make collisions negligible; hits are verified anyway. */
export const TERM_BYTES = 12

/** A run of letters, digits and combining marks: what a word is, before normalisation. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu
const LETTERS_OR_DIGITS = /[\p{L}\p{N}]+/gu
const MARKS = /\p{M}+/gu

/**
 * The searchable form of one word: compatibility forms unified (NFKD: `ﬁ` → `fi`, full-width
 * letters, circled digits), diacritics dropped (`é` → `e`), lower case, `ß` → `ss`, then NFC.
 * A word may become several (`½` → `1`, `2`).
 */
function normalizeWord(word: string): string[] {
  const folded = word
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    .replaceAll('ß', 'ss')
    .normalize('NFC')
  const out: string[] = []
  for (const m of folded.matchAll(LETTERS_OR_DIGITS)) {
    const w = Array.from(m[0]).slice(0, MAX_WORD_LENGTH).join('')
    if (Array.from(w).length >= MIN_WORD_LENGTH) out.push(w)
  }
  return out
}

/** Each searchable word of `text` with where its original word starts (UTF-16 offset). */
export function wordsOf(text: string): { word: string; index: number }[] {
  const out: { word: string; index: number }[] = []
  for (const m of text.matchAll(WORD)) {
    for (const word of normalizeWord(m[0])) out.push({ word, index: m.index })
  }
  return out
}

/**
 * The distinct normalised words of a (redacted) message or a query, in order of first
 * appearance. Message and query go through the same function, so they meet in the index.
 */
export function tokenizeForIndex(text: string): string[] {
  return [...new Set(wordsOf(text).map((w) => w.word))]
}

/**
 * The tenant's search key: HKDF-SHA-256 of the server's search secret with the tenant id as
 * context. Two tenants' keys are unrelated, so the same word is a different term in each.
 */
export function tenantSearchKey(secret: Buffer, tenantId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'parley-search-v1', `tenant:${tenantId}`, 32))
}

/** Tenant keys derived once each and kept (bounded: at most 10,000 tenants, then started afresh). */
export function tenantSearchKeys(secret: Buffer): (tenantId: string) => Buffer {
  const keys = new Map<string, Buffer>()
  return (tenantId) => {
    let key = keys.get(tenantId)
    if (!key) {
      if (keys.size > 10_000) keys.clear()
      key = tenantSearchKey(secret, tenantId)
      keys.set(tenantId, key)
    }
    return key
  }
}

/** The blind term of a normalised word: HMAC-SHA-256 under the tenant's key, truncated. */
export function blindTerm(tenantKey: Buffer, word: string): Buffer {
  return createHmac('sha256', tenantKey).update(word, 'utf8').digest().subarray(0, TERM_BYTES)
}

/** Names a search secret without revealing it, so a changed secret is noticed (and the index rebuilt). */
export function secretFingerprint(secret: Buffer): string {
  return createHmac('sha256', secret).update('parley-search-fingerprint').digest('hex').slice(0, 32)
}
