import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { ParleyError } from '../errors/index.js'
import { seal, subkey, unseal } from './sealing.js'

/**
 * The root of envelope encryption: it wraps tenant data keys and never enters the database.
 * This interface is what a KMS provider implements later (wrap/unwrap remotely).
 */
export interface MasterKeyProvider {
  /** Stable id of this master key (stored beside each wrapped key, for rotation). */
  readonly id: string
  wrap(dataKey: Buffer, aad: string): Buffer
  unwrap(wrapped: Buffer, aad: string): Buffer
}

/** A master key held in this process (from PARLEY_MASTER_KEY or the key file). */
export class LocalMasterKey implements MasterKeyProvider {
  readonly id: string
  readonly #wrapKey: Buffer

  constructor(secret: Buffer) {
    if (secret.length !== 32) throw new Error('the master key must be 32 bytes')
    this.#wrapKey = subkey(secret, 'parley-vault-wrap-v1')
    // The id reveals nothing of the key: a hash of a separate subkey.
    this.id = `local:${createHash('sha256').update(subkey(secret, 'parley-vault-id-v1')).digest('hex').slice(0, 16)}`
  }

  wrap(dataKey: Buffer, aad: string): Buffer {
    return seal(this.#wrapKey, dataKey, aad)
  }

  unwrap(wrapped: Buffer, aad: string): Buffer {
    return unseal(this.#wrapKey, wrapped, aad)
  }
}

/**
 * Loads the master key: `PARLEY_MASTER_KEY` (32 bytes, base64 or base64url) when set, else the
 * key file (created with mode 0600 on first start). Every node of a cluster needs the same key.
 */
export function loadMasterKey(opts: { env: string | undefined; file: string }): {
  key: LocalMasterKey
  source: 'env' | 'file' | 'created'
} {
  if (opts.env) {
    const bytes = Buffer.from(opts.env.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    if (bytes.length !== 32) {
      throw new ParleyError(
        'PARLEY_ERR_CONFIG_INVALID',
        'PARLEY_MASTER_KEY must be 32 random bytes in base64 (openssl rand -base64 32)',
      )
    }
    return { key: new LocalMasterKey(bytes), source: 'env' }
  }
  if (existsSync(opts.file)) {
    const bytes = Buffer.from(readFileSync(opts.file, 'utf8').trim(), 'base64')
    if (bytes.length !== 32) {
      throw new ParleyError(
        'PARLEY_ERR_CONFIG_INVALID',
        `the master key file ${opts.file} does not hold 32 bytes in base64; restore it from your backup`,
      )
    }
    return { key: new LocalMasterKey(bytes), source: 'file' }
  }
  const bytes = randomBytes(32)
  mkdirSync(dirname(opts.file), { recursive: true })
  writeFileSync(opts.file, `${bytes.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
  chmodSync(opts.file, 0o600)
  return { key: new LocalMasterKey(bytes), source: 'created' }
}
