import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, ParleyError } from './index.js'

const doc = readFileSync(resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8')
const documented = new Map(
  [...doc.matchAll(/^\| `(PARLEY_ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
)

describe('error codes', () => {
  it('documents every code in docs/errors.md with its status, and no code that does not exist', () => {
    const table = new Map(Object.entries(ERROR_CODES).map(([code, [status]]) => [code, status]))
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(table))
  })

  it('follows the PARLEY_ERR_<AREA>_<WHAT> pattern', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^PARLEY_ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/)
  })

  it('serialises to the client shape without a stack', () => {
    const err = new ParleyError('PARLEY_ERR_MESSAGE_TOO_LONG', 'message exceeds 4000 characters', {
      limit: 4000,
    })
    expect(err.statusCode).toBe(413)
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      error: { code: 'PARLEY_ERR_MESSAGE_TOO_LONG', message: 'message exceeds 4000 characters', limit: 4000 },
    })
  })
})
