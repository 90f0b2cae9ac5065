import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { clientFrameSchemas } from './protocol.schema.js'

const doc = readFileSync(resolve(import.meta.dirname, '../../docs/protocol.md'), 'utf8')
const clientTable = doc.slice(doc.indexOf('## 3. Client frames'), doc.indexOf('## 4. Server frames'))

describe('docs/protocol.md', () => {
  it('documents every client frame type the server accepts, and no other', () => {
    const documented = [...clientTable.matchAll(/^\| `([a-z_.]+)` \|/gm)]
      .map((m) => m[1])
      .filter((t) => t !== 'type')
      .sort()
    expect(documented).toEqual(Object.keys(clientFrameSchemas).sort())
  })

  it('names every field of every client frame', () => {
    for (const [type, schema] of Object.entries(clientFrameSchemas)) {
      const row = clientTable.split('\n').find((l) => l.startsWith(`| \`${type}\` |`)) ?? ''
      for (const field of Object.keys(schema.shape)) {
        if (field === 'type' || field === 'ref') continue
        expect(row, `${type}.${field}`).toContain(`\`${field}`)
      }
    }
  })
})
