import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => res(port))
    })
    s.on('error', rej)
  })
}

export interface ServerProcess {
  proc: ChildProcess
  url: string
  stdout: () => string
  stop(signal?: NodeJS.Signals): Promise<void>
}

/**
 * The V8 flags `npm start` runs the server with (package.json): a young generation large
 * enough that state replaced every few hundred milliseconds (per socket, per conversation)
 * dies young instead of being promoted, so major collections stay rare under load.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64']

/**
 * Starts `parley serve` as a real child process and waits until /readyz answers. Without a
 * `DATA_DIR` it gets a fresh temporary one: the default, `./data`, is the checkout. Tests run
 * the sources through tsx; `built` runs the compiled `dist/` exactly as `npm start` does
 * (benchmarks: tsx's loader thread and in-memory sources are not part of the product).
 */
export async function startServerProcess(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  { built = false }: { built?: boolean } = {},
): Promise<ServerProcess> {
  const port = Number(env.PORT ?? (await freePort()))
  const url = `http://127.0.0.1:${port}`
  const entry = built ? ['dist/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts']
  const args = [...SERVER_NODE_FLAGS, ...nodeArgs, ...entry, 'serve']
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      PUBLIC_URL: url,
      ...env,
      DATA_DIR: env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'parley-proc-')),
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout!.on('data', (d) => {
    out += d
  })
  proc.stderr!.on('data', (d) => {
    out += d
  })
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  const deadline = Date.now() + 30_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early:\n${out}`)
    try {
      const r = await fetch(`${url}/readyz`)
      if (r.ok && out.includes('Parley is running')) break
    } catch {}
    if (Date.now() > deadline) throw new Error(`server did not become ready:\n${out}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    proc,
    url,
    stdout: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal)
      await exited
    },
  }
}
