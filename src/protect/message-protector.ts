import { ParleyError } from '../errors/index.js'
import { ConversationScanner, type ConversationScanResult } from './conversation.js'
import { type CompiledPolicy, compilePolicy, DEFAULT_POLICY } from './policy.js'
import { type ScanResult, scanText, type Tokenizer } from './scan.js'

/**
 * Where tokenized values are kept (the vault implements it). Tokenizing is synchronous inside
 * a scan; what it produced is committed right after, before the text is stored or sent.
 */
export interface TokenVaultPort {
  /** Loads what tokenizing for the tenant needs (its key); then `tokenizer` works synchronously. */
  prepare(tenantId: string): Promise<void>
  tokenizer(tenantId: string): Tokenizer
  /** Stores what was tokenized for the tenant since the last call, marked with its conversation. */
  commit(tenantId: string, conversationId: string | null): Promise<void>
}

interface TenantState {
  source: string
  policy: CompiledPolicy
  scanner: ConversationScanner
  loadedAt: number
}

/** How long a tenant's policy is used before it is read again (a change on another node shows within this). */
export const POLICY_REFRESH_MS = 30_000

/**
 * The redaction step of the message path: one conversation scanner per tenant under that
 * tenant's policy (the strict default until the tenant saves one). Everything a person types
 * passes through here before it is stored, sent, indexed or logged.
 */
export class MessageProtector {
  readonly #tenants = new Map<string, TenantState>()
  readonly #loading = new Map<string, Promise<TenantState>>()

  readonly #disabled: boolean
  readonly #now: () => number

  readonly #vault: TokenVaultPort | null

  constructor(
    private readonly loadPolicy: (tenantId: string) => Promise<unknown | null>,
    options: { now?: () => number; disabled?: boolean; vault?: TokenVaultPort } = {},
  ) {
    this.#now = options.now ?? Date.now
    this.#disabled = options.disabled === true
    this.#vault = options.vault ?? null
  }

  /** Whether a policy that tokenizes can be applied here. */
  get canTokenize(): boolean {
    return this.#vault !== null
  }

  /** The tenant's compiled policy as the message path applies it (reveal rules included). */
  async policy(tenantId: string): Promise<CompiledPolicy> {
    return (await this.#state(tenantId)).policy
  }

  async #state(tenantId: string): Promise<TenantState> {
    const cached = this.#tenants.get(tenantId)
    if (cached && this.#now() - cached.loadedAt < POLICY_REFRESH_MS) return cached
    let loading = this.#loading.get(tenantId)
    if (!loading) {
      loading = this.#load(tenantId, cached).finally(() => this.#loading.delete(tenantId))
      this.#loading.set(tenantId, loading)
    }
    return loading
  }

  async #load(tenantId: string, previous: TenantState | undefined): Promise<TenantState> {
    const doc = (await this.loadPolicy(tenantId)) ?? DEFAULT_POLICY
    const source = JSON.stringify(doc)
    // The same policy keeps its scanner: it holds the unfinished card numbers of open chats.
    if (previous && previous.source === source) {
      const state = { ...previous, loadedAt: this.#now() }
      this.#tenants.set(tenantId, state)
      return state
    }
    const policy = compilePolicy(doc)
    const tokenizer = policy.tokenizes ? await this.#tokenizer(tenantId) : undefined
    const state: TenantState = {
      source,
      policy,
      scanner: new ConversationScanner(policy, tokenizer ? { tokenizer } : {}),
      loadedAt: this.#now(),
    }
    this.#tenants.set(tenantId, state)
    return state
  }

  async #tokenizer(tenantId: string): Promise<Tokenizer> {
    if (!this.#vault) {
      throw new ParleyError(
        'PARLEY_ERR_PROTECT_TOKENIZE_UNAVAILABLE',
        'the policy tokenizes, but this process has no vault to keep the values',
      )
    }
    await this.#vault.prepare(tenantId)
    return this.#vault.tokenizer(tenantId)
  }

  /** A chat message: redacted, plus earlier messages of the same sender it makes redact again. */
  async scanMessage(
    tenantId: string,
    message: { conversation: string; sender: string; id: string; text: string },
  ): Promise<ConversationScanResult> {
    if (this.#disabled) return { text: message.text, findings: [], summary: {}, revisions: [], openIds: [] }
    const state = await this.#state(tenantId)
    const result = state.scanner.scan(message)
    if (state.policy.tokenizes) await this.#vault!.commit(tenantId, message.conversation)
    return result
  }

  /** Any other text a person typed (form fields, file names, offline messages): redacted on its own. */
  async scanText(tenantId: string, text: string, conversationId: string | null = null): Promise<ScanResult> {
    if (this.#disabled) return { text, findings: [], summary: {} }
    const state = await this.#state(tenantId)
    if (!state.policy.tokenizes) return scanText(text, state.policy)
    const result = scanText(text, state.policy, { tokenizer: this.#vault!.tokenizer(tenantId) })
    await this.#vault!.commit(tenantId, conversationId)
    return result
  }

  /** Drops the cached policy so the next message reads the tenant's new one. */
  invalidate(tenantId: string): void {
    const state = this.#tenants.get(tenantId)
    if (state) state.loadedAt = Number.NEGATIVE_INFINITY
  }
}
