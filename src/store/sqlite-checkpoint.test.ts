import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { connectStore } from './dialect.js'
import { SqliteCheckpointer } from './sqlite-checkpointer.js'
import { BACKSTOP_CHECKPOINT_PAGES, openSqlite } from './sqlite-open.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

function freshDatabase() {
  const path = join(mkdtempSync(join(tmpdir(), 'parley-ckpt-')), 'parley.db')
  const db = openSqlite(path, 'NORMAL', 1000)
  cleanups.push(() => {
    db.close()
  })
  db.exec('create table t (id integer primary key, v blob)')
  return { path, db }
}

const walBytes = (path: string) => statSync(`${path}-wal`).size
const until = async (ok: () => boolean, ms: number) => {
  const deadline = Date.now() + ms
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  return ok()
}

test("the serving connection checkpoints only far past the checkpointer thread's own bound", async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'parley-ckpt-')), 'parley.db')
  const conn = connectStore({ sqlitePath: path })
  cleanups.push(async () => {
    await conn.writer?.close()
    await conn.checkpointer?.close()
    await conn.db.destroy()
  })
  expect(conn.checkpointer).not.toBeNull()
  expect(conn.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_CHECKPOINT_PAGES)
  const pageSize = conn.sqlite!.pragma('page_size', { simple: true }) as number
  expect(BACKSTOP_CHECKPOINT_PAGES * pageSize).toBeGreaterThan(1024 * 1024 * 1024)
})

test("the writer's connection never checkpoints inside a commit: the WAL grows until the checkpointer runs", () => {
  const { path, db } = freshDatabase()
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
  // SQLite's default would have checkpointed at 1,000 pages (about 4 MB) inside some commit.
  const insert = db.prepare('insert into t (v) values (?)')
  for (let i = 0; i < 1500; i++) insert.run(Buffer.alloc(4096, i % 251))
  expect(walBytes(path)).toBeGreaterThan(6 * 1024 * 1024)
})

test('the checkpointer copies the WAL into the database, and truncates a WAL past its bound', async () => {
  const { path, db } = freshDatabase()
  const insert = db.prepare('insert into t (v) values (?)')
  for (let i = 0; i < 1500; i++) insert.run(Buffer.alloc(4096, i % 251))
  const grown = walBytes(path)
  expect(grown).toBeGreaterThan(6 * 1024 * 1024)

  const checkpointer = new SqliteCheckpointer(path, { intervalMs: 20, maxWalBytes: 2 * 1024 * 1024 })
  cleanups.push(() => checkpointer.close())
  // PASSIVE checkpoints alone never shrink the file; the bound makes it empty.
  expect(await until(() => walBytes(path) < 1024 * 1024, 5000)).toBe(true)
  expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 1500 })
  // Writes go on afterwards as before.
  insert.run(Buffer.alloc(16))
  expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 1501 })
})

test('under the bound, the checkpointer backfills without truncating', async () => {
  const { path, db } = freshDatabase()
  const insert = db.prepare('insert into t (v) values (?)')
  for (let i = 0; i < 300; i++) insert.run(Buffer.alloc(4096, i % 251))
  const checkpointer = new SqliteCheckpointer(path, { intervalMs: 20 })
  cleanups.push(() => checkpointer.close())
  // Backfilling writes the pages into the database file itself (it held only the schema).
  expect(statSync(path).size).toBeLessThan(64 * 1024)
  expect(await until(() => statSync(path).size > 1024 * 1024, 5000)).toBe(true)
  expect(walBytes(path)).toBeGreaterThan(1024 * 1024)
})
