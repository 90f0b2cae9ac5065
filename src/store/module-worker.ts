import { Worker } from 'node:worker_threads'

/**
 * Starts a worker thread running one of this package's modules, given as a URL relative to the
 * caller's `import.meta.url` without its extension. Built code runs the `.js` file; under
 * tsx/vitest the source is TypeScript, so the thread registers tsx's loader before importing.
 */
export function startModuleWorker(callerUrl: string, relative: string, workerData: unknown): Worker {
  const source = callerUrl.endsWith('.ts')
  const entry = new URL(`${relative}.${source ? 'ts' : 'js'}`, callerUrl).href
  const boot = source
    ? `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
    : `import(${JSON.stringify(entry)})`
  return new Worker(boot, { eval: true, workerData })
}
