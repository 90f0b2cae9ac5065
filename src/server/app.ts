import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyCookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import fastifyWebsocket from '@fastify/websocket'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify'
import { type Bus, createBus } from '../bus/index.js'
import { ChatService, chatRoutes, PresenceTracker, SiteService, siteAllowsOrigin } from '../chat/index.js'
import { isParleyError, ParleyError } from '../errors/index.js'
import { EventStream, type Origin } from '../events/index.js'
import {
  ApiTokenService,
  actorOf,
  apiTokenRoutes,
  type FactorNeed,
  IdentityService,
  identityRoutes,
  looksLikeApiToken,
  MFA_KEY_PURPOSE,
  MfaService,
  mfaRoutes,
  requireTokenScope,
  SESSION_COOKIE,
  TOKEN_ROUTE_SCOPES,
  verifyVisitorToken,
  WebhookNotifier,
  webhookRoutes,
} from '../identity/index.js'
import { MessageProtector, protectRoutes } from '../protect/index.js'
import { reportsRoutes } from '../reports/index.js'
import { SearchService, searchRoutes } from '../search/index.js'
import { SecureFormService, secureFormPage, secureFormRoutes } from '../secureform/index.js'
import { Store } from '../store/index.js'
import {
  loadMasterKey,
  RevealService,
  TenantKeyring,
  TenantSecretBox,
  TokenVault,
  vaultRoutes,
} from '../vault/index.js'
import {
  plannedResponses,
  renderAlertMail,
  responsePolicySchema,
  type StoredAlert,
  WatchService,
  WidgetThrottle,
  watchRoutes,
} from '../watch/index.js'
import type { ParleyConfig } from './config.js'
import { Gateway, type HandshakeInfo } from './gateway.js'
import { createMailer } from './mailer.js'
import { createMetrics, type Metrics } from './metrics.js'
import { type AnyRoute, mountRoutes, openApiDocument } from './routes.js'
import {
  SESSION_CHANGE_EVENT_TYPES,
  SESSION_CHANGES_TOPIC,
  sessionChangeOf,
  sessionChangeSchema,
} from './session-changes.js'

export interface ParleyApp {
  app: FastifyInstance
  config: ParleyConfig
  store: Store
  bus: Bus
  events: EventStream
  chat: ChatService
  sites: SiteService
  identity: IdentityService
  apiTokens: ApiTokenService
  gateway: Gateway
  metrics: Metrics
  routes: AnyRoute[]
  watch: WatchService
  search: SearchService
  close(): Promise<void>
}

/** Pages Parley serves get this policy: no inline script, no third-party anything. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const here = dirname(fileURLToPath(import.meta.url))
/** web/static, found from src/server (tsx, vitest) and from dist/server (built). */
export const STATIC_DIR = resolve(here, '../../web/static')
/** The agent console `npm run build` makes (Vite, React): a single-page app served at /console. */
export const CONSOLE_DIR = resolve(here, '../../web/console/dist')
/** The widget bundle `npm run build` makes (Vite, Preact). */
export const WIDGET_FILE = resolve(here, '../../web/widget/dist/widget.js')

/** Subresource Integrity of the widget bundle, for the embed snippet (PCI DSS 6.4.3). */
function widgetIntegrity(): string | null {
  if (!existsSync(WIDGET_FILE)) return null
  return `sha384-${createHash('sha384').update(readFileSync(WIDGET_FILE)).digest('base64')}`
}

/** Composes the capabilities into one Fastify app; `listen` is the caller's choice. */
export async function buildApp(
  config: ParleyConfig,
  options: { logStream?: NodeJS.WritableStream } = {},
): Promise<ParleyApp> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Logs never carry secrets or message text: only ids, routes, codes.
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
        remove: true,
      },
      // The query string never reaches a log: it can hold search words, keys and tokens.
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          url: req.url.split('?')[0],
          remoteAddress: req.ip,
        }),
      },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    genReqId: () => crypto.randomUUID(),
  })
  const events = new EventStream((err, event) =>
    app.log.error({ err, eventType: event.type }, 'event listener failed'),
  )
  const metrics = createMetrics(events)
  const storeOptions = {
    databaseUrl: config.databaseUrl,
    sqlitePath: join(config.dataDir, 'parley.db'),
    sqliteSynchronous: config.sqliteSynchronous,
  }
  const store = await Store.open(storeOptions)
  let committedThisSecond = 0
  store.messages.onCommit = (size, ms) => {
    metrics.commitBatch.observe(size)
    metrics.commitSeconds.observe(ms / 1000)
    committedThisSecond += size
  }
  const bus = await createBus(config.nodeId, config.redisUrl, (err) => app.log.error({ err }, 'bus error'))
  // The vault's master key never enters the database: PARLEY_MASTER_KEY, or a 0600 key file.
  const master = loadMasterKey({ env: config.masterKey, file: join(config.dataDir, 'master.key') })
  if (master.source === 'created')
    app.log.warn(
      { file: join(config.dataDir, 'master.key') },
      'created the vault master key file: back it up apart from the database (without it, tokenized values are lost)',
    )
  const keyring = new TenantKeyring(store, master.key)
  const tokenVault = new TokenVault(store, keyring)
  const protector = new MessageProtector((tenantId) => store.directory.protectPolicy(tenantId), {
    // Only bench:chat sets this, to measure what redaction costs; the server says so loudly.
    disabled: config.unsafeDisableRedaction,
    vault: tokenVault,
  })
  if (config.unsafeDisableRedaction)
    app.log.warn('PARLEY_UNSAFE_DISABLE_REDACTION is set: messages are stored unredacted')
  const chat = new ChatService(
    store,
    bus,
    events,
    {
      maxMessageLength: config.maxMessageLength,
      maxPage: 500,
      maxAttachmentBytes: config.maxAttachmentBytes,
    },
    protector,
  )
  // Agents' TOTP secrets are sealed under the tenant's own `mfa` key series (docs/mfa.md).
  const identity = new IdentityService(
    store,
    events,
    config.publicUrl,
    new MfaService(store, events, new TenantSecretBox(keyring, MFA_KEY_PURPOSE)),
  )
  const apiTokens = new ApiTokenService(store, events)
  const integrity = widgetIntegrity()
  if (!integrity) app.log.warn(`the widget bundle is missing (${WIDGET_FILE}); run npm run build`)
  const sites = new SiteService(store, events, config.publicUrl, integrity)
  const presence = new PresenceTracker(store, config.nodeId, chat.router, (t, d) => chat.publish(t, d))
  // Anomaly alerts reach the tenant's admins as a console banner (scope: nobody but admins)
  // and, when an SMTP server is configured, by e-mail when they open.
  const mailer = createMailer(config.smtpUrl, config.mailFrom)
  const webhooks = new WebhookNotifier(store, app.log, config.webhookAllowPrivate)
  // Automatic responses the tenant's policy turned on (all off by default).
  const throttle = new WidgetThrottle(bus)
  const respond = async (tenantId: string, alert: StoredAlert['alert']) => {
    const policy = responsePolicySchema.parse((await store.content.watchPolicy(tenantId)) ?? {})
    const origin: Origin = { channel: 'system', node: config.nodeId }
    // The agent is disabled and their sessions end; announced like an admin's change, so their sockets close too.
    const suspend = async (agentId: string) => {
      await store.directory.updateAgent(tenantId, agentId, { disabled: 1 })
      await store.directory.deleteAgentSessions(agentId)
      events.emit({
        type: 'admin.change',
        tenant: tenantId,
        actor: { kind: 'system', id: 'system' },
        origin,
        resource: 'agent',
        action: 'update',
        resourceId: agentId,
      })
    }
    for (const r of plannedResponses(alert, policy, Date.now())) {
      let target: string
      let note: string | undefined
      if (r.response === 'suspend_token') {
        // The token's next request answers 401 PARLEY_ERR_TOKEN_SUSPENDED until an admin lifts it.
        await apiTokens.setSuspended(
          { tenantId, actor: { kind: 'system', id: 'system' }, origin },
          r.tokenId,
          `anomaly alert ${alert.id}: ${alert.diagnosis.cause}`,
        )
        target = r.tokenId
      } else if (r.response === 'throttle_widget') {
        throttle.block(tenantId, r.network, r.until)
        target = r.network
      } else if (r.response === 'lock_accounts') {
        target = `${await identity.lockRecentlyFailed(tenantId, r.since, r.until)} accounts`
      } else if (r.response === 'require_step_up') {
        // Every session of the agent verifies a code before reading transcripts again (docs/mfa.md).
        target = r.agentId
        if (!(await identity.mfa.requireStepUp(tenantId, r.agentId, origin))) {
          // Without a second factor there is nothing to step up with: the safe fallback is the suspension.
          await suspend(r.agentId)
          note = 'the agent has no MFA enrolled, so they were suspended instead'
        }
      } else {
        target = r.agentId
        await suspend(r.agentId)
      }
      events.emit({
        type: 'watch.response',
        tenant: tenantId,
        actor: { kind: 'system', id: 'system' },
        origin,
        alertId: alert.id,
        response: r.response,
        target,
        ...('until' in r ? { until: new Date(r.until).toISOString() } : {}),
        ...(note ? { note } : {}),
      })
      await watch.recordResponse(tenantId, alert.id, {
        response: r.response,
        target,
        at: Date.now(),
        ...('until' in r ? { until: r.until } : {}),
        ...(note ? { note } : {}),
      })
    }
  }
  const mailAdmins = async (tenantId: string, alert: StoredAlert['alert']) => {
    if (!mailer) return
    const [tenant, agents] = await Promise.all([
      store.directory.tenant(tenantId),
      store.directory.agents(tenantId),
    ])
    const to = agents
      .filter((a) => a.role === 'admin' && !a.disabled && a.password_hash !== null)
      .map((a) => a.email)
    const mail = renderAlertMail(alert, tenant?.name ?? tenantId, `${config.publicUrl}/console`)
    await mailer.send({ to, ...mail })
  }
  const watch = new WatchService(
    store,
    events,
    (tenantId, a) => {
      chat.publish(tenantId, {
        audience: 'agents',
        conversationId: null,
        scope: { agentIds: [], teamIds: [], unassigned: false },
        exceptConnection: null,
        frame: {
          type: 'alert',
          alert: {
            id: a.id,
            state: a.state,
            signal: a.alert.signal,
            severity: a.alert.severity,
            cause: a.alert.diagnosis.cause,
            recommendation: a.alert.recommendation,
          },
        },
      })
      if (a.state === 'open')
        mailAdmins(tenantId, a.alert).catch((err) =>
          app.log.error({ err, alertId: a.id }, 'alert e-mail failed'),
        )
      if (a.state === 'open')
        respond(tenantId, a.alert).catch((err) =>
          app.log.error({ err, alertId: a.id }, 'automatic response failed'),
        )
      webhooks
        .notify(tenantId, 'watch.alert', {
          type: 'watch.alert',
          state: a.state,
          record: a.record,
          alert: a.alert,
        })
        .catch((err) => app.log.error({ err, alertId: a.id }, 'alert webhook failed'))
    },
    config.nodeId,
    bus,
  )
  watch.start()
  const search = await SearchService.open({
    store,
    events,
    nodeId: config.nodeId,
    configuredSecret: config.searchKey,
    log: app.log,
    // Indexing runs beside the message path, not on it (a small pool is enough for it).
    indexerThread: { ...storeOptions, poolSize: 2 },
    // Short transactions: on SQLite each holds the one write lock the message writer needs.
    indexer: { batch: 10 },
  })
  await search.start()
  // Live chat before the index: at a message peak, indexing waits and catches up afterwards.
  const messageRate = setInterval(() => {
    if (config.searchIndexPauseRate > 0)
      search.reportMessageRate(committedThisSecond, config.searchIndexPauseRate)
    committedThisSecond = 0
  }, 1000)
  messageRate.unref()
  const secureForms = new SecureFormService({
    store,
    chat,
    events,
    publicUrl: config.publicUrl,
    allowPrivate: config.webhookAllowPrivate,
    log: app.log,
  })
  await secureForms.init()
  const gateway = new Gateway({
    chat,
    presence,
    identity,
    store,
    events,
    config,
    metrics,
    log: app.log,
    secureForms,
  })
  await gateway.init()
  // Session changes made here reach the other nodes' gateways, and theirs reach this one.
  events.subscribe((e) => {
    const change = sessionChangeOf(e)
    if (change) bus.toOtherNodes(SESSION_CHANGES_TOPIC, change)
  }, SESSION_CHANGE_EVENT_TYPES)
  bus.fromOtherNodes(SESSION_CHANGES_TOPIC, sessionChangeSchema, (change) =>
    gateway.applySessionChange(change),
  )
  presence.start()

  const originOf = (req: FastifyRequest, channel: Origin['channel'] = 'http'): Origin => ({
    channel,
    node: config.nodeId,
    ip: req.ip,
    userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300),
    requestId: req.id,
  })
  const instanceSecret = await store.directory.instanceSecret()

  await app.register(fastifyCookie)
  await app.register(fastifyWebsocket, { options: { maxPayload: config.ws.maxFrameBytes } })
  app.decorateRequest('auth', null)
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: config.maxAttachmentBytes + 1 },
    (_req, body, done) => done(null, body),
  )

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'no-referrer')
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY)
    reply.header('x-frame-options', 'DENY')
    reply.header('cross-origin-opener-policy', 'same-origin')
    if (req.url.startsWith('/api/'))
      reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store')
    // The widget runs on customers' pages: its script and its endpoints are cross-origin by design.
    if (req.url.startsWith('/widget.js')) {
      reply.header('access-control-allow-origin', '*')
      reply.header('cross-origin-resource-policy', 'cross-origin')
    }
    if (req.url.startsWith('/api/v1/widget/') && req.headers.origin) {
      reply.header('access-control-allow-origin', req.headers.origin)
      reply.header('vary', 'Origin')
    }
    return payload
  })
  app.options('/api/v1/widget/*', async (_req, reply) => {
    reply
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', 'authorization, content-type')
      .header('access-control-max-age', '600')
      .code(204)
    return reply.send()
  })

  // Every authenticated API call is an event (who called what, with which outcome).
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown'
    metrics.httpSeconds.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
    const ctx = req.auth
    if (!ctx || !route.startsWith('/api/')) return
    events.emit({
      type: 'api.request',
      tenant: ctx.tenantId,
      actor: actorOf(ctx),
      origin: originOf(req),
      method: req.method,
      route,
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime),
    })
  })

  app.setErrorHandler((err, req, reply) => {
    let e: ParleyError
    if (isParleyError(err)) e = err
    else if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      e = new ParleyError('PARLEY_ERR_PAYLOAD_TOO_LARGE', 'the request body is too large', {
        limit: (err as { statusCode?: number }).statusCode ?? 413,
      })
    } else if (
      (err as { statusCode?: number }).statusCode === 400 ||
      (err as { code?: string }).code?.startsWith('FST_ERR_CTP')
    ) {
      e = new ParleyError('PARLEY_ERR_BAD_REQUEST', 'the request body could not be parsed', { issues: [] })
    } else {
      req.log.error({ err }, 'request failed')
      e = new ParleyError('PARLEY_ERR_INTERNAL', `internal error (request ${req.id})`)
    }
    const denied =
      e.code === 'PARLEY_ERR_AUTH_FORBIDDEN' ||
      e.code === 'PARLEY_ERR_TOKEN_SCOPE' ||
      e.code === 'PARLEY_ERR_TOKEN_ROUTE_DENIED'
    if (denied && req.auth) {
      events.emit({
        type: 'access.denied',
        tenant: req.auth.tenantId,
        actor: actorOf(req.auth),
        origin: originOf(req),
        action: `${req.method} ${req.routeOptions.url ?? ''}`,
        resource: req.url.split('?')[0] ?? '',
        reason: e.message,
      })
    }
    reply.code(e.statusCode).type('application/json').send(e.toJSON())
  })
  app.setNotFoundHandler((req, reply) => {
    const e = new ParleyError(
      'PARLEY_ERR_ROUTE_NOT_FOUND',
      `no route for ${req.method} ${req.url.split('?')[0]}`,
    )
    reply.code(404).send(e.toJSON())
  })

  const authenticate = async (req: FastifyRequest, kind: AnyRoute['auth']) => {
    const unsafe = req.method !== 'GET' && req.method !== 'HEAD'
    if (kind === 'none') {
      // A custom header cannot be sent cross-site without a CORS preflight, which Parley refuses.
      if (unsafe && !req.url.startsWith('/api/v1/widget/') && req.headers['x-parley-csrf'] !== '1') {
        throw new ParleyError('PARLEY_ERR_AUTH_CSRF', 'send the header X-Parley-CSRF: 1')
      }
      return
    }
    if (kind === 'visitor') {
      const header = req.headers.authorization ?? ''
      const claims = header.startsWith('Bearer ') ? verifyVisitorToken(instanceSecret, header.slice(7)) : null
      if (!claims)
        throw new ParleyError('PARLEY_ERR_AUTH_REQUIRED', 'send the visitor token as a Bearer token')
      const site = await store.directory.site(claims.tenantId, claims.siteId)
      if (!site)
        throw new ParleyError(
          'PARLEY_ERR_AUTH_REQUIRED',
          'the visitor token belongs to a site that no longer exists',
        )
      if (req.headers.origin && !siteAllowsOrigin(site, req.headers.origin)) {
        throw new ParleyError(
          'PARLEY_ERR_AUTH_ORIGIN_DENIED',
          "this page's origin is not allowed for the widget",
        )
      }
      req.auth = {
        kind: 'visitor',
        tenantId: claims.tenantId,
        visitorId: claims.visitorId,
        siteId: claims.siteId,
        origin: originOf(req),
      }
      return
    }
    const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : ''
    if (looksLikeApiToken(bearer)) {
      // The tenant comes from the token alone. No CSRF header: a browser never sends this header
      // on its own, so a token request cannot be forged cross-site.
      const ctx = await apiTokens.authenticate(
        bearer,
        originOf(req),
        `${req.method} ${req.routeOptions.url ?? ''}`,
      )
      req.auth = ctx
      requireTokenScope(ctx, req.method, req.routeOptions.url ?? '')
      return
    }
    const token = req.cookies[SESSION_COOKIE]
    const ctx = token ? await identity.resolveSession(token, originOf(req)) : null
    if (!ctx) throw new ParleyError('PARLEY_ERR_AUTH_REQUIRED', 'sign in first')
    if (unsafe && req.headers['x-parley-csrf'] !== '1')
      throw new ParleyError('PARLEY_ERR_AUTH_CSRF', 'send the header X-Parley-CSRF: 1')
    req.auth = ctx
    if (kind === 'admin' && ctx.role !== 'admin')
      throw new ParleyError('PARLEY_ERR_AUTH_FORBIDDEN', 'this action needs the admin role')
  }

  const routes: AnyRoute[] = [
    ...identityRoutes({ identity, store, events, originOf: (req) => originOf(req) }),
    ...mfaRoutes({ identity, store, originOf: (req) => originOf(req) }),
    ...apiTokenRoutes({ tokens: apiTokens }),
    ...chatRoutes({ chat, sites, store, events, sendMail: mailer ? (mail) => mailer.send(mail) : null }),
    ...protectRoutes({ store, protector, events }),
    ...vaultRoutes({
      reveals: new RevealService({
        store,
        tokens: tokenVault,
        events,
        rules: async (tenantId) => (await protector.policy(tenantId)).reveal,
        canReadConversation: (ctx, conversationId) =>
          chat.conversationFor(ctx, conversationId, 'read').then(
            () => true,
            () => false,
          ),
      }),
    }),
    ...watchRoutes({ watch, store, events }),
    ...webhookRoutes({ store, events, allowPrivate: config.webhookAllowPrivate }),
    ...searchRoutes({ search }),
    ...secureFormRoutes({ secureForms, nodeId: config.nodeId }),
    ...reportsRoutes({ store }),
  ]
  // Transcript routes wait while a step-up is due; sensitive ones want a recent code (docs/mfa.md).
  const requireFactor = async (req: FastifyRequest, need: FactorNeed) => {
    if (req.auth?.kind === 'agent') await identity.mfa.requireFactor(req.auth, need)
  }
  mountRoutes(app, routes, authenticate, requireFactor)
  const openapi = openApiDocument(
    routes,
    { title: 'Parley API', version: '1' },
    (r) => TOKEN_ROUTE_SCOPES[`${r.method} ${r.url}`],
  )
  app.get('/api/v1/openapi.json', async () => openapi)

  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send())
  app.get('/readyz', async (_req, reply) => {
    const checks = await Promise.allSettled([store.ping(), bus.ping()])
    const [db, broker] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'unreachable'))
    const ready = db === 'ok' && broker === 'ok'
    reply.code(ready ? 200 : 503)
    return {
      status: ready ? 'ready' : 'unavailable',
      database: db,
      bus: broker,
      busKind: bus.kind,
      databaseKind: store.conn.traits.name,
    }
  })
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType)
    return metrics.registry.metrics()
  })

  // The WebSocket gateway. Checks happen before the upgrade: a refused handshake is a plain HTTP error.
  const publicOrigin = new URL(config.publicUrl).origin
  app.register(async (scope) => {
    scope.get(
      '/ws',
      {
        websocket: true,
        preValidation: async (req) => {
          const q = req.query as Record<string, string | undefined>
          const origin = req.headers.origin
          const base = originOf(req, 'ws')
          if (q.role === 'visitor') {
            const site = q.key ? await store.directory.siteByKey(q.key) : undefined
            if (!site) throw new ParleyError('PARLEY_ERR_AUTH_REQUIRED', 'unknown widget key')
            const throttledUntil = throttle.throttledUntil(site.tenant_id, req.ip, Date.now())
            if (throttledUntil !== null) {
              metrics.rejected.inc({ code: 'PARLEY_ERR_RATE_LIMITED' })
              throw new ParleyError(
                'PARLEY_ERR_RATE_LIMITED',
                'too many new chats from this network; retry later',
                {
                  retryAfterMs: throttledUntil - Date.now(),
                },
              )
            }
            if (!siteAllowsOrigin(site, origin)) {
              metrics.rejected.inc({ code: 'PARLEY_ERR_AUTH_ORIGIN_DENIED' })
              events.emit({
                type: 'ws.rejected',
                tenant: site.tenant_id,
                actor: { kind: 'visitor', id: 'anonymous' },
                origin: base,
                reason: 'origin not allowed',
                code: 'PARLEY_ERR_AUTH_ORIGIN_DENIED',
                siteId: site.id,
                pageOrigin: origin ?? '',
              })
              throw new ParleyError(
                'PARLEY_ERR_AUTH_ORIGIN_DENIED',
                "this page's origin is not allowed to embed the widget",
              )
            }
            ;(req as FastifyRequest & { handshake?: HandshakeInfo }).handshake = {
              role: 'visitor',
              site,
              agent: null,
              origin: base,
            }
            return
          }
          if (q.role === 'agent') {
            // Browsers always send Origin: only the console's own may use the session cookie (no cross-site hijack).
            const cookie = req.cookies[SESSION_COOKIE]
            let agent = null
            if (origin !== undefined && origin !== publicOrigin)
              throw new ParleyError(
                'PARLEY_ERR_AUTH_ORIGIN_DENIED',
                'agent sockets are only accepted from the console',
              )
            if (cookie) agent = await identity.resolveSession(cookie, base)
            ;(req as FastifyRequest & { handshake?: HandshakeInfo }).handshake = {
              role: 'agent',
              site: null,
              agent,
              origin: base,
            }
            return
          }
          throw new ParleyError(
            'PARLEY_ERR_BAD_REQUEST',
            'connect to /ws?role=visitor&key=WIDGET_KEY or /ws?role=agent',
            { issues: [] },
          )
        },
      },
      (socket, req) =>
        gateway.accept(socket, (req as FastifyRequest & { handshake: HandshakeInfo }).handshake),
    )
  })

  if (existsSync(STATIC_DIR)) {
    await app.register(fastifyStatic, { root: STATIC_DIR, prefix: '/static/', index: false })
    for (const [url, file] of [
      ['/', 'index.html'],
      ['/demo', 'demo.html'],
    ] as const) {
      app.get(url, (_req, reply) => reply.sendFile(file))
    }
    // The demo page embeds the demo site's widget: the first site that allows Parley's own origin.
    app.get('/api/v1/demo/widget-key', async () => {
      for (const t of await store.directory.listTenants()) {
        for (const site of await store.directory.sites(t.id)) {
          if (siteAllowsOrigin(site, publicOrigin)) return { key: site.widget_key, integrity }
        }
      }
      throw new ParleyError(
        'PARLEY_ERR_NOT_FOUND',
        'no site allows this server origin; add it to a site to use the demo',
        { resource: 'site' },
      )
    })
    app.get('/widget.js', (_req, reply) => {
      if (!integrity)
        throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'the widget is not built; run npm run build', {
          resource: 'widget',
        })
      return reply.header('cache-control', 'public, max-age=300').sendFile('widget.js', dirname(WIDGET_FILE))
    })
    // The console: hashed assets are immutable; every other /console path is the app's own route
    // (deep links, /console/setup), answered with its index.html, which holds no inline script.
    await app.register(fastifyStatic, {
      root: join(CONSOLE_DIR, 'assets'),
      prefix: '/console/assets/',
      decorateReply: false,
      index: false,
      immutable: true,
      maxAge: '365d',
    })
    const consolePage = (_req: FastifyRequest, reply: FastifyReply) => {
      if (!existsSync(join(CONSOLE_DIR, 'index.html')))
        throw new ParleyError('PARLEY_ERR_NOT_FOUND', 'the console is not built; run npm run build', {
          resource: 'console',
        })
      return reply.header('cache-control', 'no-cache').sendFile('index.html', CONSOLE_DIR)
    }
    await app.register(secureFormPage({ secureForms, pageFile: join(STATIC_DIR, 'secure-form.html') }))
    app.get('/console', consolePage)
    app.get('/console/*', consolePage)
  }

  app.addHook('onClose', async () => {
    gateway.closeAll()
    await watch.stop()
    clearInterval(messageRate)
    await search.stop()
    mailer?.close()
    await presence.stop()
    await bus.close()
    await store.close()
  })

  return {
    app,
    config,
    store,
    bus,
    events,
    chat,
    sites,
    identity,
    apiTokens,
    gateway,
    metrics,
    routes,
    watch,
    search,
    close: () => app.close(),
  }
}
