/** The categories the built-in detectors report; these strings are the stable, documented type names. */
export const BUILTIN_TYPES = [
  'card_number',
  'card_cvv',
  'card_expiry',
  'track_data',
  'ssn',
  'iban',
  'routing_number',
  'bank_account',
  'password',
  'pin',
  'otp',
  'email',
  'phone',
  'date_of_birth',
  'secret',
] as const

/** A built-in finding category. */
export type BuiltinType = (typeof BUILTIN_TYPES)[number]

/** A finding category: built in, or a tenant pattern reported as `custom:<name>`. */
export type FindingType = BuiltinType | `custom:${string}`

/** One detected value: its category and its UTF-16 range `[start, end)` in the input text. */
export interface Finding {
  type: FindingType
  start: number
  end: number
}

/** Count of findings per category: safe to store as message metadata (it never holds a value). */
export type FindingSummary = Partial<Record<FindingType, number>>

/** Detectors report ranges in the folded text; the engine maps them back to the input. */
export type Emit = (type: FindingType, start: number, end: number) => void
