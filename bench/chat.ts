// npm run bench:chat -- [--visitors 1000] [--agents 50] [--seconds 10] [--db sqlite|postgres] [--quick]
// Parley (every message persisted, acked after commit) against a bare ws relay, same clients.
// Diagnosis: PARLEY_BENCH_NODE_ARGS (e.g. "--trace-gc-nvp") adds server node flags,
// PARLEY_BENCH_SERVER_LOG=FILE keeps the server's output, PARLEY_BENCH_LOG_LEVEL sets its log level,
// PARLEY_BENCH_PROFILE=DIR writes CPU profiles, PARLEY_BENCH_METRICS=1 prints /metrics,
// PARLEY_BENCH_THREADS=1 prints each busy thread's time per message (see reportThreads).
// --tick-ms sets how often the open loop sends what is due (default 10).
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type WebSocket from 'ws'
import { freshDatabase } from '../test/engines.js'
import { freePort, startServerProcess } from '../test/processes.js'
import { drive, nextFrame, open, type Pair, percentile, pool } from './chat-clients.js'

const { values } = parseArgs({
  options: {
    visitors: { type: 'string', default: '1000' },
    agents: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    db: { type: 'string', default: 'sqlite' },
    rate: { type: 'string', default: '5000' },
    window: { type: 'string', default: '2' },
    'tick-ms': { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'max,rate' },
    redaction: { type: 'string', default: 'both' },
  },
})
const quick = values.quick
const V = quick ? 100 : Number(values.visitors)
const M = quick ? 5 : Number(values.agents)
const SECONDS = quick ? 2 : Number(values.seconds)
const RATE = quick ? 500 : Number(values.rate)
const WINDOW = Number(values.window)
const ROOT = resolve(import.meta.dirname, '..')

interface Target {
  name: string
  wsUrl: string
  origin: string
  agentHeaders: Record<string, string>[]
  visitorQuery: string
  memory: () => Promise<{ heap: number; rss: number }>
  /** The server process: its processor time (all threads) and writes are read from /proc. */
  pid: number | undefined
  metrics?: () => Promise<string>
  stop: () => Promise<void>
}

async function json(url: string, init: RequestInit = {}) {
  const r = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', 'x-parley-csrf': '1', ...(init.headers ?? {}) },
  })
  return { body: (await r.json()) as any, cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]! }
}

/**
 * User plus system time of a process and all its threads, from /proc (Linux; NaN elsewhere).
 * It is what each message costs the server, whatever else the machine is doing at the time.
 */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const t = statTimes(`/proc/${pid}/stat`)
    return t.user + t.system
  } catch {
    return Number.NaN
  }
}

/** User and system seconds from a /proc stat file (a process's or one thread's). */
function statTimes(path: string): { user: number; system: number } {
  const stat = readFileSync(path, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 }
}

interface ThreadTimes {
  /** Seconds in user and system mode, and waiting runnable for a processor (run-queue delay). */
  user: number
  system: number
  waiting: number
}

/** Per-thread times of a process, by thread id, from /proc (Linux; empty elsewhere). */
function threadTimes(pid: number | undefined): Map<number, ThreadTimes> {
  const out = new Map<number, ThreadTimes>()
  if (pid === undefined) return out
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const waiting = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e9
      out.set(Number(tid), { ...statTimes(`/proc/${pid}/task/${tid}/stat`), waiting })
    }
  } catch {}
  return out
}

/** Bytes a process has handed to write syscalls so far (/proc/PID/io's wchar). */
function writtenBytes(pid: number | undefined): number {
  try {
    return Number(/wchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1])
  } catch {
    return Number.NaN
  }
}

/**
 * PARLEY_BENCH_THREADS=1: what each message cost each busy thread of the server and of this
 * (client) process, and how long it waited for a processor: on two shared cores the wait, not
 * the work, is most of a slow message's latency.
 */
function reportThreads(
  label: string,
  procs: { name: string; pid: number | undefined }[],
  before: Map<number, ThreadTimes>[],
  serverWrote: number,
  r: { acked: number; seconds: number },
): void {
  const per = (seconds: number) => ((seconds * 1e6) / r.acked).toFixed(1)
  console.log(`${label}: server wrote ${(serverWrote / r.acked).toFixed(0)} bytes/msg to files and sockets`)
  procs.forEach(({ name, pid }, k) => {
    for (const [tid, b] of threadTimes(pid)) {
      const a = before[k]!.get(tid) ?? { user: 0, system: 0, waiting: 0 }
      // Threads that used under 1% of a core are left out (idle helpers).
      if (b.user + b.system - a.user - a.system < 0.01 * r.seconds) continue
      console.log(
        `${label}: ${name} ${tid === pid ? 'main' : `thread ${tid}`}  user ${per(b.user - a.user)}  system ${per(b.system - a.system)}  waiting ${per(b.waiting - a.waiting)} µs/msg`,
      )
    }
  })
}

/**
 * Runs a full garbage collection in the server through its inspector, so the heap read next
 * holds what is retained, not what the young generation has not collected yet.
 */
async function collectGarbage(inspectorPort: number): Promise<void> {
  const [target] = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as {
    webSocketDebuggerUrl: string
  }[]
  const ws = await open(target!.webSocketDebuggerUrl)
  const done = nextFrame(ws, (f) => f.id === 1)
  ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }))
  await done
  ws.close()
}

async function parleyTarget(db: string, redaction: boolean): Promise<Target> {
  const tdb = db === 'postgres' ? await freshDatabase('postgres') : null
  const inspectorPort = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'))
  const server = await startServerProcess(
    {
      DATA_DIR: dataDir,
      ...(tdb ? { DATABASE_URL: tdb.databaseUrl! } : {}),
      WS_FRAMES_PER_SECOND: '100000',
      WS_BURST: '100000',
      ...(process.env.PARLEY_BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.PARLEY_BENCH_LOG_LEVEL } : {}),
      ...(redaction ? {} : { PARLEY_UNSAFE_DISABLE_REDACTION: '1' }),
    },
    [
      `--inspect=127.0.0.1:${inspectorPort}`,
      ...(process.env.PARLEY_BENCH_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PARLEY_BENCH_PROFILE}`]
        : []),
      ...(process.env.PARLEY_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
    { built: true },
  )
  const setupUrl = /(http\S+\/console\/setup#token=(\S+))/.exec(server.stdout())!
  const admin = await json(`${server.url}/api/v1/auth/setup`, {
    method: 'POST',
    body: JSON.stringify({ token: setupUrl[2], password: 'benchmark password 1' }),
  })
  const agentHeaders: Record<string, string>[] = []
  await pool(
    Array.from({ length: M }, (_, i) => i),
    4,
    async (i) => {
      const created = await json(`${server.url}/api/v1/agents`, {
        method: 'POST',
        headers: { cookie: admin.cookie },
        body: JSON.stringify({
          email: `agent${i}@bench.test`,
          name: `Agent ${i}`,
          capacity: Math.ceil(V / M) + 1,
        }),
      })
      const token = new URL(created.body.setupUrl).hash.replace('#token=', '')
      const signedIn = await json(`${server.url}/api/v1/auth/setup`, {
        method: 'POST',
        body: JSON.stringify({ token, password: 'benchmark password 1' }),
      })
      agentHeaders.push({ cookie: signedIn.cookie })
    },
  )
  const key = (await json(`${server.url}/api/v1/demo/widget-key`)).body.key
  return {
    name: `parley (${db}${redaction ? '' : ', no redaction'})`,
    wsUrl: server.url.replace('http', 'ws'),
    origin: server.url,
    agentHeaders,
    visitorQuery: `role=visitor&key=${key}`,
    memory: async () => {
      await collectGarbage(inspectorPort)
      const text = await fetch(`${server.url}/metrics`).then((r) => r.text())
      const num = (name: string) =>
        Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN)
      return {
        heap: num('parley_nodejs_heap_size_used_bytes'),
        rss: num('parley_process_resident_memory_bytes'),
      }
    },
    pid: server.proc.pid,
    metrics: process.env.PARLEY_BENCH_METRICS
      ? async () =>
          (await fetch(`${server.url}/metrics`).then((r) => r.text()))
            .split('\n')
            .filter(
              (l) =>
                /parley_(db_commit_seconds|nodejs_eventloop_lag|nodejs_gc_duration_seconds_(sum|count))/.test(
                  l,
                ) && !l.startsWith('#'),
            )
            .join('\n')
      : undefined,
    stop: async () => {
      await server.stop()
      if (process.env.PARLEY_BENCH_SERVER_LOG)
        writeFileSync(process.env.PARLEY_BENCH_SERVER_LOG, server.stdout())
      await tdb?.dispose()
      // The run's database and key file (hundreds of MB after a full run).
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function relayTarget(): Promise<Target> {
  const port = await freePort()
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/relay-server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((r) => proc.stdout!.once('data', () => r()))
  return {
    name: 'bare ws relay',
    wsUrl: `ws://127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    agentHeaders: Array.from({ length: M }, () => ({})),
    visitorQuery: 'role=visitor',
    memory: async () => ({ heap: Number.NaN, rss: Number.NaN }),
    pid: proc.pid,
    stop: async () => {
      proc.kill()
    },
  }
}

async function connect(
  t: Target,
): Promise<{ agents: WebSocket[]; pairs: Pair[]; perSocketBytes: { heap: number; rss: number } }> {
  const agents: WebSocket[] = []
  for (const headers of t.agentHeaders) {
    const ws = await open(`${t.wsUrl}/ws?role=agent`, headers)
    ws.send('{"type":"auth","ref":"a"}')
    await nextFrame(ws, (f) => f.ref === 'a')
    ws.send('{"type":"presence.set","status":"online","ref":"p"}')
    await nextFrame(ws, (f) => f.ref === 'p')
    agents.push(ws)
  }
  const visitors: WebSocket[] = []
  const connectVisitors = (n: number) =>
    pool(
      Array.from({ length: n }, (_, i) => i),
      50,
      async () => {
        const ws = await open(`${t.wsUrl}/ws?${t.visitorQuery}`, { origin: t.origin })
        ws.send('{"type":"auth","ref":"a"}')
        await nextFrame(ws, (f) => f.ref === 'a')
        visitors.push(ws)
      },
    )
  // Memory is read across the second half only, each time after a full collection: the first
  // half pays the one-off costs (caches, compiled code, the heap growing) that are not per socket.
  const firstHalf = Math.floor(V / 2)
  await connectVisitors(firstHalf)
  await new Promise((r) => setTimeout(r, 300))
  const before = await t.memory()
  await connectVisitors(V - firstHalf)
  await new Promise((r) => setTimeout(r, 300))
  const after = await t.memory()
  const counted = V - firstHalf
  const perSocketBytes = {
    heap: (after.heap - before.heap) / counted,
    rss: (after.rss - before.rss) / counted,
  }
  const pairs: Pair[] = []
  await pool(visitors, 20, async (ws) => {
    const assigned = nextFrame(
      ws,
      (f) =>
        (f.type === 'conversation.updated' && f.conversation.status === 'assigned') ||
        (f.type === 'conversation' && f.conversation.status === 'assigned'),
    )
    ws.send('{"type":"conversation.start","ref":"s"}')
    const started = await nextFrame(ws, (f) => f.ref === 's')
    await assigned
    pairs.push({ visitor: ws, conversationId: started.conversation.id })
  })
  return { agents, pairs, perSocketBytes }
}

interface Row {
  target: string
  maxPerSec: number
  maxP50: number
  maxP99: number
  atRatePerSec: number
  atRateP50: number
  atRateP99: number
  /** Server processor time per acked message in each phase, in microseconds. */
  maxCpuUs: number
  atRateCpuUs: number
  perSocket: { heap: number; rss: number }
}

async function measure(t: Target): Promise<Row> {
  const { agents, pairs, perSocketBytes } = await connect(t)
  await drive(pairs, agents, { seconds: Math.min(2, SECONDS), window: 1 })
  const none = { sent: 0, acked: 0, delivered: 0, seconds: 1, latencies: [], cpuUs: Number.NaN }
  const phases = values.only!.split(',')
  // Server processor time per message: unlike messages/s it hardly moves with what else the
  // machine runs, so it shows a change in the server's own cost on a noisy machine.
  const phase = async (opts: Parameters<typeof drive>[2]) => {
    const cpu0 = processCpuSeconds(t.pid)
    const procs = [
      { name: 'server', pid: t.pid },
      { name: 'clients', pid: process.pid },
    ]
    const times0 = procs.map((p) => threadTimes(p.pid))
    const wrote0 = writtenBytes(t.pid)
    const result = await drive(pairs, agents, opts)
    if (process.env.PARLEY_BENCH_THREADS) {
      const label = `${t.name} ${opts.window ? 'max' : `at ${RATE} msg/s`}`
      reportThreads(label, procs, times0, writtenBytes(t.pid) - wrote0, result)
    }
    return { ...result, cpuUs: ((processCpuSeconds(t.pid) - cpu0) * 1e6) / result.acked }
  }
  const max = phases.includes('max') ? await phase({ seconds: SECONDS, window: WINDOW }) : none
  const rated = phases.includes('rate')
    ? await phase({ seconds: SECONDS, ratePerSecond: RATE, tickMs: Number(values['tick-ms']) })
    : none
  if (t.metrics) console.log(await t.metrics())
  for (const ws of [...agents, ...pairs.map((p) => p.visitor)]) ws.terminate()
  await t.stop()
  return {
    target: t.name,
    maxPerSec: max.acked / max.seconds,
    maxP50: percentile(max.latencies, 50),
    maxP99: percentile(max.latencies, 99),
    atRatePerSec: rated.acked / rated.seconds,
    atRateP50: percentile(rated.latencies, 50),
    atRateP99: percentile(rated.latencies, 99),
    maxCpuUs: max.cpuUs,
    atRateCpuUs: rated.cpuUs,
    perSocket: perSocketBytes,
  }
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a')
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a')

console.log(
  `bench:chat  ${V} visitors, ${M} agents, ${SECONDS}s per phase, closed loop window ${WINDOW}, open loop ${RATE} msg/s, db ${values.db}`,
)
// The server under test is the compiled one `npm start` runs; compile the current sources first.
execFileSync(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
  cwd: ROOT,
  stdio: 'inherit',
})
const parley = await measure(await parleyTarget(values.db!, true))
const unredacted = values.redaction === 'both' ? await measure(await parleyTarget(values.db!, false)) : null
const relay = await measure(await relayTarget())
console.log('')
console.log(
  'target               | max msg/s | p50 ms | p99 ms | cpu µs/msg | at-rate msg/s | p50 ms | p99 ms | cpu µs/msg | idle visitor socket (heap / rss bytes)',
)
for (const r of [parley, ...(unredacted ? [unredacted] : []), relay]) {
  console.log(
    `${r.target.padEnd(20)} | ${f0(r.maxPerSec).padStart(9)} | ${f1(r.maxP50).padStart(6)} | ${f1(r.maxP99).padStart(6)} | ${f1(r.maxCpuUs).padStart(10)} | ${f0(r.atRatePerSec).padStart(13)} | ${f1(r.atRateP50).padStart(6)} | ${f1(r.atRateP99).padStart(6)} | ${f1(r.atRateCpuUs).padStart(10)} | ${f0(r.perSocket.heap)} / ${f0(r.perSocket.rss)}`,
  )
}
const ratio = parley.maxPerSec / relay.maxPerSec
console.log('')
console.log(`ratio parley/relay throughput: ${(ratio * 100).toFixed(1)}%   (target >= 20%)`)
console.log(
  `server cpu per message, parley/relay: ${f1(parley.maxCpuUs / relay.maxCpuUs)}× at max, ${f1(parley.atRateCpuUs / relay.atRateCpuUs)}× at ${RATE} msg/s`,
)
if (unredacted) {
  console.log(
    `redaction on/off throughput: ${((parley.maxPerSec / unredacted.maxPerSec) * 100).toFixed(1)}%   (p50 at rate ${f1(parley.atRateP50)} vs ${f1(unredacted.atRateP50)} ms)`,
  )
}
console.log(
  `persisted msg/s: ${f0(parley.maxPerSec)} (target >= 15,000); p99 at ${RATE} msg/s: ${f1(parley.atRateP99)} ms (target < 15 ms)`,
)
console.log(
  `memory per idle visitor socket: ${f0(parley.perSocket.heap)} B heap after a full GC, ${f0(parley.perSocket.rss)} B rss (target <= 10,240)`,
)
process.exit(0)
