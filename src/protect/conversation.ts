import { ParleyError } from '../errors/index.js'
import { type DigitGroup, forEachNumberRun } from './cards.js'
import { isCardNumber } from './checksums.js'
import { labelledAsReference } from './context.js'
import { isDigitCode, toInputRange } from './normalize.js'
import { type CompiledPolicy, modeFor } from './policy.js'
import { type Detection, detect, type Located, redact, type ScanResult, type Tokenizer } from './scan.js'
import type { Finding, FindingSummary, FindingType } from './types.js'

/** One chat message as the conversation scanner sees it. */
export interface ConversationMessage {
  conversation: string
  sender: string
  id: string
  text: string
}

/** A new redaction of an earlier message, to store in place of the one stored before. */
export interface MessageRevision {
  id: string
  text: string
  findings: Finding[]
  summary: FindingSummary
}

/** A scan result plus the earlier messages it changed and the ids a later message may still change. */
export interface ConversationScanResult extends ScanResult {
  revisions: MessageRevision[]
  /** Ids of this sender's messages (this one included) that a later message could still revise. */
  openIds: string[]
}

/** Options for a conversation scanner. */
export interface ConversationScannerOptions {
  tokenizer?: Tokenizer
  /** How long an unfinished number waits for its next part (default 10 minutes). */
  windowMs?: number
  /** Conversation+sender keys remembered at once; the least recently used is dropped (default 50,000). */
  maxKeys?: number
  now?: () => number
}

interface Held {
  id: string
  input: string
  detection: Detection
  /** Digit groups at the very end of the message, not inside another finding. */
  tail: DigitGroup[]
  /** The message is nothing but that number run. */
  allRun: boolean
  at: number
}

interface Part {
  held: Held | null
  groups: DigitGroup[]
}

// A split PAN has at most 19 digits, so no part needs more than 18 and no more than 3 messages.
const MAX_DIGITS = 19
const BLOCKING: ReadonlySet<FindingType> = new Set<FindingType>([
  'card_number',
  'track_data',
  'iban',
  'secret',
])

function digitsOf(text: string, groups: DigitGroup[]): string {
  return groups.map((g) => text.slice(g.start, g.end)).join('')
}

function countDigits(groups: DigitGroup[]): number {
  let n = 0
  for (const g of groups) n += g.end - g.start
  return n
}

// The number run that ends the message (trailing spaces and one punctuation mark allowed) or
// starts it, minus anything already inside a card, IBAN or secret of this message.
function edgeRun(d: Detection, which: 'head' | 'tail'): { groups: DigitGroup[]; whole: boolean } {
  const text = d.norm.text
  const lead = text.length - text.trimStart().length
  const trimmed = text.trimEnd().replace(/[.,;:!-]$/, '')
  // Most messages neither start nor end with a digit: then no run can touch that edge, and the
  // message's number runs need not be listed (that listing was 9% of the bytes the whole
  // message path allocated).
  if (!isDigitCode(which === 'head' ? text.charCodeAt(lead) : trimmed.charCodeAt(trimmed.length - 1)))
    return { groups: [], whole: false }
  let run: DigitGroup[] = []
  forEachNumberRun(which === 'head' ? text.slice(0, Math.min(text.length, lead + 80)) : text, (groups) => {
    if (which === 'head' && run.length === 0 && groups[0]!.start === lead) run = groups
    if (which === 'tail' && groups[groups.length - 1]!.end === trimmed.length) run = groups
  })
  if (run.length === 0) return { groups: [], whole: false }
  const blocked = d.located.filter((f) => BLOCKING.has(f.type))
  const free = run.filter((g) => !blocked.some((f) => f.nStart < g.end && g.start < f.nEnd))
  const whole =
    free.length === run.length && run[0]!.start === lead && run[run.length - 1]!.end === trimmed.length
  // Only the contiguous free groups at the message edge can join a neighbour.
  const edge: DigitGroup[] = []
  const ordered = which === 'tail' ? [...run].reverse() : run
  for (const g of ordered) {
    if (!free.includes(g) || countDigits(edge) + (g.end - g.start) >= MAX_DIGITS) break
    edge.push(g)
  }
  if (which === 'tail') edge.reverse()
  return { groups: edge, whole: whole && edge.length === run.length }
}

/**
 * Follows each conversation+sender and finds a card number typed in 2 or 3 consecutive
 * messages ("4111 1111" / "1111 1111" / …). It keeps in memory at most the last two messages of a
 * sender, and only those that end in an unfinished number, for `windowMs`. When a later message
 * completes a card, the result carries `revisions`: the earlier messages redacted again, to
 * replace what was stored.
 */
export class ConversationScanner {
  readonly #policy: CompiledPolicy
  readonly #tokenizer: Tokenizer | undefined
  readonly #windowMs: number
  readonly #maxKeys: number
  readonly #now: () => number
  readonly #held = new Map<string, Held[]>()

  constructor(policy: CompiledPolicy, options: ConversationScannerOptions = {}) {
    if (policy.tokenizes && !options.tokenizer) {
      throw new ParleyError(
        'PARLEY_ERR_PROTECT_TOKENIZER_MISSING',
        'the policy tokenizes but no tokenizer was given',
      )
    }
    this.#policy = policy
    this.#tokenizer = options.tokenizer
    this.#windowMs = options.windowMs ?? 10 * 60_000
    this.#maxKeys = options.maxKeys ?? 50_000
    this.#now = options.now ?? Date.now
  }

  /** Scans one message in the order it was sent. */
  scan(message: ConversationMessage): ConversationScanResult {
    const key = `${message.conversation}\u0000${message.sender}`
    const now = this.#now()
    const held = (this.#held.get(key) ?? []).filter((h) => now - h.at <= this.#windowMs)
    this.#held.delete(key)
    const detection = detect(message.text, this.#policy)
    const current: Held = { id: message.id, input: message.text, detection, tail: [], allRun: false, at: now }
    const head = edgeRun(detection, 'head')
    const match = head.groups.length > 0 ? this.#findSplit(held, current, head.groups) : null
    const revisions: MessageRevision[] = []
    if (match) {
      this.#applySplit(match)
      for (const part of match) {
        if (!part.held || part.held === current) continue
        const r = redact(part.held.input, part.held.detection, this.#policy, this.#options())
        revisions.push({ id: part.held.id, ...r })
      }
    } else {
      const tail = edgeRun(detection, 'tail')
      current.tail = tail.groups
      current.allRun = tail.whole
      if (current.tail.length > 0) {
        const next = current.allRun ? [...held, current].slice(-2) : [current]
        this.#remember(key, next)
      }
    }
    const result = redact(message.text, detection, this.#policy, this.#options())
    const openIds = (this.#held.get(key) ?? []).map((h) => h.id)
    // Listed, not spread: a spread followed by more properties gets a hidden class per object on Node 20.
    return { text: result.text, findings: result.findings, summary: result.summary, revisions, openIds }
  }

  /** Drops what is held for a conversation+sender (conversation closed, sender left). */
  forget(conversation: string, sender: string): void {
    this.#held.delete(`${conversation}\u0000${sender}`)
  }

  #options() {
    return this.#tokenizer ? { tokenizer: this.#tokenizer } : {}
  }

  #remember(key: string, held: Held[]): void {
    this.#held.set(key, held)
    if (this.#held.size > this.#maxKeys) {
      const oldest = this.#held.keys().next().value
      if (oldest !== undefined) this.#held.delete(oldest)
    }
  }

  // Tries three parts (two held messages, the middle one only digits) and then two, and keeps the
  // longest combination that is a valid card number.
  #findSplit(held: Held[], current: Held, head: DigitGroup[]): Part[] | null {
    const chains: Held[][] = []
    const prev = held[held.length - 1]
    const prev2 = held[held.length - 2]
    if (prev2 && prev?.allRun) chains.push([prev2, prev])
    if (prev) chains.push([prev])
    for (const chain of chains) {
      const first = chain[0]!
      const middle = chain.slice(1).map((h) => ({ held: h, groups: h.tail }))
      const middleDigits = middle.reduce((n, p) => n + countDigits(p.groups), 0)
      let best: Part[] | null = null
      let bestLen = 0
      for (let k = 1; k <= first.tail.length; k++) {
        const tailPart = first.tail.slice(first.tail.length - k)
        const tailDigits = countDigits(tailPart)
        for (let h = 1; h <= head.length; h++) {
          const headPart = head.slice(0, h)
          const total = tailDigits + middleDigits + countDigits(headPart)
          if (total > MAX_DIGITS) break
          if (total < 12 || total <= bestLen) continue
          const parts: Part[] = [
            { held: first, groups: tailPart },
            ...middle,
            { held: null, groups: headPart },
          ]
          const pan = parts.map((p) => digitsOf((p.held ?? current).detection.norm.text, p.groups)).join('')
          if (!isCardNumber(pan)) continue
          if (labelledAsReference(first.detection.norm.text, tailPart[0]!.start)) continue
          best = parts.map((p) => (p.held ? p : { held: current, groups: p.groups }))
          bestLen = total
        }
      }
      if (best) return best
    }
    return null
  }

  // Marks each part as a card_number finding of its message. A mask keeps the PAN's last digits
  // counted across parts, and a token is made once, from the whole PAN, in the last part.
  #applySplit(parts: Part[]): void {
    const pan = parts.map((p) => digitsOf(p.held!.detection.norm.text, p.groups)).join('')
    let keep = modeFor(this.#policy, 'card_number').keepLast
    for (let i = parts.length - 1; i >= 0; i--) {
      const { held, groups } = parts[i]!
      const d = held!.detection
      const nStart = groups[0]!.start
      const nEnd = groups[groups.length - 1]!.end
      const partDigits = countDigits(groups)
      const keepDigits = Math.min(keep, partDigits)
      keep -= keepDigits
      const [start, end] = toInputRange(d.norm, nStart, nEnd)
      const located: Located = {
        type: 'card_number',
        start,
        end,
        nStart,
        nEnd,
        part: { keepDigits, tokenValue: i === parts.length - 1 ? pan : null },
      }
      d.located = mergeInto(d.located, located)
    }
  }
}

// Adds a card part to a message's findings; anything it overlaps is folded into it.
function mergeInto(located: Located[], part: Located): Located[] {
  const out: Located[] = []
  let merged = part
  for (const f of located) {
    if (f.nStart < merged.nEnd && merged.nStart < f.nEnd) {
      merged = {
        ...merged,
        start: Math.min(merged.start, f.start),
        end: Math.max(merged.end, f.end),
        nStart: Math.min(merged.nStart, f.nStart),
        nEnd: Math.max(merged.nEnd, f.nEnd),
      }
    } else out.push(f)
  }
  out.push(merged)
  return out.sort((a, b) => a.start - b.start)
}
