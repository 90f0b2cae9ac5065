import { z } from 'zod'
import { ParleyError } from '../errors/index.js'
import { abaValid, cardBrand, ibanValid, isCardNumber } from '../protect/index.js'

export const SECURE_FORM_KINDS = ['card', 'bank_account', 'custom'] as const
export type SecureFormKind = (typeof SECURE_FORM_KINDS)[number]

/** What is forwarded for one form: normalised fields, and what the transcript may say about them. */
export interface CheckedFields {
  fields: Record<string, string>
  /** A card's last four digits (PCI DSS allows showing them); nothing for other kinds. */
  last4?: string
}

const compact = (v: string) => v.replace(/[\s-]/g, '')
const text = (max: number) => z.string().trim().min(1, 'required').max(max, `at most ${max} characters`)

/** MM/YY, MM/YYYY, MM-YY or MMYY; valid through the last day of that month, at most 20 years ahead. */
function parseExpiry(raw: string, now: Date): { month: string; year: string } | null {
  const m = /^(\d{2})\s*[/-]?\s*(\d{2}|\d{4})$/.exec(raw.trim())
  if (!m) return null
  const month = Number(m[1])
  const year = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2])
  if (month < 1 || month > 12) return null
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth()
  const given = year * 12 + (month - 1)
  if (given < current || given > current + 240) return null
  return { month: String(month).padStart(2, '0'), year: String(year) }
}

function cardSchema(now: Date) {
  return z
    .strictObject({
      number: z
        .string()
        .max(40, 'at most 40 characters')
        .transform(compact)
        .refine((d) => isCardNumber(d), 'not a valid card number'),
      expiry: z.string().max(16, 'at most 16 characters'),
      cvc: z
        .string()
        .trim()
        .regex(/^\d{3,4}$/, 'must be 3 or 4 digits'),
      name: text(100),
    })
    .transform((c, ctx): CheckedFields => {
      const expiry = parseExpiry(c.expiry, now)
      if (!expiry)
        ctx.addIssue({ code: 'custom', path: ['expiry'], message: 'not a valid, current expiry date' })
      // American Express prints a 4-digit code on the front; everyone else 3 on the back.
      if (c.cvc.length !== (cardBrand(c.number) === 'amex' ? 4 : 3))
        ctx.addIssue({ code: 'custom', path: ['cvc'], message: 'wrong length for this card' })
      if (!expiry) return z.NEVER
      return {
        fields: { number: c.number, expMonth: expiry.month, expYear: expiry.year, cvc: c.cvc, name: c.name },
        last4: c.number.slice(-4),
      }
    })
}

const bankAccountSchema = z
  .strictObject({
    holderName: text(100),
    iban: z.string().max(64, 'at most 64 characters').optional(),
    routingNumber: z.string().max(16, 'at most 16 characters').optional(),
    accountNumber: z.string().max(32, 'at most 32 characters').optional(),
  })
  .transform((b, ctx): CheckedFields => {
    const iban = b.iban ? compact(b.iban).toUpperCase() : ''
    const routing = b.routingNumber ? compact(b.routingNumber) : ''
    const account = b.accountNumber ? compact(b.accountNumber) : ''
    if (iban && (routing || account)) {
      ctx.addIssue({
        code: 'custom',
        path: ['iban'],
        message: 'give an IBAN or a routing and account number',
      })
      return z.NEVER
    }
    if (iban) {
      if (ibanValid(iban)) return { fields: { holderName: b.holderName, iban } }
      ctx.addIssue({ code: 'custom', path: ['iban'], message: 'not a valid IBAN' })
      return z.NEVER
    }
    if (!abaValid(routing))
      ctx.addIssue({ code: 'custom', path: ['routingNumber'], message: 'not a valid routing number' })
    if (!/^\d{4,17}$/.test(account))
      ctx.addIssue({ code: 'custom', path: ['accountNumber'], message: 'must be 4 to 17 digits' })
    return { fields: { holderName: b.holderName, routingNumber: routing, accountNumber: account } }
  })

const customSchema = z
  .strictObject({ value: text(500) })
  .transform((c): CheckedFields => ({ fields: { value: c.value } }))

/**
 * Checks what a visitor typed into a secure form, field by field, and normalises it for the
 * destination. A refusal names the fields and what is wrong with them, never what was typed.
 */
export function checkFields(kind: SecureFormKind, input: unknown, now = new Date()): CheckedFields {
  const schema =
    kind === 'card' ? cardSchema(now) : kind === 'bank_account' ? bankAccountSchema : customSchema
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const issues = r.error.issues.map((i) => ({
    field: i.path.map(String).join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : ''),
    message: i.code === 'invalid_type' ? 'required' : i.message,
  }))
  throw new ParleyError(
    'PARLEY_ERR_SECURE_FORM_FIELDS_INVALID',
    `check the form: ${issues.map((i) => `${i.field || 'form'} ${i.message}`).join('; ')}`,
    { issues },
  )
}

/** How the transcript names a form: "card", "bank account", or the custom label. */
export function describeForm(kind: SecureFormKind, label: string | null): string {
  if (kind === 'custom') return label ? `"${label}"` : 'information'
  return kind === 'card' ? 'card' : 'bank account'
}
