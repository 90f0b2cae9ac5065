import { ConversationScanner, type ConversationScanResult } from './conversation.js'
import { type CompiledPolicy, compilePolicy, DEFAULT_POLICY } from './policy.js'
import { type ScanResult, scanText } from './scan.js'

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

  constructor(
    private readonly loadPolicy: (tenantId: string) => Promise<unknown | null>,
    options: { now?: () => number; disabled?: boolean } = {},
  ) {
    this.#now = options.now ?? Date.now
    this.#disabled = options.disabled === true
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
    const state: TenantState =
      previous && previous.source === source
        ? { ...previous, loadedAt: this.#now() }
        : (() => {
            const policy = compilePolicy(doc)
            return { source, policy, scanner: new ConversationScanner(policy), loadedAt: this.#now() }
          })()
    this.#tenants.set(tenantId, state)
    return state
  }

  /** A chat message: redacted, plus earlier messages of the same sender it makes redact again. */
  async scanMessage(
    tenantId: string,
    message: { conversation: string; sender: string; id: string; text: string },
  ): Promise<ConversationScanResult> {
    if (this.#disabled) return { text: message.text, findings: [], summary: {}, revisions: [], openIds: [] }
    return (await this.#state(tenantId)).scanner.scan(message)
  }

  /** Any other text a person typed (form fields, file names, offline messages): redacted on its own. */
  async scanText(tenantId: string, text: string): Promise<ScanResult> {
    if (this.#disabled) return { text, findings: [], summary: {} }
    return scanText(text, (await this.#state(tenantId)).policy)
  }

  /** Drops the cached policy so the next message reads the tenant's new one. */
  invalidate(tenantId: string): void {
    const state = this.#tenants.get(tenantId)
    if (state) state.loadedAt = Number.NEGATIVE_INFINITY
  }
}
