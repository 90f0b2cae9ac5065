import SQLite from 'better-sqlite3'

/**
 * Opens a SQLite connection with Parley's settings. The serving connection and the writer
 * thread's both come from here, so the two agree on durability and waiting.
 */
export function openSqlite(path: string, synchronous: string, busyTimeoutMs: number): SQLite.Database {
  const database = new SQLite(path)
  database.pragma('journal_mode = WAL')
  database.pragma(`synchronous = ${synchronous}`)
  // Several connections write (serving thread, writer thread, search indexer): each waits for
  // the others, either here (SQLite's sleeping busy handler) or, with 0, in the caller's own loop.
  database.pragma(`busy_timeout = ${busyTimeoutMs}`)
  database.pragma('foreign_keys = ON')
  // A larger page cache keeps the hot indexes in memory; commits then write, not read.
  database.pragma('cache_size = -65536')
  // No connection checkpoints on commit: a file database is always opened beside a
  // SqliteCheckpointer, which does it on its own thread and bounds the WAL. An automatic
  // checkpoint runs inside the commit that crosses the threshold: after a peak it held the
  // message writer's commits for 50-60 ms at a time, and on the serving connection it would
  // hold the event loop.
  if (path !== ':memory:') database.pragma('wal_autocheckpoint = 0')
  return database
}
