/**
 * Token references in message text. The pattern is a copy of `TOKEN_TEXT` in
 * `src/vault/token-vault.ts` (the console must not import Node code); keep the two in step.
 */
const TOKEN_TEXT = /\[([a-z_]+(?::[a-z0-9_]+)?):(tok_[A-Za-z0-9_-]{22})\]/g

/** A piece of message text: plain text, or a token standing for a value kept in the vault. */
export type Segment = { text: string } | { type: string; tokenId: string }

/** Splits message text into plain text and tokens, in order. */
export function splitTokens(text: string): Segment[] {
  const out: Segment[] = []
  let at = 0
  for (const m of text.matchAll(TOKEN_TEXT)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index) })
    out.push({ type: m[1]!, tokenId: m[2]! })
    at = m.index + m[0].length
  }
  if (at < text.length) out.push({ text: text.slice(at) })
  return out
}

/** How a token's category reads: `bank_account` → "bank account", `custom:member_id` → "member id". */
export function categoryName(type: string): string {
  return type.replace(/^custom:/, '').replace(/_/g, ' ')
}
