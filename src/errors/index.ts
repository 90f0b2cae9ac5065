/** Error codes and their table (the source `docs/errors.md` is checked against). */

export type { ParleyErrorCode } from './codes.js'
export { ERROR_CODES } from './codes.js'
export type { ErrorDetails } from './parley-error.js'
/** The coded error every capability throws. */
export { isParleyError, ParleyError } from './parley-error.js'
