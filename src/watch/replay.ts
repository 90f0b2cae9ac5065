/**
 * `parley watch replay --events FILE.jsonl`: the live engine run over a recorded file, with
 * time taken from each event's `ts`. One JSON line per alert goes to `output`; a one-line JSON
 * summary (events, alerts, folds, rejections by reason) goes to `diagnostics` (stderr).
 */

import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { ParleyError } from '../errors/index.js'
import { type WatchAlert, WatchEngine, type WatchEngineOptions } from './engine.js'
import { parseWatchLine, type RejectReason } from './watch.schema.js'

export interface ReplayResult {
  events: number
  alerts: number
  rejected: Record<string, number>
}

/** The alert line of the replay output: the fields the issue names, plus `subject` when set. */
export function alertLine(a: WatchAlert): string {
  return JSON.stringify({
    tenant: a.tenant,
    signal: a.signal,
    ...(a.subject !== undefined ? { subject: a.subject } : {}),
    onset: a.onset,
    detectedAt: a.detectedAt,
    severity: a.severity,
    diagnosis: a.diagnosis,
    recommendation: a.recommendation,
  })
}

export async function runWatchReplay(
  options: { eventsFile: string; engine?: Partial<WatchEngineOptions> },
  output: NodeJS.WritableStream,
  diagnostics: NodeJS.WritableStream | null = process.stderr,
): Promise<ReplayResult> {
  const engine = new WatchEngine(options.engine)
  const input = createReadStream(options.eventsFile, { encoding: 'utf8' })
  const opened = once(input, 'open').catch((err: unknown) => {
    throw new ParleyError(
      'PARLEY_ERR_WATCH_REPLAY_UNREADABLE',
      'the events file cannot be opened',
      {},
      { cause: err },
    )
  })
  await opened
  const write = async (alerts: WatchAlert[]): Promise<void> => {
    for (const a of alerts) {
      if (a.foldedInto !== undefined) continue
      if (!output.write(alertLine(a) + '\n')) await once(output, 'drain')
    }
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  try {
    for await (const raw of lines) {
      const line = raw.trim()
      if (line === '') continue
      const parsed = parseWatchLine(line)
      if (!parsed.ok) {
        engine.reject(parsed.reason as RejectReason)
        continue
      }
      const alerts = engine.ingest(parsed.event, parsed.event.id ?? line)
      if (alerts.length > 0) await write(alerts)
    }
  } catch (err) {
    if (err instanceof ParleyError) throw err
    throw new ParleyError(
      'PARLEY_ERR_WATCH_REPLAY_UNREADABLE',
      'the events file could not be read',
      {},
      { cause: err },
    )
  }
  await write(engine.flush())
  const s = engine.stats()
  diagnostics?.write(
    JSON.stringify({
      summary: {
        events: s.events,
        alerts: s.alerts,
        folded: s.folded,
        stormSuppressed: s.stormSuppressed,
        rejected: s.rejected,
      },
    }) + '\n',
  )
  return { events: s.events, alerts: s.alerts, rejected: s.rejected }
}
