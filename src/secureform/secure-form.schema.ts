import { z } from 'zod'
import { SECURE_FORM_KINDS } from './fields.js'

const kind = z.enum(SECURE_FORM_KINDS)

/** PUT /api/v1/secure-forms/config: where forms go and which kinds agents may request. */
export const configBody = z.strictObject({
  url: z.string().max(2000),
  kinds: z.array(kind).max(SECURE_FORM_KINDS.length),
  customLabel: z.string().trim().min(1).max(80).nullish(),
  /** Generate a new signing secret (shown once in the answer); the first save always does. */
  rotateSecret: z.boolean().optional(),
})
export type ConfigBody = z.infer<typeof configBody>

export const configView = z.object({
  configured: z.boolean(),
  url: z.string().nullable(),
  kinds: z.array(kind),
  customLabel: z.string().nullable(),
  updatedAt: z.string().nullable(),
})
/** The answer to a save: the secret appears only when it was just generated. */
export const savedConfigView = configView.extend({ secret: z.string().optional() })

/** POST /api/v1/conversations/:id/secure-forms (the REST twin of the secure_form.request frame). */
export const requestBody = z.strictObject({
  kind,
  label: z.string().trim().min(1).max(80).optional(),
})

export const formView = z.object({
  id: z.string(),
  conversationId: z.string(),
  kind,
  label: z.string().nullable(),
  status: z.enum(['pending', 'sending', 'completed', 'cancelled', 'locked', 'expired']),
  seq: z.number().int(),
  createdAt: z.string(),
  expiresAt: z.string(),
})

/** What the form page learns about its form: enough to draw the fields, nothing about the chat. */
export const pageFormView = z.object({
  id: z.string(),
  kind,
  label: z.string().nullable(),
  expiresAt: z.string(),
})

/** The values go in `fields`; `checkFields` checks them per kind. */
export const submitBody = z.strictObject({
  fields: z.record(z.string().max(32), z.string().max(1000)),
})

export const outcomeView = z.object({
  status: z.enum(['completed', 'cancelled']),
})

/** The form token: from the page's URL fragment, sent back in this header (never in a URL). */
export const FORM_TOKEN_HEADER = 'x-parley-form-token'
