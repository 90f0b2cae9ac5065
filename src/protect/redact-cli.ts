import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { z } from 'zod'
import { isParleyError, ParleyError } from '../errors/index.js'
import { ConversationScanner } from './conversation.js'
import { type CompiledPolicy, compilePolicy, DEFAULT_POLICY } from './policy.js'
import { type ScanResult, scanText } from './scan.js'

/** Options of `parley redact`. */
export interface RedactCliOptions {
  /** JSON policy file (docs/protect.md); the strict default policy when absent. */
  policyFile?: string
}

/** Longest `text` accepted on one input line. */
export const MAX_CLI_TEXT = 1_000_000
// Lines waiting behind a held line before the oldest held line is written out anyway; bounds
// memory when one sender's unfinished number would otherwise hold back everything after it.
const MAX_QUEUED = 10_000

const lineSchema = z.object({
  id: z.union([z.string(), z.number()]),
  text: z.string().max(MAX_CLI_TEXT),
  conversation: z.string().optional(),
  sender: z.string().optional(),
})

interface Entry {
  line: string | null
  key: { conversation: string; sender: string } | null
  final: boolean
}

/** Reads and compiles a policy file; a file that cannot be read or parsed is an invalid policy. */
export async function loadPolicyFile(path: string): Promise<CompiledPolicy> {
  let doc: unknown
  try {
    doc = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new ParleyError(
      'PARLEY_ERR_PROTECT_POLICY_INVALID',
      'the redaction policy file could not be read as JSON',
      { issues: [path] },
      { cause: err },
    )
  }
  return compilePolicy(doc)
}

function errorLine(err: unknown): string {
  const e = isParleyError(err)
    ? err
    : new ParleyError('PARLEY_ERR_INTERNAL', 'redaction failed', {}, { cause: err })
  return JSON.stringify({ id: null, error: { code: e.code, message: e.message } })
}

function resultLine(id: string | number, r: ScanResult): string {
  return JSON.stringify({
    id,
    text: r.text,
    findings: r.findings.map((f) => ({ type: f.type, start: f.start, end: f.end })),
  })
}

/**
 * `parley redact`: reads JSON lines `{"id","text","conversation"?,"sender"?}` and writes one line
 * `{"id","text","findings"}` per input line, in input order. Consecutive lines of one
 * conversation+sender are consecutive messages, so a card split across them is redacted in every
 * part: a line that ends in an unfinished number is held (at most two per conversation+sender)
 * until the next lines show whether they complete a card, and everything is written at EOF.
 * A malformed line yields `{"id":null,"error":{"code","message"}}`. An invalid policy rejects.
 */
export async function runRedactCli(
  options: RedactCliOptions,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<void> {
  const policy = options.policyFile ? await loadPolicyFile(options.policyFile) : compilePolicy(DEFAULT_POLICY)
  const scanner = new ConversationScanner(policy)
  const queue: Entry[] = []
  const bySeq = new Map<string, { entry: Entry; id: string | number }>()
  const pending = new Map<string, string[]>()
  let seq = 0

  const write = async (text: string) => {
    if (!output.write(`${text}\n`)) await once(output, 'drain')
  }
  const finalize = (seqId: string) => {
    const held = bySeq.get(seqId)
    if (held) held.entry.final = true
    bySeq.delete(seqId)
  }
  const flush = async (all: boolean) => {
    while (queue.length > 0) {
      const head = queue[0]!
      if (!head.final) {
        if (!all && queue.length <= MAX_QUEUED) break
        // Forced out: forget the sender's unfinished number so no later line revises it.
        if (head.key) {
          const k = `${head.key.conversation}\u0000${head.key.sender}`
          scanner.forget(head.key.conversation, head.key.sender)
          for (const s of pending.get(k) ?? []) finalize(s)
          pending.delete(k)
        }
        head.final = true
      }
      queue.shift()
      if (head.line !== null) await write(head.line)
    }
  }

  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  for await (const raw of lines) {
    if (raw.trim() === '') continue
    const entry: Entry = { line: null, key: null, final: true }
    queue.push(entry)
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      entry.line = errorLine(new ParleyError('PARLEY_ERR_PROTECT_INPUT_INVALID', 'line is not valid JSON'))
      await flush(false)
      continue
    }
    const msg = lineSchema.safeParse(parsed)
    if (!msg.success) {
      const issue = msg.error.issues[0]
      const where = issue ? `${issue.path.join('.') || '(line)'}: ${issue.message}` : 'invalid line'
      entry.line = errorLine(new ParleyError('PARLEY_ERR_PROTECT_INPUT_INVALID', where))
      await flush(false)
      continue
    }
    const { id, text, conversation, sender } = msg.data
    try {
      if (conversation === undefined) {
        entry.line = resultLine(id, scanText(text, policy))
      } else {
        const key = { conversation, sender: sender ?? '' }
        const k = `${key.conversation}\u0000${key.sender}`
        const seqId = String(seq++)
        const r = scanner.scan({ ...key, id: seqId, text })
        entry.line = resultLine(id, r)
        entry.key = key
        bySeq.set(seqId, { entry, id })
        for (const rev of r.revisions) {
          const target = bySeq.get(rev.id)
          if (target) target.entry.line = resultLine(target.id, rev)
        }
        const open = new Set(r.openIds)
        const stillOpen: string[] = []
        for (const s of [...(pending.get(k) ?? []), seqId]) {
          if (open.has(s)) stillOpen.push(s)
          else finalize(s)
        }
        entry.final = !open.has(seqId)
        if (stillOpen.length > 0) pending.set(k, stillOpen)
        else pending.delete(k)
      }
    } catch (err) {
      entry.line = errorLine(err)
      entry.final = true
    }
    await flush(false)
  }
  for (const entry of queue) entry.final = true
  await flush(true)
}
