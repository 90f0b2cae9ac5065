import SQLite from 'better-sqlite3'

/**
 * Opens a SQLite connection with Parley's settings. The serving connection and the writer
 * thread's both come from here, so the two agree on durability and waiting.
 */
/**
 * WAL pages past which the serving connection checkpoints on its own (2 GiB at 4 KiB pages):
 * only if the checkpointer thread is gone, which otherwise truncates the WAL at 1 GiB.
 */
export const BACKSTOP_CHECKPOINT_PAGES = 524_288

export function openSqlite(
  path: string,
  synchronous: string,
  busyTimeoutMs: number,
  { backstop = false }: { backstop?: boolean } = {},
): SQLite.Database {
  const database = new SQLite(path)
  database.pragma('journal_mode = WAL')
  database.pragma(`synchronous = ${synchronous}`)
  // Several connections write (serving thread, writer thread, search indexer): each waits for
  // the others, either here (SQLite's sleeping busy handler) or, with 0, in the caller's own loop.
  database.pragma(`busy_timeout = ${busyTimeoutMs}`)
  database.pragma('foreign_keys = ON')
  // A larger page cache keeps the hot indexes in memory; commits then write, not read.
  database.pragma('cache_size = -65536')
  // Checkpoints are the SqliteCheckpointer thread's job (a file database is always opened beside
  // one), which also bounds the WAL. An automatic checkpoint runs inside the commit that crosses
  // its threshold: after a peak it held the message writer's commits for 50-60 ms at a time. The
  // serving connection keeps a far threshold, in case that thread is gone.
  if (path !== ':memory:') database.pragma(`wal_autocheckpoint = ${backstop ? BACKSTOP_CHECKPOINT_PAGES : 0}`)
  return database
}
