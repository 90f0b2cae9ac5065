import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { ChatService, SecureFormView, ServerFrame } from '../chat/index.js'
import { isParleyError, ParleyError } from '../errors/index.js'
import type { EventStream, Origin } from '../events/index.js'
import {
  type AgentContext,
  type AuthContext,
  actorOf,
  adminChangeEvent,
  checkWebhookUrl,
  deliverWebhook,
  newSecret,
  requireAgent,
  type VisitorContext,
} from '../identity/index.js'
import type { SecureFormRow, Store } from '../store/index.js'
import { type CheckedFields, checkFields, describeForm, type SecureFormKind } from './fields.js'
import type { ConfigBody } from './secure-form.schema.js'

/** How long a requested form can be filled in. */
export const SECURE_FORM_TTL_MS = 10 * 60_000
/** Refused or undeliverable submissions before a form is locked. */
export const SECURE_FORM_MAX_ATTEMPTS = 5
const DELIVERY_TIMEOUT_MS = 10_000

export interface SecureFormDeps {
  store: Store
  chat: ChatService
  events: EventStream
  publicUrl: string
  /** The webhook allowance: http and private addresses for internal receivers and tests. */
  allowPrivate: boolean
  log: FastifyBaseLogger
}

const iso = (ms: number) => new Date(ms).toISOString()
const closed = () =>
  new ParleyError('PARLEY_ERR_SECURE_FORM_CLOSED', 'this secure form can no longer be used')
const notFound = () =>
  new ParleyError('PARLEY_ERR_NOT_FOUND', 'secure form not found', { resource: 'secure_form' })

/**
 * Secure forms: an agent asks, the visitor types card or account data into Parley's own page
 * in an iframe, and the values go from that one request to the tenant's endpoint, signed like
 * a webhook. Nothing here stores, logs or emits a value: the transcript and the event stream
 * learn the kind, the outcome and, for a card, its last four digits.
 */
export class SecureFormService {
  #tokenKey: Buffer | null = null

  constructor(private readonly deps: SecureFormDeps) {}

  /** Form tokens are HMACs of the form id under a key derived from the instance secret: nothing to store. */
  async init(): Promise<void> {
    const secret = await this.deps.store.directory.instanceSecret()
    this.#tokenKey = createHmac('sha256', secret).update('parley secure-form token v1').digest()
  }

  tokenFor(formId: string): string {
    if (!this.#tokenKey) throw new Error('SecureFormService.init() was not awaited')
    return createHmac('sha256', this.#tokenKey).update(formId).digest('base64url')
  }

  #tokenMatches(formId: string, token: string | undefined): boolean {
    if (!token) return false
    const given = Buffer.from(token, 'base64url')
    const expected = Buffer.from(this.tokenFor(formId), 'base64url')
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  // ── tenant configuration (admins) ──

  async config(tenantId: string) {
    const c = await this.deps.store.secureForms.config(tenantId)
    return {
      configured: c !== undefined,
      url: c?.url ?? null,
      kinds: c?.kinds ?? [],
      customLabel: c?.customLabel ?? null,
      updatedAt: c ? iso(c.updatedAt) : null,
    }
  }

  async saveConfig(ctx: AgentContext, body: ConfigBody) {
    let url: string
    try {
      url = checkWebhookUrl(body.url, this.deps.allowPrivate).toString()
    } catch (err) {
      if (!isParleyError(err)) throw err
      throw new ParleyError(
        'PARLEY_ERR_SECURE_FORM_URL_REFUSED',
        err.message.replace(/webhook/g, 'destination'),
        {},
        { cause: err },
      )
    }
    const previous = await this.deps.store.secureForms.config(ctx.tenantId)
    const fresh = !previous || body.rotateSecret === true
    const secret = fresh ? `sfsec_${newSecret(24)}` : previous.secret
    const kinds = [...new Set(body.kinds)]
    const customLabel = body.customLabel ?? null
    const updatedAt = await this.deps.store.secureForms.saveConfig({
      tenantId: ctx.tenantId,
      url,
      secret,
      kinds,
      customLabel,
    })
    this.deps.events.emit(
      adminChangeEvent(ctx, 'secure_form_config', previous ? 'update' : 'create', ctx.tenantId),
    )
    return {
      configured: true,
      url,
      kinds,
      customLabel,
      updatedAt: iso(updatedAt),
      ...(fresh ? { secret } : {}),
    }
  }

  // ── agents request, visitors receive ──

  async request(
    ctx: AuthContext,
    conversationId: string,
    input: { kind: SecureFormKind; label?: string | undefined },
  ): Promise<SecureFormView> {
    requireAgent(ctx)
    const { store, chat, events } = this.deps
    const conv = await chat.conversationFor(ctx, conversationId, 'write')
    if (conv.status === 'closed')
      throw new ParleyError('PARLEY_ERR_CONVERSATION_CLOSED', 'the conversation is closed; reopen it first')
    const config = await store.secureForms.config(ctx.tenantId)
    if (!config)
      throw new ParleyError(
        'PARLEY_ERR_SECURE_FORM_NOT_CONFIGURED',
        'an admin must set a secure-form destination first',
      )
    if (!config.kinds.includes(input.kind))
      throw new ParleyError('PARLEY_ERR_SECURE_FORM_KIND_DISABLED', `${input.kind} forms are not enabled`, {
        enabled: config.kinds,
      })
    const rawLabel = input.label ?? (input.kind === 'custom' ? config.customLabel : null)
    // Agents type labels: they pass the tenant's redaction policy like any text that is stored.
    const label = rawLabel ? await chat.redactText(ctx.tenantId, rawLabel) : null
    const id = randomUUID()
    const now = Date.now()
    const message = await chat.appendSystemMessage(
      conv,
      `sf:${id}:requested`,
      `Secure form requested: ${describeForm(input.kind, label)}`,
    )
    const form: SecureFormRow = {
      id,
      tenant_id: ctx.tenantId,
      conversation_id: conv.id,
      visitor_id: conv.visitor_id,
      site_id: conv.site_id,
      kind: input.kind,
      label,
      status: 'pending',
      attempts: 0,
      requested_by: ctx.agentId,
      request_seq: message.seq,
      created_at: now,
      expires_at: now + SECURE_FORM_TTL_MS,
      closed_at: null,
    }
    await store.secureForms.insertForm(form)
    events.emit({
      type: 'secure_form.requested',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: ctx.origin,
      conversationId: conv.id,
      formId: id,
      kind: input.kind,
    })
    chat.publish(ctx.tenantId, {
      audience: 'visitor',
      conversationId: conv.id,
      scope: null,
      exceptConnection: null,
      frame: this.#offer(form),
    })
    return this.#view(form)
  }

  async list(ctx: AuthContext, conversationId: string): Promise<SecureFormView[]> {
    requireAgent(ctx)
    const conv = await this.deps.chat.conversationFor(ctx, conversationId, 'read')
    return (await this.deps.store.secureForms.formsOf(ctx.tenantId, conv.id)).map((f) => this.#view(f))
  }

  /** The forms a visitor can still fill in, as `secure_form` frames (sent again after a resume). */
  async offers(ctx: VisitorContext, conversationId: string): Promise<ServerFrame[]> {
    const now = Date.now()
    return (await this.deps.store.secureForms.formsOf(ctx.tenantId, conversationId))
      .filter((f) => f.visitor_id === ctx.visitorId && f.status === 'pending' && f.expires_at > now)
      .map((f) => this.#offer(f))
  }

  #offer(f: SecureFormRow): ServerFrame {
    return {
      type: 'secure_form',
      conversationId: f.conversation_id,
      formId: f.id,
      kind: f.kind,
      label: f.label,
      url: `${this.deps.publicUrl}/secure-form/${f.id}#t=${this.tokenFor(f.id)}`,
      expiresAt: iso(f.expires_at),
      seq: f.request_seq,
    }
  }

  #view(f: SecureFormRow): SecureFormView {
    return {
      id: f.id,
      conversationId: f.conversation_id,
      kind: f.kind,
      label: f.label,
      status: f.status === 'pending' && f.expires_at <= Date.now() ? 'expired' : f.status,
      seq: f.request_seq,
      createdAt: iso(f.created_at),
      expiresAt: iso(f.expires_at),
    }
  }

  // ── the form page (the form token is the credential) ──

  /** The page origins that may frame a form: its site's allowed origins. */
  async frameAncestors(formId: string): Promise<string[] | null> {
    const form = await this.deps.store.secureForms.form(formId)
    if (!form) return null
    const site = await this.deps.store.directory.site(form.tenant_id, form.site_id)
    const origins = site ? (JSON.parse(site.allowed_origins) as string[]) : []
    // Each goes into a CSP header: only plain scheme://host[:port] origins.
    return origins.filter((o) => /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(o))
  }

  /** A form that can still be filled in, for the holder of its token. */
  async open(formId: string, token: string | undefined): Promise<SecureFormRow> {
    const form = await this.deps.store.secureForms.form(formId)
    // An unknown form and a wrong token look the same.
    if (!form || !this.#tokenMatches(form.id, token)) throw notFound()
    if (form.status !== 'pending') throw closed()
    if (form.expires_at <= Date.now())
      throw new ParleyError(
        'PARLEY_ERR_SECURE_FORM_EXPIRED',
        'this secure form has expired; ask for a new one',
      )
    return form
  }

  /**
   * Checks the values, claims the form (single use), and forwards them to the tenant's
   * endpoint. Resolves when the endpoint accepted them; the values are dropped either way.
   */
  async submit(formId: string, token: string | undefined, input: unknown, origin: Origin): Promise<void> {
    const { store } = this.deps
    const form = await this.open(formId, token)
    const config = await store.secureForms.config(form.tenant_id)
    if (!config)
      throw new ParleyError(
        'PARLEY_ERR_SECURE_FORM_NOT_CONFIGURED',
        'secure forms are switched off for this site',
      )
    let checked: CheckedFields
    try {
      checked = checkFields(form.kind, input)
    } catch (err) {
      if ((await store.secureForms.countAttempt(form.id)) >= SECURE_FORM_MAX_ATTEMPTS)
        await this.#lock(form, origin)
      throw err
    }
    if (!(await store.secureForms.transition(form.id, ['pending'], 'sending', { notExpiredAt: Date.now() })))
      throw closed()
    const payload = {
      type: 'secure_form.submitted',
      formId: form.id,
      conversationId: form.conversation_id,
      visitorId: form.visitor_id,
      siteId: form.site_id,
      kind: form.kind,
      label: form.label,
      submittedAt: new Date().toISOString(),
      fields: checked.fields,
    }
    let status = 0
    try {
      status = await deliverWebhook(config, 'secure_form.submitted', payload, {
        allowPrivate: this.deps.allowPrivate,
        timeoutMs: DELIVERY_TIMEOUT_MS,
      })
    } catch (err) {
      this.deps.log.warn({ formId: form.id, err: (err as Error).message }, 'secure form delivery failed')
    }
    if (status >= 200 && status < 300) {
      await store.secureForms.transition(form.id, ['sending'], 'completed')
      const last4 = checked.last4
      await this.#finish(
        form,
        origin,
        'completed',
        last4,
        `sf:${form.id}:completed`,
        form.kind === 'card' && last4
          ? `Secure form completed (card ending ${last4})`
          : `Secure form completed: ${describeForm(form.kind, form.label)}`,
      )
      return
    }
    if (status)
      this.deps.log.warn({ formId: form.id, status }, 'secure form destination answered with an error status')
    await store.secureForms.transition(form.id, ['sending'], 'pending', { countAttempt: true })
    const attempts = (await store.secureForms.form(form.id))?.attempts ?? SECURE_FORM_MAX_ATTEMPTS
    if (attempts >= SECURE_FORM_MAX_ATTEMPTS) await this.#lock(form, origin)
    else
      await this.#finish(
        form,
        origin,
        'failed',
        undefined,
        `sf:${form.id}:failed:${attempts}`,
        'Secure form failed: destination unavailable',
      )
    throw new ParleyError(
      'PARLEY_ERR_SECURE_FORM_DESTINATION_FAILED',
      'the form could not be delivered; nothing was kept, please try again',
    )
  }

  async cancel(formId: string, token: string | undefined, origin: Origin): Promise<void> {
    const form = await this.open(formId, token)
    if (!(await this.deps.store.secureForms.transition(form.id, ['pending'], 'cancelled'))) throw closed()
    await this.#finish(
      form,
      origin,
      'cancelled',
      undefined,
      `sf:${form.id}:cancelled`,
      'Secure form cancelled by the visitor',
    )
  }

  async #lock(form: SecureFormRow, origin: Origin): Promise<void> {
    if (await this.deps.store.secureForms.transition(form.id, ['pending'], 'locked'))
      await this.#finish(
        form,
        origin,
        'failed',
        undefined,
        `sf:${form.id}:locked`,
        'Secure form failed: too many attempts',
      )
  }

  /** The transcript line both sides see, and the event, for how a form ended. */
  async #finish(
    form: SecureFormRow,
    origin: Origin,
    outcome: 'completed' | 'failed' | 'cancelled',
    last4: string | undefined,
    clientMsgId: string,
    text: string,
  ): Promise<void> {
    const conv = await this.deps.store.conversations.conversation(form.tenant_id, form.conversation_id)
    if (conv) await this.deps.chat.appendSystemMessage(conv, clientMsgId, text)
    this.deps.events.emit({
      type: 'secure_form.completed',
      tenant: form.tenant_id,
      actor: { kind: 'visitor', id: form.visitor_id },
      origin,
      conversationId: form.conversation_id,
      formId: form.id,
      kind: form.kind,
      outcome,
      ...(last4 ? { last4 } : {}),
    })
  }
}
