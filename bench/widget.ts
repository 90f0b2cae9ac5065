// npm run bench:widget [-- --runs 15]
// The widget's gzipped size, and a host page's load with and without the widget in headless
// Chromium (first contentful paint and load event, medians, and their ratio).
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { buildApp, createTenant, loadConfig } from '../src/server/index.js'
import { launchChromium } from '../test/browser.js'
import { freePort } from '../test/processes.js'

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, quick: { type: 'boolean', default: false } },
})
const RUNS = values.quick ? 3 : Number(values.runs)
const bundle = readFileSync(resolve(import.meta.dirname, '../web/widget/dist/widget.js'))

const parleyPort = await freePort()
const hostPort = await freePort()
const parleyUrl = `http://127.0.0.1:${parleyPort}`
const hostUrl = `http://127.0.0.1:${hostPort}`
const parley = await buildApp(
  loadConfig(
    { DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-wbench-')), LOG_LEVEL: 'silent' },
    { port: parleyPort, publicUrl: parleyUrl },
  ),
)
await parley.app.listen({ port: parleyPort, host: '127.0.0.1' })
const tenant = await createTenant(parley, {
  name: 'Bench Shop',
  adminEmail: 'bench@shop.test',
  allowedOrigins: [hostUrl],
})
const site = (await parley.store.directory.siteByKey(tenant.widgetKey))!
const snippet = parley.sites.present(site).snippet

// A plain product page, the same with and without the embed snippet.
const page = (withWidget: boolean) => `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<style>body{font-family:system-ui;margin:2rem}</style></head><body><h1>Checkout</h1>
${'<p>Product description, shipping and returns. </p>'.repeat(40)}${withWidget ? snippet : ''}</body></html>`
const host = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html' }).end(page(req.url === '/with'))
})
await new Promise<void>((r) => host.listen(hostPort, '127.0.0.1', () => r()))

const browser = await launchChromium()
async function measure(path: string): Promise<{ fcp: number; load: number }> {
  const ctx = await browser.newContext()
  const p = await ctx.newPage()
  await p.goto(`${hostUrl}${path}`, { waitUntil: 'load' })
  // First paint can land after the load event on a page this small: wait until it is recorded.
  await p.waitForFunction(
    () =>
      (performance as unknown as { getEntriesByName(n: string): unknown[] }).getEntriesByName(
        'first-contentful-paint',
      ).length > 0,
  )
  const m = await p.evaluate(() => {
    // Runs in the page; typed by hand because the project compiles without the DOM library.
    const perf = performance as unknown as {
      getEntriesByType(t: string): { loadEventEnd: number }[]
      getEntriesByName(n: string): { startTime: number }[]
    }
    const fcp = perf.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN
    return { fcp, load: perf.getEntriesByType('navigation')[0]!.loadEventEnd }
  })
  await ctx.close()
  return m
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const runs = { without: [] as { fcp: number; load: number }[], with: [] as { fcp: number; load: number }[] }
await measure('/without')
await measure('/with')
for (let i = 0; i < RUNS; i++) {
  runs.without.push(await measure('/without'))
  runs.with.push(await measure('/with'))
}
const fcpWithout = median(runs.without.map((r) => r.fcp))
const fcpWith = median(runs.with.map((r) => r.fcp))
const loadWithout = median(runs.without.map((r) => r.load))
const loadWith = median(runs.with.map((r) => r.load))
console.log(`bench:widget  ${RUNS} runs each, headless Chromium, host page and Parley on loopback`)
console.log(
  `widget.js: ${bundle.length.toLocaleString('en-US')} B, ${gzipSync(bundle).length.toLocaleString('en-US')} B gzipped (budget 20,480)`,
)
console.log(
  `first contentful paint: ${fcpWith.toFixed(1)} ms with widget, ${fcpWithout.toFixed(1)} ms without (ratio ${(fcpWith / fcpWithout).toFixed(2)})`,
)
console.log(
  `load event:             ${loadWith.toFixed(1)} ms with widget, ${loadWithout.toFixed(1)} ms without (ratio ${(loadWith / loadWithout).toFixed(2)})`,
)
await browser.close()
host.close()
await parley.close()
process.exit(0)
