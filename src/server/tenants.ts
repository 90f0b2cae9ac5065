import { randomUUID } from 'node:crypto'
import type { SiteService } from '../chat/index.js'
import type { IdentityService } from '../identity/index.js'
import type { Store } from '../store/index.js'

export interface NewTenant {
  tenantId: string
  siteId: string
  widgetKey: string
  adminEmail: string
  setupUrl: string
  setupExpiresAt: number
}

/**
 * Creates a tenant with its first site and first administrator. The administrator has no
 * password: they get a one-time setup link, valid 72 hours (there is no default password).
 */
export async function createTenant(
  deps: { store: Store; sites: SiteService; identity: IdentityService },
  input: {
    name: string
    adminEmail: string
    adminName?: string
    siteName?: string
    allowedOrigins: string[]
  },
): Promise<NewTenant> {
  const tenantId = randomUUID()
  await deps.store.directory.insertTenant({ id: tenantId, name: input.name })
  const site = await deps.sites.create(null, tenantId, {
    name: input.siteName ?? `${input.name} website`,
    allowedOrigins: input.allowedOrigins,
  })
  const admin = await deps.identity.createAgent({
    tenantId,
    email: input.adminEmail,
    name: input.adminName ?? 'Administrator',
    role: 'admin',
    capacity: 5,
  })
  return {
    tenantId,
    siteId: site.id,
    widgetKey: site.widget_key,
    adminEmail: input.adminEmail.toLowerCase(),
    setupUrl: admin.setupUrl,
    setupExpiresAt: admin.setupExpiresAt,
  }
}

/** On an empty database, creates the first tenant; returns it, or null when tenants exist. */
export async function bootstrapFirstTenant(
  deps: { store: Store; sites: SiteService; identity: IdentityService },
  publicUrl: string,
): Promise<NewTenant | null> {
  if ((await deps.store.directory.countTenants()) > 0) return null
  return createTenant(deps, {
    name: 'My company',
    adminEmail: `admin@${new URL(publicUrl).hostname === 'localhost' ? 'parley.localhost' : new URL(publicUrl).hostname}`,
    // The demo page is served by Parley itself, so its own origin may embed the widget.
    allowedOrigins: [new URL(publicUrl).origin],
    siteName: 'Demo site',
  })
}
