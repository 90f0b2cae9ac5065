/**
 * A line-by-line port of NAB's scorer (numenta/NAB `nab/sweeper.py`, `nab/optimizer.py`,
 * `nab/scorer.py`, `nab/runner.py#normalize`). Names follow the Python so the two can be
 * read side by side. Only the arithmetic is ported; file handling lives in nab-data.ts.
 */

export interface CostProfile {
  tpWeight: number
  fpWeight: number
  fnWeight: number
}

/** `ref/config/profiles.json`, restated so the bench fails loudly if that file ever changes. */
export const NAB_PROFILES: Record<ProfileName, CostProfile> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
}

export type ProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate'
export const PROFILE_NAMES: readonly ProfileName[] = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']

/** One scored row: NAB's `AnomalyPoint`. `windowName` is null outside windows. */
export interface AnomalyPoint {
  anomalyScore: number
  sweepScore: number
  windowName: string | null
}

export interface ThresholdScore {
  threshold: number
  score: number
  tp: number
  tn: number
  fp: number
  fn: number
  total: number
}

const PROBATIONARY = 'probationary'

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

/** NAB `scaledSigmoid`: +1 far inside a window start, 0 at its end, -1 far after it. */
export function scaledSigmoid(relativePositionInWindow: number): number {
  if (relativePositionInWindow > 3.0) return -1.0
  return 2 * sigmoid(-5 * relativePositionInWindow) - 1.0
}

/** NAB `Sweeper._getProbationaryLength`. */
export function probationaryLength(numRows: number, probationPercent = 0.15): number {
  return Math.min(Math.floor(probationPercent * numRows), probationPercent * 5000)
}

/**
 * NAB `Sweeper.calcSweepScore`: the score every row would earn if it were a detection.
 * `windows` holds [start, end] timestamps that must occur in `timestamps` (as in NAB).
 */
export function calcSweepScore(
  timestamps: readonly number[],
  anomalyScores: ArrayLike<number>,
  windows: readonly (readonly [number, number])[],
  dataSetName: string,
  cost: CostProfile,
  probationPercent = 0.15,
): AnomalyPoint[] {
  if (timestamps.length !== anomalyScores.length)
    throw new Error('timestamps and anomalyScores differ in length')
  const windowLimits = windows.slice()
  const anomalyList: AnomalyPoint[] = []
  const maxTP = scaledSigmoid(-1.0)
  const probation = probationaryLength(timestamps.length, probationPercent)
  const indexOf = new Map<number, number>()
  for (let i = 0; i < timestamps.length; i++) if (!indexOf.has(timestamps[i]!)) indexOf.set(timestamps[i]!, i)

  let curWindowLimits: readonly [number, number] | null = null
  let curWindowName: string | null = null
  let curWindowWidth = 0
  let curWindowRightIndex = 0
  let prevWindowWidth: number | null = null
  let prevWindowRightIndex: number | null = null

  for (let i = 0; i < timestamps.length; i++) {
    const curTime = timestamps[i]!
    const score = anomalyScores[i]!
    // NAB's detector base class raises on the same condition.
    if (!(score >= 0 && score <= 1))
      throw new Error(`${dataSetName} row ${i}: anomaly score ${score} not in [0,1]`)
    let weightedScore: number
    const next = windowLimits[0]
    if (next && curTime === next[0]) {
      curWindowLimits = windowLimits.shift()!
      curWindowName = `${dataSetName}|${curWindowLimits[0]}`
      const right = indexOf.get(curWindowLimits[1])
      const left = indexOf.get(curWindowLimits[0])
      if (right === undefined || left === undefined)
        throw new Error(`window edge not in data: ${curWindowName}`)
      curWindowRightIndex = right
      curWindowWidth = curWindowRightIndex - left + 1
    }
    if (curWindowLimits !== null) {
      const positionInWindow = -(curWindowRightIndex - i + 1) / curWindowWidth
      weightedScore = (scaledSigmoid(positionInWindow) * cost.tpWeight) / maxTP
    } else {
      let unweightedScore: number
      if (prevWindowRightIndex === null || prevWindowWidth === null) {
        unweightedScore = -1.0
      } else {
        const numerator = Math.abs(i - prevWindowRightIndex)
        const denominator = prevWindowWidth - 1
        unweightedScore = scaledSigmoid(numerator / denominator)
      }
      weightedScore = unweightedScore * cost.fpWeight
    }
    const pointWindowName = i >= probation ? curWindowName : PROBATIONARY
    anomalyList.push({ anomalyScore: score, sweepScore: weightedScore, windowName: pointWindowName })
    if (curWindowLimits !== null && curTime === curWindowLimits[1]) {
      prevWindowRightIndex = i
      prevWindowWidth = curWindowWidth
      curWindowLimits = null
      curWindowName = null
    }
  }
  return anomalyList
}

/**
 * NAB `Sweeper.calcScoreByThreshold`: the score at every distinct threshold, from 1.1 (no
 * detections) down to the lowest score. A row is a detection when its score >= threshold.
 */
export function calcScoreByThreshold(
  anomalyList: readonly AnomalyPoint[],
  cost: CostProfile,
): ThresholdScore[] {
  const scorable = anomalyList.filter((x) => x.windowName !== PROBATIONARY)
  // Python's sorted(reverse=True) is stable; ties are processed together, so order inside a tie is moot.
  scorable.sort((a, b) => b.anomalyScore - a.anomalyScore)
  const windowParts = new Map<string, number>()
  for (const row of scorable) if (row.windowName !== null) windowParts.set(row.windowName, -cost.fnWeight)
  let fpPart = 0
  const sumParts = (): number => {
    // Python sums dict values in insertion order: "fp" first, then windows.
    let s = fpPart
    for (const v of windowParts.values()) s += v
    return s
  }
  const out: ThresholdScore[] = []
  let curThreshold = 1.1
  let tn = 0
  let fn = 0
  for (const x of scorable) {
    if (x.windowName === null) tn++
    else fn++
  }
  let tp = 0
  let fp = 0
  for (const p of scorable) {
    if (p.anomalyScore !== curThreshold) {
      out.push({ threshold: curThreshold, score: sumParts(), tp, tn, fp, fn, total: tp + tn + fp + fn })
      curThreshold = p.anomalyScore
    }
    if (p.windowName !== null) {
      tp++
      fn--
      windowParts.set(p.windowName, Math.max(windowParts.get(p.windowName)!, p.sweepScore))
    } else {
      fp++
      tn--
      fpPart += p.sweepScore
    }
  }
  out.push({ threshold: curThreshold, score: sumParts(), tp, tn, fp, fn, total: tp + tn + fp + fn })
  return out
}

/** NAB `Sweeper.scoreDataSet`: the row of the threshold table that applies to `threshold`. */
export function scoreAtThreshold(byThreshold: readonly ThresholdScore[], threshold: number): ThresholdScore {
  let prev: ThresholdScore | null = null
  for (const t of byThreshold) {
    if (t.threshold === threshold) return t
    if (t.threshold < threshold) {
      if (prev === null) break
      return prev
    }
    prev = t
  }
  if (prev === null) throw new Error(`no threshold row for ${threshold}`)
  // Every score is >= threshold: NAB's loop ends on the last row (all rows are detections).
  return prev
}

export interface CorpusFile {
  /** Relative path, e.g. `realKnownCause/nyc_taxi.csv`. */
  name: string
  timestamps: readonly number[]
  windows: readonly (readonly [number, number])[]
}

export interface FileResult extends ThresholdScore {
  name: string
}

export interface ProfileResult {
  profile: ProfileName
  threshold: number
  raw: number
  normalized: number
  files: FileResult[]
  totals: { tp: number; tn: number; fp: number; fn: number }
}

/**
 * NAB's optimiser (one threshold for the whole corpus, the best of all distinct scores) then
 * its scorer (per-file score at that threshold, summed) and `normalize` (null and perfect).
 * A given `fixedThreshold` replaces the optimiser (to score files at a threshold chosen on others).
 */
export function scoreCorpus(
  files: readonly CorpusFile[],
  scores: ReadonlyMap<string, ArrayLike<number>>,
  profile: ProfileName,
  fixedThreshold?: number,
): ProfileResult {
  const cost = NAB_PROFILES[profile]
  const perFile = files.map((f) => {
    const s = scores.get(f.name)
    if (!s) throw new Error(`no scores for ${f.name}`)
    return { f, points: calcSweepScore(f.timestamps, s, f.windows, f.name, cost) }
  })
  let threshold = fixedThreshold
  if (threshold === undefined) {
    const all: AnomalyPoint[] = []
    for (const p of perFile) for (const pt of p.points) all.push(pt)
    const sweep = calcScoreByThreshold(all, cost)
    let best = sweep[0]!
    // Python's sorted(key=score, reverse=True)[0] keeps the first of equal scores: the highest threshold.
    for (const s of sweep) if (s.score > best.score) best = s
    threshold = best.threshold
  }
  const results: FileResult[] = perFile.map(({ f, points }) => ({
    name: f.name,
    ...scoreAtThreshold(calcScoreByThreshold(points, cost), threshold),
  }))
  const totals = { tp: 0, tn: 0, fp: 0, fn: 0 }
  let raw = 0
  let windowCount = 0
  for (const r of results) {
    raw += r.score
    totals.tp += r.tp
    totals.tn += r.tn
    totals.fp += r.fp
    totals.fn += r.fn
  }
  for (const f of files) windowCount += f.windows.length
  return { profile, threshold, raw, normalized: normalize(raw, windowCount, profile), files: results, totals }
}

/** NAB `Runner.normalize`: 100·(raw − null)/(perfect − null); null misses every window. */
export function normalize(raw: number, windowCount: number, profile: ProfileName): number {
  const cost = NAB_PROFILES[profile]
  const nullScore = -windowCount * cost.fnWeight
  const perfect = windowCount * cost.tpWeight
  return (100 * (raw - nullScore)) / (perfect - nullScore)
}
