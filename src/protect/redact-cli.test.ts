import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { runRedactCli } from './redact-cli.js'

async function run(lines: string[], policyFile?: string): Promise<Record<string, unknown>[]> {
  const input = Readable.from(lines.map((l) => `${l}\n`))
  const output = new PassThrough()
  const chunks: Buffer[] = []
  output.on('data', (c: Buffer) => chunks.push(c))
  await runRedactCli(policyFile ? { policyFile } : {}, input, output)
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

describe('runRedactCli', () => {
  it('writes one redacted line with findings per input line', async () => {
    const out = await run([JSON.stringify({ id: 1, text: 'card 4111111111111111' })])
    expect(out).toEqual([
      { id: 1, text: 'card ************1111', findings: [{ type: 'card_number', start: 5, end: 21 }] },
    ])
  })
  it('redacts every part of a split card and keeps input order', async () => {
    const out = await run([
      JSON.stringify({ id: 'a', conversation: 'c', sender: 'v', text: 'my card 4111 1111' }),
      JSON.stringify({ id: 'b', conversation: 'd', sender: 'v', text: 'hello' }),
      JSON.stringify({ id: 'c', conversation: 'c', sender: 'v', text: '1111' }),
      JSON.stringify({ id: 'd', conversation: 'c', sender: 'v', text: '1111' }),
    ])
    expect(out.map((o) => [o.id, o.text])).toEqual([
      ['a', 'my card **** ****'],
      ['b', 'hello'],
      ['c', '****'],
      ['d', '1111'],
    ])
  })
  it('flushes held lines at EOF unchanged when no later part arrives', async () => {
    const out = await run([JSON.stringify({ id: 'a', conversation: 'c', text: 'number 4111 1111' })])
    expect(out).toEqual([{ id: 'a', text: 'number 4111 1111', findings: [] }])
  })
  it('answers a malformed line with an error line and goes on', async () => {
    const out = await run([
      '{not json',
      JSON.stringify({ id: 2 }),
      '',
      JSON.stringify({ id: 3, text: 'pin 1234' }),
    ])
    expect(out).toEqual([
      { id: null, error: { code: 'PARLEY_ERR_PROTECT_INPUT_INVALID', message: 'line is not valid JSON' } },
      {
        id: null,
        error: { code: 'PARLEY_ERR_PROTECT_INPUT_INVALID', message: expect.stringContaining('text') },
      },
      { id: 3, text: 'pin [redacted:pin]', findings: [{ type: 'pin', start: 4, end: 8 }] },
    ])
  })
  it('reads a policy file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-protect-'))
    const file = join(dir, 'policy.json')
    await writeFile(file, JSON.stringify({ version: 1, default: 'keep', categories: { email: 'remove' } }))
    const out = await run([JSON.stringify({ id: 1, text: 'a@b.co 4111111111111111' })], file)
    expect(out[0]!.text).toBe('[redacted:email] 4111111111111111')
  })
  it('rejects an invalid policy file with PARLEY_ERR_PROTECT_POLICY_INVALID', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-protect-'))
    const file = join(dir, 'policy.json')
    await writeFile(file, '{"version": 1, "categories": {"card_cvv": "keep"')
    await expect(run([], file)).rejects.toMatchObject({ code: 'PARLEY_ERR_PROTECT_POLICY_INVALID' })
    await writeFile(file, '{"version": 1, "categories": {"card_cvv": "keep"}}')
    await expect(run([], file)).rejects.toMatchObject({ code: 'PARLEY_ERR_PROTECT_MODE_FORBIDDEN' })
  })
})
