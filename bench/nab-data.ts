/** Loads the NAB corpus (data files and combined windows) from `../shared/bench-data/nab`. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CorpusFile } from './nab-scorer.js'

export interface NabFile extends CorpusFile {
  /** Timestamps exactly as written in the CSV, for result files. */
  rawTimestamps: string[]
  /** Values exactly as written, so result files round-trip byte for byte. */
  rawValues: string[]
  values: Float64Array
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` as UTC milliseconds (NAB compares pandas Timestamps). */
export function parseNabTime(s: string): number {
  const t = Date.UTC(
    Number(s.slice(0, 4)),
    Number(s.slice(5, 7)) - 1,
    Number(s.slice(8, 10)),
    Number(s.slice(11, 13)),
    Number(s.slice(14, 16)),
    Number(s.slice(17, 19)),
  )
  if (Number.isNaN(t)) throw new Error(`bad NAB timestamp ${s}`)
  return t
}

export function loadNab(root: string): NabFile[] {
  const windowsJson = JSON.parse(
    readFileSync(join(root, 'labels', 'combined_windows.json'), 'utf8'),
  ) as Record<string, [string, string][]>
  const out: NabFile[] = []
  for (const category of readdirSync(join(root, 'data')).sort()) {
    for (const file of readdirSync(join(root, 'data', category)).sort()) {
      if (!file.endsWith('.csv')) continue
      const name = `${category}/${file}`
      const lines = readFileSync(join(root, 'data', category, file), 'utf8').split(/\r?\n/)
      const rawTimestamps: string[] = []
      const rawValues: string[] = []
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!
        if (line === '') continue
        const comma = line.indexOf(',')
        rawTimestamps.push(line.slice(0, comma))
        rawValues.push(line.slice(comma + 1))
      }
      const windows = windowsJson[name]
      if (!windows) throw new Error(`no windows for ${name}`)
      out.push({
        name,
        rawTimestamps,
        rawValues,
        timestamps: rawTimestamps.map(parseNabTime),
        values: Float64Array.from(rawValues, Number),
        windows: windows.map(([a, b]) => [parseNabTime(a), parseNabTime(b)] as const),
      })
    }
  }
  return out
}
