import { randomUUID } from 'node:crypto'
import type { z } from 'zod'
import { ParleyError } from '../errors/index.js'
import type { EventStream } from '../events/index.js'
import { type AgentContext, adminChangeEvent, newSecret } from '../identity/index.js'
import type { SiteRow, Store } from '../store/index.js'
import { type BusinessHours, isWithinBusinessHours } from './business-hours.js'
import type { createSiteBody, prechatSchema, siteView, updateSiteBody } from './chat.schema.js'

export type Prechat = z.infer<typeof prechatSchema>
export const DEFAULT_PRECHAT: Prechat = {
  enabled: true,
  fields: [
    { name: 'name', label: 'Name', type: 'text', required: false },
    { name: 'email', label: 'Email', type: 'email', required: false },
  ],
}

/** Normalises an origin for comparison: lower-case scheme and host, no trailing slash. */
export function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin
  } catch {
    return ''
  }
}

export function siteAllowsOrigin(
  site: Pick<SiteRow, 'allowed_origins'>,
  origin: string | undefined,
): boolean {
  if (!origin) return false
  const wanted = normalizeOrigin(origin)
  return (JSON.parse(site.allowed_origins) as string[]).some((o) => normalizeOrigin(o) === wanted)
}

export function siteBusinessHours(site: Pick<SiteRow, 'business_hours'>): BusinessHours {
  return JSON.parse(site.business_hours) as BusinessHours
}

export function siteOpenNow(site: Pick<SiteRow, 'business_hours'>, now = new Date()): boolean {
  return isWithinBusinessHours(siteBusinessHours(site), now)
}

/** Sites: one per website, each with its widget key and the page origins allowed to embed it. */
export class SiteService {
  constructor(
    private readonly store: Store,
    private readonly events: EventStream,
    private readonly publicUrl: string,
    private readonly widgetIntegrity: string | null = null,
  ) {}

  present(site: SiteRow): z.infer<typeof siteView> {
    return {
      id: site.id,
      name: site.name,
      widgetKey: site.widget_key,
      allowedOrigins: JSON.parse(site.allowed_origins) as string[],
      prechat: JSON.parse(site.prechat) as Prechat,
      businessHours: siteBusinessHours(site),
      snippet: this.snippet(site.widget_key),
      createdAt: new Date(site.created_at).toISOString(),
    }
  }

  /** The embed code shown in the console for a site. */
  snippet(widgetKey: string): string {
    const integrity = this.widgetIntegrity ? ` integrity="${this.widgetIntegrity}"` : ''
    return `<script async src="${this.publicUrl}/widget.js"${integrity} data-parley-key="${widgetKey}" crossorigin="anonymous"></script>`
  }

  async create(
    ctx: AgentContext | null,
    tenantId: string,
    input: z.infer<typeof createSiteBody>,
  ): Promise<SiteRow> {
    const id = randomUUID()
    await this.store.directory.insertSite({
      id,
      tenant_id: tenantId,
      name: input.name,
      widget_key: `pk_${newSecret(18)}`,
      allowed_origins: JSON.stringify(input.allowedOrigins.map(normalizeOrigin)),
      prechat: JSON.stringify(input.prechat ?? DEFAULT_PRECHAT),
      business_hours: JSON.stringify(input.businessHours ?? null),
    })
    if (ctx) this.#audit(ctx, 'create', id)
    return (await this.store.directory.site(tenantId, id))!
  }

  async update(ctx: AgentContext, id: string, patch: z.infer<typeof updateSiteBody>): Promise<SiteRow> {
    const ok = await this.store.directory.updateSite(ctx.tenantId, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.allowedOrigins !== undefined
        ? { allowed_origins: JSON.stringify(patch.allowedOrigins.map(normalizeOrigin)) }
        : {}),
      ...(patch.prechat !== undefined ? { prechat: JSON.stringify(patch.prechat) } : {}),
      ...(patch.businessHours !== undefined ? { business_hours: JSON.stringify(patch.businessHours) } : {}),
    })
    if (!ok) throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'site not found', { resource: 'site' })
    this.#audit(ctx, 'update', id)
    return (await this.store.directory.site(ctx.tenantId, id))!
  }

  async remove(ctx: AgentContext, id: string): Promise<void> {
    if (!(await this.store.directory.deleteSite(ctx.tenantId, id))) {
      throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'site not found', { resource: 'site' })
    }
    this.#audit(ctx, 'delete', id)
  }

  /** The site of a widget key, only when the page's Origin is on its allowlist. */
  async siteForWidget(
    widgetKey: string,
    origin: string | undefined,
    opts: { allowMissingOrigin?: boolean } = {},
  ): Promise<SiteRow> {
    const site = await this.store.directory.siteByKey(widgetKey)
    if (!site) throw new ParleyError('PARLEY_ERR_AUTH_REQUIRED', 'unknown widget key')
    if (!(origin === undefined && opts.allowMissingOrigin) && !siteAllowsOrigin(site, origin)) {
      throw new ParleyError(
        'PARLEY_ERR_AUTH_ORIGIN_DENIED',
        "this page's origin is not allowed to embed the widget",
        {
          origin: origin ?? '',
        },
      )
    }
    return site
  }

  #audit(ctx: AgentContext, action: 'create' | 'update' | 'delete', id: string): void {
    this.events.emit(adminChangeEvent(ctx, 'site', action, id))
  }
}
