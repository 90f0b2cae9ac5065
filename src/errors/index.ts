/** Error codes and their table (the source `docs/errors.md` is checked against). */
export { ERROR_CODES } from './codes.js'
export type { ParleyErrorCode } from './codes.js'
/** The coded error every capability throws. */
export { ParleyError, isParleyError } from './parley-error.js'
export type { ErrorDetails } from './parley-error.js'
