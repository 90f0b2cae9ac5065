/** Secure forms: card and account data typed into Parley's isolated page, forwarded signed, never stored. */

export type { CheckedFields, SecureFormKind } from './fields.js'
/** Per-kind checks of submitted values (card: Luhn and expiry; bank account: IBAN or ABA). */
export { checkFields, SECURE_FORM_KINDS } from './fields.js'
/** HTTP routes and the framed form page. */
export { secureFormPage, secureFormRoutes } from './secure-form.plugin.js'
/** The form token header the page sends. */
export { FORM_TOKEN_HEADER } from './secure-form.schema.js'
export type { SecureFormDeps } from './secure-form-service.js'
/** Requests, offers, submission, forwarding and the transcript lines of secure forms. */
export { SECURE_FORM_MAX_ATTEMPTS, SECURE_FORM_TTL_MS, SecureFormService } from './secure-form-service.js'
