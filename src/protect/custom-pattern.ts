import { ParleyError } from '../errors/index.js'
import { normalize } from './normalize.js'

/** A tenant pattern as written in a policy. */
export interface CustomPatternSpec {
  name: string
  pattern: string
  flags?: string
  test: string
}

/** A pattern that passed the safety checks, compiled for global search. */
export interface CompiledPattern {
  readonly name: string
  readonly regex: RegExp
}

/** Longest accepted pattern source. */
export const MAX_PATTERN_LENGTH = 256
/** Largest upper bound accepted in `{m,n}`. */
export const MAX_REPEAT = 256
/** Upper bound on the backtracking paths one match attempt can explore (see docs/protect.md). */
export const MAX_PATTERN_COST = 4096

const ALLOWED_FLAGS = /^[ims]*$/

function unsafe(name: string, reason: string): ParleyError {
  return new ParleyError('PARLEY_ERR_PROTECT_PATTERN_UNSAFE', `custom pattern "${name}": ${reason}`, {
    pattern: name,
    reason,
  })
}

interface Frame {
  branches: number
  hasQuantifier: boolean
  cost: number
}

/**
 * Checks that a pattern can only take linear time on V8's backtracking engine, then compiles it.
 * Backtracking blows up when one match attempt can split the same characters in many ways, or
 * when an unbounded repetition is retried from every start position of a long run. So the
 * pattern may not use backreferences or lookaround, every repetition is bounded (`{m,n}` with
 * n ≤ 256; `*`, `+` and `{m,}` are refused), a repeated group may not itself contain a
 * repetition or an alternation, and the product of all repetition ranges and alternation widths
 * (the number of ways one attempt can go) is at most 4096. Each start position then costs a
 * bounded number of steps, so a scan is linear in the text length.
 */
export function compileCustomPattern(spec: CustomPatternSpec): CompiledPattern {
  const { name, pattern } = spec
  const flags = spec.flags ?? ''
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw unsafe(name, `pattern must be 1 to ${MAX_PATTERN_LENGTH} characters`)
  }
  if (!ALLOWED_FLAGS.test(flags)) throw unsafe(name, 'only the flags i, m and s are allowed')
  analyse(name, pattern)
  let regex: RegExp
  try {
    regex = new RegExp(pattern, `${[...new Set(flags)].join('')}gu`)
  } catch (err) {
    throw new ParleyError(
      'PARLEY_ERR_PROTECT_PATTERN_UNSAFE',
      `custom pattern "${name}": not a valid regular expression`,
      { pattern: name, reason: 'syntax' },
      { cause: err },
    )
  }
  const probe = new RegExp(regex.source, regex.flags.replace('g', ''))
  if (probe.test('')) throw unsafe(name, 'pattern matches the empty string')
  if (!probe.test(normalize(spec.test).text)) {
    throw new ParleyError(
      'PARLEY_ERR_PROTECT_PATTERN_TEST_FAILED',
      `custom pattern "${name}" does not match its test string`,
      { pattern: name },
    )
  }
  return { name, regex }
}

// A single pass over the source tracking, per group, whether it holds a repetition or an
// alternation, and the running cost. Character classes and escapes are atoms.
function analyse(name: string, src: string): void {
  const stack: Frame[] = [{ branches: 1, hasQuantifier: false, cost: 1 }]
  // What the last atom was, so a following quantifier knows what it repeats.
  let last: { kind: 'none' } | { kind: 'atom' } | { kind: 'group'; frame: Frame } = { kind: 'none' }
  let i = 0
  const top = () => stack[stack.length - 1]!
  while (i < src.length) {
    const ch = src[i]!
    if (ch === '\\') {
      const next = src[i + 1]
      if (next === undefined) throw unsafe(name, 'pattern ends with a lone backslash')
      if (/[1-9]/.test(next) || next === 'k') throw unsafe(name, 'backreferences are not allowed')
      if ((next === 'p' || next === 'P' || next === 'u') && src[i + 2] === '{') {
        const close = src.indexOf('}', i + 2)
        if (close === -1) throw unsafe(name, 'unterminated escape')
        i = close + 1
      } else if (next === 'x') i += 4
      else if (next === 'u') i += 6
      else if (next === 'c') i += 3
      else i += 2
      last = { kind: 'atom' }
      continue
    }
    if (ch === '[') {
      let j = i + 1
      if (src[j] === '^') j++
      if (src[j] === ']') j++
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1
      if (j >= src.length) throw unsafe(name, 'unterminated character class')
      i = j + 1
      last = { kind: 'atom' }
      continue
    }
    if (ch === '(') {
      if (
        src.startsWith('(?=', i) ||
        src.startsWith('(?!', i) ||
        src.startsWith('(?<=', i) ||
        src.startsWith('(?<!', i)
      ) {
        throw unsafe(name, 'lookaround is not allowed')
      }
      if (src.startsWith('(?:', i)) i += 3
      else if (src.startsWith('(?<', i)) {
        const close = src.indexOf('>', i)
        if (close === -1) throw unsafe(name, 'unterminated group name')
        i = close + 1
      } else if (src[i + 1] === '?') throw unsafe(name, 'unsupported group modifier')
      else i += 1
      stack.push({ branches: 1, hasQuantifier: false, cost: 1 })
      last = { kind: 'none' }
      continue
    }
    if (ch === ')') {
      if (stack.length === 1) throw unsafe(name, 'unbalanced parenthesis')
      const frame = stack.pop()!
      const parent = top()
      parent.cost *= frame.cost * frame.branches
      parent.hasQuantifier ||= frame.hasQuantifier
      last = { kind: 'group', frame }
      i++
      continue
    }
    if (ch === '|') {
      top().branches++
      last = { kind: 'none' }
      i++
      continue
    }
    const quant = readQuantifier(src, i)
    if (quant) {
      if (quant.max === Number.POSITIVE_INFINITY) {
        throw unsafe(name, 'unbounded repetition (*, + or {m,}) is not allowed; use {m,n}')
      }
      if (quant.max > MAX_REPEAT) throw unsafe(name, `repetition bound above ${MAX_REPEAT}`)
      if (last.kind === 'none') throw unsafe(name, 'nothing to repeat')
      if (last.kind === 'group' && quant.max > 1 && (last.frame.hasQuantifier || last.frame.branches > 1)) {
        throw unsafe(name, 'a repeated group may not contain a repetition or an alternation')
      }
      const frame = top()
      frame.hasQuantifier = true
      frame.cost *= quant.max - quant.min + 1
      last = { kind: 'none' }
      i = quant.next
      continue
    }
    last = { kind: 'atom' }
    i++
  }
  if (stack.length !== 1) throw unsafe(name, 'unbalanced parenthesis')
  const cost = stack[0]!.cost * stack[0]!.branches
  if (cost > MAX_PATTERN_COST) throw unsafe(name, `pattern cost ${cost} exceeds ${MAX_PATTERN_COST}`)
}

function readQuantifier(src: string, i: number): { min: number; max: number; next: number } | null {
  const ch = src[i]
  let q: { min: number; max: number; next: number } | null = null
  if (ch === '*') q = { min: 0, max: Number.POSITIVE_INFINITY, next: i + 1 }
  else if (ch === '+') q = { min: 1, max: Number.POSITIVE_INFINITY, next: i + 1 }
  else if (ch === '?') q = { min: 0, max: 1, next: i + 1 }
  else if (ch === '{') {
    const m = /^\{(\d{1,6})(?:(,)(\d{0,6}))?\}/.exec(src.slice(i, i + 16))
    if (m) {
      const min = Number(m[1])
      const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3])
      q = { min, max, next: i + m[0].length }
    }
  }
  if (q && src[q.next] === '?') q.next++
  return q
}
