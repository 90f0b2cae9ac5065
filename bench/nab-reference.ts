/**
 * A port of NAB's `windowedGaussian` detector (nab/detectors/gaussian/windowedGaussian_detector.py).
 * It exists only to validate the scorer port: the published per-row scores are not in the corpus,
 * but this detector is deterministic, so re-running it must reproduce its published totals.
 */

/** Complementary error function, accurate to a few ulp where the tail decides a 1.0 score. */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x)
  if (x < 2) {
    // Maclaurin series of erf: alternating, converges well below 2.
    let term = x
    let sum = x
    const x2 = x * x
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n
      const add = term / (2 * n + 1)
      sum += add
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum
  }
  // Continued fraction (Lentz) for the tail.
  const tiny = 1e-300
  let f = x
  let c = x
  let d = 0
  for (let n = 1; n < 300; n++) {
    const a = n / 2
    d = x + a * d
    d = d === 0 ? tiny : 1 / d
    c = x + a / c
    if (c === 0) c = tiny
    const delta = c * d
    f *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f
}

function normalProbability(x: number, mean: number, std: number): number {
  if (x < mean) return normalProbability(2 * mean - x, mean, std)
  const z = (x - mean) / std
  return 0.5 * erfc(z / Math.SQRT2)
}

/** NAB windowedGaussian: window 6400, step 100, score = 1 − tail probability. */
export function windowedGaussianScores(values: ArrayLike<number>): Float64Array {
  const windowSize = 6400
  const stepSize = 100
  let windowData: number[] = []
  let stepBuffer: number[] = []
  let mean = 0
  let std = 1
  const update = (): void => {
    let s = 0
    for (const v of windowData) s += v
    mean = s / windowData.length
    let ss = 0
    for (const v of windowData) ss += (v - mean) * (v - mean)
    std = Math.sqrt(ss / windowData.length)
    if (std === 0) std = 0.000001
  }
  const out = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    out[i] = windowData.length > 0 ? 1 - normalProbability(v, mean, std) : 0
    if (windowData.length < windowSize) {
      windowData.push(v)
      update()
    } else {
      stepBuffer.push(v)
      if (stepBuffer.length === stepSize) {
        windowData = windowData.slice(stepSize).concat(stepBuffer)
        stepBuffer = []
        update()
      }
    }
  }
  return out
}
