import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/** Format byte of a sealed value: AES-256-GCM, 12-byte IV, 16-byte tag. */
const FORMAT_GCM_V1 = 1
const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * AES-256-GCM with associated data: `aad` binds the ciphertext to where it belongs (tenant,
 * record id, purpose), so a sealed value copied into another row fails to open.
 * Layout: format (1) | iv (12) | tag (16) | ciphertext.
 */
export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([Buffer.from([FORMAT_GCM_V1]), iv, cipher.getAuthTag(), body])
}

/** Opens what `seal` produced; throws when the key, the associated data or a byte is wrong. */
export function unseal(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_GCM_V1) {
    throw new Error('not a sealed value of a known format')
  }
  const iv = sealed.subarray(1, 1 + IV_BYTES)
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAAD(Buffer.from(aad, 'utf8'))
  decipher.setAuthTag(tag)
  return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()])
}

/** A 32-byte subkey of `key` for one use (HKDF-SHA-256), so one secret never serves two purposes. */
export function subkey(key: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32))
}
