import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
/** Where the PostgreSQL tests connect (trust auth on the CI machine). */
export const PG_ADMIN_URL = process.env.PARLEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_TEST_URL = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const ENGINES = ['sqlite', 'postgres']
/** A fresh, empty database of the given engine: a temp SQLite file, or a new PostgreSQL database. */
export async function freshDatabase(engine) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-test-'))
  if (engine === 'sqlite') {
    return {
      databaseUrl: undefined,
      sqlitePath: join(dir, 'parley.db'),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const name = `parley_t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    databaseUrl: url.toString(),
    sqlitePath: join(dir, 'unused.db'),
    dispose: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
//# sourceMappingURL=engines.js.map
