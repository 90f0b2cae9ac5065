/** Where a stored body belongs: the vault binds ciphertext to exactly this (AAD). */
export interface BodyRef {
  tenantId: string
  conversationId: string
  recordId: string
}

/**
 * Turns message text into the bytes stored in a body column and back. The default keeps
 * UTF-8; the vault capability replaces it with envelope encryption, and since every body
 * goes through here, nothing else changes when it does.
 */
export interface BodyCodec {
  encode(ref: BodyRef, text: string): Buffer
  decode(ref: BodyRef, bytes: Buffer): string
}

export const utf8BodyCodec: BodyCodec = {
  encode: (_ref, text) => Buffer.from(text, 'utf8'),
  decode: (_ref, bytes) => Buffer.from(bytes).toString('utf8'),
}
