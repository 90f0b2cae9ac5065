/**
 * Hostile-input normalisation. Detectors run on a folded copy of the text in which invisible
 * characters are gone, every Unicode decimal digit is an ASCII digit, full-width and other
 * compatibility forms are ASCII, and common Cyrillic/Greek look-alikes are Latin. Each folded
 * UTF-16 unit remembers the input range it came from, so findings are reported against the
 * input the caller holds. One pass, one table look-up per non-ASCII code point: linear time.
 */

/** The folded text and, unless the input was plain ASCII, a map back to input offsets. */
export interface Normalized {
  readonly text: string
  /** `starts[i]`/`ends[i]`: input range of folded unit i; null when folding changed nothing. */
  readonly starts: Uint32Array | null
  readonly ends: Uint32Array | null
  readonly inputLength: number
}

// Cyrillic and Greek letters that render like Latin ones: "pаssword" with a Cyrillic "а" must
// still read as a context word.
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  ɑ: 'a',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  α: 'a',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  ι: 'i',
  κ: 'k',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ε: 'e',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
}

const INVISIBLE = /^[\p{Cf}\p{Mn}\p{Me}\p{Cc}]$/u
const DIGIT = /^\p{Nd}$/u
const SPACE = /^[\p{Zs}\t]$/u
const LINE = /^[\p{Zl}\p{Zp}\u0085]$/u
const DASH = /^[\p{Pd}\u2212\uFE63\uFF0D]$/u

// Folding result per code point: '' drops it, otherwise the replacement (1 unit, or the
// original surrogate pair). Bounded: each code point is computed once and there are few
// distinct code points in practice; the cap keeps a hostile all-of-Unicode input from growing it.
const cache = new Map<number, string>()
const CACHE_CAP = 65_536

function fold(cp: number): string {
  const hit = cache.get(cp)
  if (hit !== undefined) return hit
  const ch = String.fromCodePoint(cp)
  let out: string
  if (SPACE.test(ch)) out = ' '
  else if (LINE.test(ch)) out = '\n'
  else if (INVISIBLE.test(ch)) out = ''
  else if (DIGIT.test(ch)) out = String(digitValue(cp))
  else if (DASH.test(ch)) out = '-'
  else {
    const nfkc = ch.normalize('NFKC')
    if (nfkc.length === 1 && nfkc.charCodeAt(0) < 0x80) out = nfkc
    else out = CONFUSABLES[ch] ?? ch
  }
  if (cache.size < CACHE_CAP) cache.set(cp, out)
  return out
}

// Unicode keeps every Nd digit set in a contiguous run of ten, zero first, so the value is the
// distance to the start of the run modulo ten (runs of fifty, like the mathematical digits, too).
function digitValue(cp: number): number {
  let start = cp
  while (start > 0 && DIGIT.test(String.fromCodePoint(start - 1))) start--
  return (cp - start) % 10
}

/** True for the ASCII digits 0-9 (as char codes). */
export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57
}

/** Folds `input` for detection; plain ASCII without control characters is returned as is. */
export function normalize(input: string): Normalized {
  // Fast path: most chat messages are printable ASCII, so no map is needed.
  if (!/[^\x20-\x7e\n\r]/.test(input)) {
    return { text: input, starts: null, ends: null, inputLength: input.length }
  }
  const n = input.length
  const starts = new Uint32Array(n)
  const ends = new Uint32Array(n)
  const parts: string[] = []
  let chunk = ''
  let out = 0
  for (let i = 0; i < n; ) {
    const c = input.charCodeAt(i)
    let width = 1
    let folded: string
    if (c >= 0x20 && c < 0x7f) folded = input[i]!
    else if (c === 0x0a || c === 0x0d) folded = input[i]!
    else {
      const cp = input.codePointAt(i)!
      width = cp > 0xffff ? 2 : 1
      folded = fold(cp)
    }
    for (let k = 0; k < folded.length; k++) {
      starts[out] = i
      ends[out] = i + width
      out++
    }
    chunk += folded
    if (chunk.length > 4096) {
      parts.push(chunk)
      chunk = ''
    }
    i += width
  }
  parts.push(chunk)
  return {
    text: parts.join(''),
    starts: starts.subarray(0, out),
    ends: ends.subarray(0, out),
    inputLength: n,
  }
}

/** Maps a folded range `[start, end)` back to the input range that produced it. */
export function toInputRange(norm: Normalized, start: number, end: number): [number, number] {
  if (!norm.starts || !norm.ends) return [start, end]
  if (end <= start) {
    const at = start < norm.starts.length ? norm.starts[start]! : norm.inputLength
    return [at, at]
  }
  return [norm.starts[start]!, norm.ends[end - 1]!]
}
