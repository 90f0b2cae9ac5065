import { randomBytes } from 'node:crypto'
import type { Store } from '../store/index.js'
import type { MasterKeyProvider } from './master-key.js'

export interface TenantKey {
  version: number
  key: Buffer
}

interface Ring {
  current: TenantKey
  versions: Map<number, Buffer>
}

/** What a wrapped key is bound to: a wrapped key moved to another tenant or purpose fails to unwrap. */
const wrapAad = (tenantId: string, purpose: string, version: number) =>
  `parley:tenant-key:${tenantId}:${purpose}:${version}`

/**
 * Per-tenant data keys, one series per purpose (tokenized values today; message bodies when
 * the vault seals them). A key is random, stored only wrapped by the master key, unwrapped
 * once per process and kept in memory. Deleting a tenant's rows here makes everything sealed
 * under them unreadable (crypto-shredding).
 */
export class TenantKeyring {
  readonly #rings = new Map<string, Ring>()
  readonly #loading = new Map<string, Promise<Ring>>()

  constructor(
    private readonly store: Store,
    private readonly master: MasterKeyProvider,
  ) {}

  /** The key new values are sealed with (created on first use). */
  async current(tenantId: string, purpose: string): Promise<TenantKey> {
    return (await this.#ring(tenantId, purpose)).current
  }

  /** The current key if already loaded, for synchronous sealing on the hot path. */
  loadedCurrent(tenantId: string, purpose: string): TenantKey | undefined {
    return this.#rings.get(`${tenantId}\u0000${purpose}`)?.current
  }

  /** A key version, for opening values sealed under it. */
  async version(tenantId: string, purpose: string, version: number): Promise<Buffer> {
    let ring = await this.#ring(tenantId, purpose)
    if (!ring.versions.has(version)) {
      // Rotated on another node since this one loaded: read again.
      this.#rings.delete(`${tenantId}\u0000${purpose}`)
      ring = await this.#ring(tenantId, purpose)
    }
    const key = ring.versions.get(version)
    if (!key) throw new Error(`tenant key ${purpose} v${version} does not exist (shredded?)`)
    return key
  }

  /** Starts a new key version: new values use it, old ones still open with theirs. */
  async rotate(tenantId: string, purpose: string): Promise<number> {
    const ring = await this.#ring(tenantId, purpose)
    await this.#create(tenantId, purpose, ring.current.version + 1)
    this.#rings.delete(`${tenantId}\u0000${purpose}`)
    return (await this.#ring(tenantId, purpose)).current.version
  }

  #ring(tenantId: string, purpose: string): Promise<Ring> {
    const id = `${tenantId}\u0000${purpose}`
    const ring = this.#rings.get(id)
    if (ring) return Promise.resolve(ring)
    let loading = this.#loading.get(id)
    if (!loading) {
      loading = this.#load(tenantId, purpose).finally(() => this.#loading.delete(id))
      this.#loading.set(id, loading)
    }
    return loading
  }

  async #load(tenantId: string, purpose: string): Promise<Ring> {
    let rows = await this.store.vault.tenantKeys(tenantId, purpose)
    if (rows.length === 0) {
      await this.#create(tenantId, purpose, 1)
      // Another node may have created version 1 at the same moment: theirs or ours, read it back.
      rows = await this.store.vault.tenantKeys(tenantId, purpose)
    }
    const versions = new Map<number, Buffer>()
    for (const row of rows) {
      versions.set(
        row.version,
        this.master.unwrap(Buffer.from(row.wrapped), wrapAad(tenantId, purpose, row.version)),
      )
    }
    const newest = rows[0]!.version
    const ring = { current: { version: newest, key: versions.get(newest)! }, versions }
    this.#rings.set(`${tenantId}\u0000${purpose}`, ring)
    return ring
  }

  async #create(tenantId: string, purpose: string, version: number): Promise<void> {
    await this.store.vault.insertTenantKey({
      tenant_id: tenantId,
      purpose,
      version,
      master_key_id: this.master.id,
      wrapped: this.master.wrap(randomBytes(32), wrapAad(tenantId, purpose, version)),
      created_at: Date.now(),
    })
  }
}
