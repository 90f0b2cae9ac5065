import { createHmac } from 'node:crypto'
import type { TenantKeyring } from './keyring.js'
import { seal, subkey, unseal } from './sealing.js'

/**
 * Small secrets of one purpose sealed under the tenant's key series for that purpose (for
 * example agents' TOTP secrets under `mfa`), and keyed hashes under the same key: a database
 * copy without the master key yields neither the secrets nor a way to test guesses offline.
 */
export class TenantSecretBox {
  constructor(
    private readonly keys: TenantKeyring,
    readonly purpose: string,
  ) {}

  async seal(
    tenantId: string,
    plaintext: Buffer,
    aad: string,
  ): Promise<{ keyVersion: number; sealed: Buffer }> {
    const key = await this.keys.current(tenantId, this.purpose)
    return { keyVersion: key.version, sealed: seal(key.key, plaintext, aad) }
  }

  async open(tenantId: string, keyVersion: number, sealed: Buffer, aad: string): Promise<Buffer> {
    return unseal(await this.keys.version(tenantId, this.purpose, keyVersion), sealed, aad)
  }

  /** HMAC-SHA-256 of `data` under a subkey of the tenant key `keyVersion` (base64url). */
  async mac(tenantId: string, keyVersion: number, data: string): Promise<string> {
    const key = subkey(
      await this.keys.version(tenantId, this.purpose, keyVersion),
      `parley-${this.purpose}-mac-v1`,
    )
    return createHmac('sha256', key).update(data).digest('base64url')
  }
}
