import { setFlagsFromString } from 'node:v8'

/**
 * How far the old generation may grow past what the last full collection kept, in percent:
 * 300 is 4×, V8's own upper bound for the factor it otherwise picks from its speed estimates.
 *
 * Why a serving process pins it: with the 64 MB young generation `npm start` runs under, V8
 * starts marking as soon as the room left under the old-generation limit is smaller than the
 * young generation (a scavenge could promote all of it). After a full collection that shrank
 * the heap (an idle spell, the memory reducer) V8 sets the limit only a little above the live
 * heap, so under load it marked continuously and ran a mark-compact every 1.5 s: each one stalled
 * the event loop 10–40 ms and deoptimized the code of the message path, and p99 delivery at
 * 5,000 msg/s went from 7 to 20–25 ms. At 4× a mark-compact comes every half minute or so.
 */
export const HEAP_GROWING_PERCENT = 300

/**
 * The V8 flag a serving process should set, or null when the operator already chose the
 * growth factor on node's command line: theirs wins.
 */
export function heapGrowthFlag(execArgv: readonly string[]): string | null {
  const chosen = execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))
  return chosen ? null : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`
}

/**
 * Sets the growth factor for this process. V8 reads it at every full collection, so setting it
 * at start-up works like the command-line flag, and `npx parley serve` gets it without one
 * (NODE_OPTIONS does not accept this flag).
 */
export function tuneHeapForServing(): void {
  const flag = heapGrowthFlag(process.execArgv)
  if (flag) setFlagsFromString(flag)
}
