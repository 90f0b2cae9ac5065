import { randomBytes } from 'node:crypto'
import type { NewProtectToken, Store } from '../store/index.js'
import type { TenantKeyring } from './keyring.js'
import { seal, unseal } from './sealing.js'

/** The key series tokenized values are sealed with. */
export const TOKEN_KEY_PURPOSE = 'tokens'

/** `tok_` and 22 base64url characters (128 random bits). */
export const TOKEN_ID_PATTERN = /^tok_[A-Za-z0-9_-]{22}$/

/**
 * How a token reads in a transcript: the category and the id, never any part of the value.
 * The console finds these to offer "reveal".
 */
export const tokenText = (type: string, id: string) => `[${type}:${id}]`

/** Token references in a text (for the console and for tests). */
export const TOKEN_TEXT = /\[([a-z_]+(?::[a-z0-9_]+)?):(tok_[A-Za-z0-9_-]{22})\]/g

const tokenAad = (tenantId: string, id: string, type: string) => `parley:token:${tenantId}:${id}:${type}`

/** A value the vault opened for a reveal. */
export interface RevealedValue {
  tokenId: string
  type: string
  value: string
  conversationId: string | null
}

/**
 * Keeps tokenized values: sealed with the tenant's token key (AES-256-GCM, bound to tenant,
 * token id and category), stored apart from transcripts, opened only for a granted reveal.
 * Tokenizing is synchronous (redaction is a pure step); the sealed rows wait here until the
 * message path commits them, before the message itself is stored.
 */
export class TokenVault {
  readonly #pending = new Map<string, NewProtectToken[]>()

  constructor(
    private readonly store: Store,
    private readonly keys: TenantKeyring,
  ) {}

  /** Loads the tenant's token key, after which `tokenizer(tenantId)` works synchronously. */
  async prepare(tenantId: string): Promise<void> {
    await this.keys.current(tenantId, TOKEN_KEY_PURPOSE)
  }

  tokenizer(tenantId: string): { tokenize(input: { type: string; value: string }): string } {
    return {
      tokenize: ({ type, value }) => {
        const key = this.keys.loadedCurrent(tenantId, TOKEN_KEY_PURPOSE)
        if (!key) throw new Error('the tenant token key is not loaded: call prepare() first')
        const id = `tok_${randomBytes(16).toString('base64url')}`
        const row: NewProtectToken = {
          id,
          tenant_id: tenantId,
          type,
          key_version: key.version,
          sealed: seal(key.key, Buffer.from(value, 'utf8'), tokenAad(tenantId, id, type)),
          conversation_id: null,
          created_at: Date.now(),
        }
        const list = this.#pending.get(tenantId)
        if (list) list.push(row)
        else this.#pending.set(tenantId, [row])
        return tokenText(type, id)
      },
    }
  }

  /**
   * Stores what was tokenized for the tenant since the last call, marked with the conversation
   * it was typed in. Takes the rows synchronously, so a scan and its commit always pair up.
   */
  async commit(tenantId: string, conversationId: string | null): Promise<void> {
    const rows = this.#pending.get(tenantId)
    if (!rows) return
    this.#pending.delete(tenantId)
    for (const row of rows) row.conversation_id = conversationId
    await this.store.vault.insertTokens(rows)
  }

  /** Category and conversation of a token, without opening it. */
  async describe(tenantId: string, tokenId: string) {
    const row = await this.store.vault.token(tenantId, tokenId)
    return row ? { tokenId: row.id, type: row.type, conversationId: row.conversation_id } : null
  }

  /** Opens a token's value. Callers check the reveal grant first (see reveal.ts). */
  async open(tenantId: string, tokenId: string): Promise<RevealedValue | null> {
    const row = await this.store.vault.token(tenantId, tokenId)
    if (!row) return null
    const key = await this.keys.version(tenantId, TOKEN_KEY_PURPOSE, row.key_version)
    const value = unseal(key, Buffer.from(row.sealed), tokenAad(tenantId, row.id, row.type)).toString('utf8')
    return { tokenId: row.id, type: row.type, value, conversationId: row.conversation_id }
  }
}
