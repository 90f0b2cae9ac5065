import type { CountryCode } from 'libphonenumber-js/max'
import { z } from 'zod'
import { ParleyError } from '../errors/index.js'
import { isPhoneRegion } from './contact.js'
import { type CompiledPattern, compileCustomPattern } from './custom-pattern.js'
import { BUILTIN_TYPES, type FindingType } from './types.js'

/** What happens to a finding: replaced by a label, masked, swapped for a token, or left as is. */
export const REDACTION_MODES = ['remove', 'mask', 'tokenize', 'keep'] as const
/** A redaction mode. */
export type RedactionMode = (typeof REDACTION_MODES)[number]

/** A mode with its options (`keepLast`: trailing letters/digits a mask leaves visible). */
export interface ModeSpec {
  mode: RedactionMode
  keepLast: number
}

// PCI DSS 3.3.1: sensitive authentication data (full track, CVV, PIN) may not be kept after
// authorisation, not even encrypted, so it may be neither kept nor tokenized.
const SENSITIVE_AUTH_DATA: ReadonlySet<FindingType> = new Set<FindingType>(['card_cvv', 'pin', 'track_data'])

// How much of a value a mask may leave visible. PCI DSS 3.4.1 allows at most the last four
// digits of a PAN; the same bound is used for other account identifiers, none elsewhere.
const MAX_KEEP_LAST: Partial<Record<FindingType, number>> = {
  card_number: 4,
  iban: 4,
  bank_account: 4,
  phone: 4,
  ssn: 4,
}

const modeSchema = z.enum(REDACTION_MODES)
const modeSpecSchema = z.union([
  modeSchema,
  z.strictObject({ mode: modeSchema, keepLast: z.number().int().min(0).max(4).optional() }),
])
const customPatternSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z][a-z0-9_]{0,31}$/,
      'name must be 1-32 lower-case letters, digits or _, starting with a letter',
    ),
  pattern: z.string().min(1).max(256),
  flags: z.string().max(3).optional(),
  test: z.string().min(1).max(1000),
  mode: modeSpecSchema.optional(),
})

/** Who may see a tokenized value again, and how (defaults: admins, after a second admin approves, 15 minutes). */
const revealSchema = z.strictObject({
  roles: z
    .array(z.enum(['admin', 'agent']))
    .min(1)
    .max(2)
    .optional(),
  requireApproval: z.boolean().optional(),
  windowMinutes: z.number().int().min(1).max(60).optional(),
})

/** The policy document as JSON (see docs/protect.md): validated with zod, unknown keys refused. */
export const policySchema = z.strictObject({
  version: z.literal(1),
  default: modeSpecSchema.optional(),
  categories: z.partialRecord(z.enum(BUILTIN_TYPES), modeSpecSchema).optional(),
  phoneRegions: z.array(z.string().length(2)).min(1).max(16).optional(),
  customPatterns: z.array(customPatternSchema).max(32).optional(),
  reveal: revealSchema.optional(),
})

/** A policy document before validation. */
export type PolicyDocument = z.input<typeof policySchema>

/** A validated policy, ready for scanning. Build one with `compilePolicy`. */
export interface CompiledPolicy {
  readonly modes: ReadonlyMap<FindingType, ModeSpec>
  readonly customPatterns: readonly CompiledPattern[]
  readonly phoneRegions: readonly CountryCode[]
  /** True when some category is tokenized, so a tokenizer is required. */
  readonly tokenizes: boolean
  readonly reveal: RevealPolicy
}

/** Who may reveal a tokenized value, whether a second person must approve, and for how long. */
export interface RevealPolicy {
  readonly roles: ReadonlySet<'admin' | 'agent'>
  readonly requireApproval: boolean
  readonly windowMs: number
}

/** The strict default: everything removed, except card numbers masked to their last four digits. */
export const DEFAULT_POLICY: PolicyDocument = {
  version: 1,
  default: 'remove',
  categories: { card_number: { mode: 'mask', keepLast: 4 } },
  phoneRegions: ['US'],
}

function toSpec(input: z.infer<typeof modeSpecSchema>): ModeSpec {
  return typeof input === 'string'
    ? { mode: input, keepLast: 0 }
    : { mode: input.mode, keepLast: input.keepLast ?? 0 }
}

function checkSpec(type: FindingType, spec: ModeSpec): void {
  if (SENSITIVE_AUTH_DATA.has(type) && (spec.mode === 'tokenize' || spec.mode === 'keep')) {
    throw new ParleyError(
      'PARLEY_ERR_PROTECT_MODE_FORBIDDEN',
      `${type} is sensitive authentication data: mode "${spec.mode}" is not allowed (PCI DSS 3.3.1)`,
      { category: type, mode: spec.mode },
    )
  }
  if (spec.keepLast > 0 && spec.mode !== 'mask') {
    throw new ParleyError(
      'PARLEY_ERR_PROTECT_MODE_FORBIDDEN',
      `${type}: keepLast applies to mode "mask" only`,
      {
        category: type,
        mode: spec.mode,
      },
    )
  }
  const max = MAX_KEEP_LAST[type] ?? 0
  if (spec.keepLast > max) {
    throw new ParleyError(
      'PARLEY_ERR_PROTECT_MODE_FORBIDDEN',
      `${type}: a mask may keep at most ${max} characters`,
      {
        category: type,
        mode: spec.mode,
      },
    )
  }
}

/**
 * Validates a policy document and compiles it. Throws PARLEY_ERR_PROTECT_POLICY_INVALID for a
 * document that does not match the schema, PARLEY_ERR_PROTECT_MODE_FORBIDDEN for a mode a
 * category may not use, and the PATTERN codes for unsafe or failing custom patterns.
 */
export function compilePolicy(input: unknown): CompiledPolicy {
  const parsed = policySchema.safeParse(input)
  if (!parsed.success) {
    throw new ParleyError('PARLEY_ERR_PROTECT_POLICY_INVALID', 'the redaction policy is invalid', {
      issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    })
  }
  const doc = parsed.data
  const fallback = toSpec(doc.default ?? 'remove')
  const modes = new Map<FindingType, ModeSpec>()
  for (const type of BUILTIN_TYPES) {
    const explicit = doc.categories?.[type]
    let spec = explicit === undefined ? fallback : toSpec(explicit)
    // The default never lowers protection of sensitive authentication data; only an explicit,
    // allowed entry changes it.
    if (explicit === undefined && SENSITIVE_AUTH_DATA.has(type)) spec = { mode: 'remove', keepLast: 0 }
    else if (explicit === undefined && spec.keepLast > (MAX_KEEP_LAST[type] ?? 0)) {
      spec = { mode: spec.mode, keepLast: MAX_KEEP_LAST[type] ?? 0 }
    }
    checkSpec(type, spec)
    modes.set(type, spec)
  }
  const customPatterns: CompiledPattern[] = []
  const seen = new Set<string>()
  for (const p of doc.customPatterns ?? []) {
    if (seen.has(p.name)) {
      throw new ParleyError('PARLEY_ERR_PROTECT_POLICY_INVALID', 'the redaction policy is invalid', {
        issues: [`customPatterns: duplicate name "${p.name}"`],
      })
    }
    seen.add(p.name)
    customPatterns.push(compileCustomPattern(p))
    const type: FindingType = `custom:${p.name}`
    const spec = p.mode === undefined ? { mode: fallback.mode, keepLast: 0 } : toSpec(p.mode)
    checkSpec(type, spec)
    modes.set(type, spec)
  }
  const phoneRegions: CountryCode[] = []
  for (const r of doc.phoneRegions ?? ['US']) {
    const code = r.toUpperCase()
    if (!isPhoneRegion(code)) {
      throw new ParleyError('PARLEY_ERR_PROTECT_POLICY_INVALID', 'the redaction policy is invalid', {
        issues: [`phoneRegions: unknown region "${r}"`],
      })
    }
    phoneRegions.push(code)
  }
  const tokenizes = [...modes.values()].some((s) => s.mode === 'tokenize')
  const reveal: RevealPolicy = {
    roles: new Set(doc.reveal?.roles ?? ['admin']),
    requireApproval: doc.reveal?.requireApproval ?? true,
    windowMs: (doc.reveal?.windowMinutes ?? 15) * 60_000,
  }
  return { modes, customPatterns, phoneRegions, tokenizes, reveal }
}

/** The mode for a category (custom types not in the policy fall back to remove). */
export function modeFor(policy: CompiledPolicy, type: FindingType): ModeSpec {
  return policy.modes.get(type) ?? { mode: 'remove', keepLast: 0 }
}
