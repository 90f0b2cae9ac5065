import { join } from 'node:path'
import {
  bootstrapFirstTenant,
  buildApp,
  createTenant,
  loadConfig,
  tuneHeapForServing,
} from '../server/index.js'
import { Store } from '../store/index.js'

export async function serveCommand(opts: { port?: string; host?: string }): Promise<void> {
  tuneHeapForServing()
  const config = loadConfig(process.env, {
    ...(opts.port ? { port: Number(opts.port) } : {}),
    ...(opts.host ? { host: opts.host } : {}),
  })
  const parley = await buildApp(config)
  const first = await bootstrapFirstTenant(parley, config.publicUrl)
  await parley.app.listen({ port: config.port, host: config.host })
  const out = process.stdout
  out.write(
    `\nParley is running on ${config.publicUrl}  (database: ${parley.store.conn.describe}, bus: ${parley.bus.kind})\n`,
  )
  out.write(`  Agent console:  ${config.publicUrl}/console\n`)
  out.write(`  Widget demo:    ${config.publicUrl}/demo\n`)
  out.write(`  API (OpenAPI):  ${config.publicUrl}/api/v1/openapi.json\n`)
  if (first) {
    out.write(
      '\nFirst start: a tenant was created. Open this one-time link to set the administrator password\n',
    )
    out.write(`(valid 72 hours, usable once; there is no default password):\n\n  ${first.setupUrl}\n\n`)
  }
  const stop = async (signal: string) => {
    parley.app.log.info({ signal }, 'shutting down')
    await parley.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))
}

export async function migrateCommand(): Promise<void> {
  const config = loadConfig()
  const store = await Store.open({
    databaseUrl: config.databaseUrl,
    sqlitePath: join(config.dataDir, 'parley.db'),
  })
  process.stdout.write(`schema up to date (${store.conn.describe})\n`)
  await store.close()
}

export async function tenantCreateCommand(opts: {
  name: string
  adminEmail: string
  adminName: string
  origin?: string[]
  json?: boolean
}): Promise<void> {
  const config = loadConfig(process.env, { logLevel: 'warn' })
  // Warnings go to stderr: stdout is the command's output (`--json` must stay parseable).
  const parley = await buildApp(config, { logStream: process.stderr })
  try {
    const t = await createTenant(parley, {
      name: opts.name,
      adminEmail: opts.adminEmail,
      adminName: opts.adminName,
      allowedOrigins: opts.origin?.length ? opts.origin : [new URL(config.publicUrl).origin],
    })
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ ...t, setupExpiresAt: new Date(t.setupExpiresAt).toISOString() })}\n`,
      )
    } else {
      process.stdout.write(`Tenant ${opts.name} created (${t.tenantId}).\n`)
      process.stdout.write(`Widget key: ${t.widgetKey}\n`)
      process.stdout.write(`One-time setup link for ${t.adminEmail} (valid 72 hours):\n  ${t.setupUrl}\n`)
    }
  } finally {
    await parley.close()
  }
}

/** The operator's view across tenants: recent anomaly alerts, newest first. */
export async function alertsListCommand(opts: {
  tenant?: string
  state?: string
  limit: string
  json?: boolean
}): Promise<void> {
  const config = loadConfig(process.env, { logLevel: 'warn' })
  const store = await Store.open({
    databaseUrl: config.databaseUrl,
    sqlitePath: join(config.dataDir, 'parley.db'),
  })
  try {
    const tenants = new Map((await store.directory.listTenants()).map((t) => [t.id, t.name]))
    const alerts = (await store.content.alerts(opts.tenant ?? null, Number(opts.limit))).filter(
      (a) => !opts.state || a.state === opts.state,
    )
    for (const a of alerts) {
      const alert = a.alert as {
        signal: string
        severity: string
        detectedAt: string
        diagnosis: { cause: string; confidence: number }
      }
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ tenant: a.tenantId, tenantName: tenants.get(a.tenantId), id: a.id, state: a.state, alert: a.alert })}\n`,
        )
      } else {
        process.stdout.write(
          `${alert.detectedAt}  ${(tenants.get(a.tenantId) ?? a.tenantId).padEnd(24)}  ${a.state.padEnd(12)}  ${alert.severity.padEnd(8)}  ${alert.signal.padEnd(20)}  ${alert.diagnosis.cause} (${Math.round(alert.diagnosis.confidence * 100)}%)\n`,
        )
      }
    }
    if (!opts.json && alerts.length === 0) process.stdout.write('no alerts\n')
  } finally {
    await store.close()
  }
}
