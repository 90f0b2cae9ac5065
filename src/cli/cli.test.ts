import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { SERVER_NODE_FLAGS } from '../../test/processes.js'
import { Store } from '../store/index.js'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '../..')
const parley = (args: string[], env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  })

describe('parley CLI', () => {
  it('npm start runs the server with the V8 flags tests and benches start it with', () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8'))
    expect(pkg.scripts.start).toBe(`node ${SERVER_NODE_FLAGS.join(' ')} dist/cli/main.js serve`)
  })

  it('creates a tenant and lists alerts across tenants for the operator', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-'))
    const created = await parley(
      [
        'tenant',
        'create',
        '--name',
        'Clinic',
        '--admin-email',
        'ops@clinic.test',
        '--origin',
        'https://clinic.test',
        '--json',
      ],
      {
        DATA_DIR: dataDir,
      },
    )
    const tenant = JSON.parse(created.stdout)
    expect(tenant).toMatchObject({
      adminEmail: 'ops@clinic.test',
      setupUrl: expect.stringContaining('/console/setup#token='),
    })

    const store = await Store.open({ sqlitePath: join(dataDir, 'parley.db') })
    await store.content.upsertAlert({
      id: 'alert-1',
      tenantId: tenant.tenantId,
      state: 'open',
      record: { id: 'alert-1', state: 'open' },
      alert: {
        signal: 'conversations',
        severity: 'high',
        detectedAt: '2026-11-25T10:00:00.000Z',
        diagnosis: { cause: 'bot_flood', confidence: 0.8 },
      },
      openedAt: Date.now(),
    })
    await store.close()

    const listed = await parley(['alerts', 'list'], { DATA_DIR: dataDir })
    expect(listed.stdout).toMatch(/Clinic\s+open\s+high\s+conversations\s+bot_flood \(80%\)/)
    const json = await parley(['alerts', 'list', '--state', 'resolved', '--json'], { DATA_DIR: dataDir })
    expect(json.stdout).toBe('')
    const help = await parley(['alerts', 'list', '--help'], {})
    expect(help.stdout).toContain('--tenant <id>')
  }, 60_000)
})
