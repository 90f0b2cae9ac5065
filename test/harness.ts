import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import type { ParleyEvent } from '../src/events/index.js'
import {
  buildApp,
  createTenant,
  loadConfig,
  type NewTenant,
  type ParleyApp,
  type ParleyConfig,
} from '../src/server/index.js'
import { type Engine, freshDatabase, type TestDatabase } from './engines.js'

export interface Harness {
  parley: ParleyApp
  url: string
  wsUrl: string
  origin: string
  tenant: NewTenant
  adminCookie: string
  tdb: TestDatabase
  close(): Promise<void>
}

export const TEST_PASSWORD = 'correct horse battery staple'

/** A real Parley server on a random loopback port, with one tenant whose admin has signed in. */
export async function startHarness(
  engine: Engine,
  overrides: Partial<ParleyConfig> = {},
  options: { logStream?: NodeJS.WritableStream } = {},
): Promise<Harness> {
  const tdb = await freshDatabase(engine)
  const config = loadConfig(
    {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-h-')),
      ...(tdb.databaseUrl ? { DATABASE_URL: tdb.databaseUrl } : {}),
      LOG_LEVEL: 'silent',
    },
    { port: 0, publicUrl: 'http://127.0.0.1', ...overrides },
  )
  const parley = await buildApp(config, options)
  // sqlitePath from the harness database, so PostgreSQL and SQLite tests both clean up.
  await parley.app.listen({ port: 0, host: '127.0.0.1' })
  const address = parley.app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const url = `http://127.0.0.1:${port}`
  const tenant = await createTenant(parley, {
    name: 'Acme Bank',
    adminEmail: `admin-${port}@acme.test`,
    allowedOrigins: ['https://shop.acme.test'],
  })
  const adminCookie = await completeSetup(url, tenant.setupUrl)
  return {
    parley,
    url,
    wsUrl: url.replace('http', 'ws'),
    origin: 'https://shop.acme.test',
    tenant,
    adminCookie,
    tdb,
    close: async () => {
      await parley.close()
      await tdb.dispose()
    },
  }
}

/** Every event the harness's server emits from now on, in order (for asserting what was recorded). */
export function recordEvents(h: Harness): ParleyEvent[] {
  const events: ParleyEvent[] = []
  h.parley.events.subscribe((e) => {
    events.push(e)
  })
  return events
}

export async function completeSetup(
  url: string,
  setupUrl: string,
  password = TEST_PASSWORD,
): Promise<string> {
  const token = new URL(setupUrl).hash.replace('#token=', '')
  const res = await fetch(`${url}/api/v1/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-parley-csrf': '1' },
    body: JSON.stringify({ token, password }),
  })
  if (res.status !== 200) throw new Error(`setup failed: ${res.status} ${await res.text()}`)
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!
}

/** Calls the REST API as the given cookie (agent) or bearer token (visitor). */
export async function api(
  h: Pick<Harness, 'url'>,
  method: string,
  path: string,
  opts: { cookie?: string; bearer?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { 'x-parley-csrf': '1', ...opts.headers }
  if (opts.cookie) headers.cookie = opts.cookie
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  })
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {}
  return { status: res.status, body, headers: res.headers }
}

/** Creates an agent and signs them in; returns their id and cookie. */
export async function addAgent(
  h: Harness,
  name: string,
  opts: { role?: 'admin' | 'agent'; capacity?: number } = {},
) {
  const email = `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@acme.test`
  const r = await api(h, 'POST', '/api/v1/agents', {
    cookie: h.adminCookie,
    body: { email, name, role: opts.role ?? 'agent', capacity: opts.capacity ?? 3 },
  })
  if (r.status !== 201) throw new Error(`agent create failed ${JSON.stringify(r.body)}`)
  const cookie = await completeSetup(h.url, r.body.setupUrl)
  return { id: r.body.id as string, cookie, email }
}

/** A WebSocket test client that records every frame and can wait for one. */
export class Client {
  readonly frames: any[] = []
  readonly ws: WebSocket
  closed: { code: number; reason: string } | null = null
  #waiters: { pred: (f: any) => boolean; resolve: (f: any) => void }[] = []
  readonly opened: Promise<void>
  readonly closedP: Promise<{ code: number; reason: string }>

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers })
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve())
      this.ws.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`handshake ${res.statusCode}`), { statusCode: res.statusCode })),
      )
      this.ws.once('error', reject)
    })
    this.closedP = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() }
        resolve(this.closed)
      }),
    )
    this.ws.on('message', (data) => {
      const f = JSON.parse(data.toString())
      this.frames.push(f)
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(f)) return true
        w.resolve(f)
        return false
      })
    })
  }

  static async visitor(h: Harness, opts: { token?: string | null; origin?: string; key?: string } = {}) {
    const c = new Client(`${h.wsUrl}/ws?role=visitor&key=${opts.key ?? h.tenant.widgetKey}`, {
      origin: opts.origin ?? h.origin,
    })
    await c.opened
    c.send({ type: 'auth', visitorToken: opts.token ?? null })
    const ok = await c.next((f) => f.type === 'auth.ok' || f.type === 'error')
    if (ok.type !== 'auth.ok') throw new Error(JSON.stringify(ok))
    return { client: c, auth: ok }
  }

  static async agent(h: Harness, cookie: string, opts: { online?: boolean } = {}) {
    const c = new Client(`${h.wsUrl}/ws?role=agent`, { cookie })
    await c.opened
    c.send({ type: 'auth' })
    const ok = await c.next((f) => f.type === 'auth.ok' || f.type === 'error')
    if (ok.type !== 'auth.ok') throw new Error(JSON.stringify(ok))
    if (opts.online !== false) {
      c.send({ type: 'presence.set', status: 'online', ref: 'online' })
      await c.next((f) => f.ref === 'online')
    }
    return { client: c, auth: ok }
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** The `conversation.updated` frame saying `conversationId` is now assigned (agents see it). */
  assigned(conversationId: string): Promise<any> {
    return this.next(
      (f) =>
        f.type === 'conversation.updated' &&
        f.conversation.id === conversationId &&
        f.conversation.status === 'assigned',
    )
  }

  /** The first frame (already received or future) matching `pred`. */
  next(pred: (f: any) => boolean, timeoutMs = 5000): Promise<any> {
    const found = this.frames.find(pred)
    if (found) {
      this.frames.splice(this.frames.indexOf(found), 1)
      return Promise.resolve(found)
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting; got ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      )
      this.#waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer)
          this.frames.splice(this.frames.indexOf(f), 1)
          resolve(f)
        },
      })
    })
  }

  async request(frame: Record<string, unknown>): Promise<any> {
    const ref = Math.random().toString(36).slice(2)
    this.send({ ...frame, ref })
    return this.next((f) => f.ref === ref)
  }

  close(): void {
    this.ws.close()
  }
}
