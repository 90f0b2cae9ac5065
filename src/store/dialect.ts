import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type SQLite from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  type QueryResult,
  SqliteDialect,
  SqliteDriver,
  sql,
} from 'kysely'
import pg from 'pg'
import { LOCK_WAIT_MS } from './message-ops.js'
import type { Database } from './schema.js'
import { SqliteCheckpointer } from './sqlite-checkpointer.js'
import { openSqlite } from './sqlite-open.js'
import { SqliteWriterThread } from './sqlite-writer.js'

/**
 * Kysely begins SQLite transactions DEFERRED. With a second writing connection (the writer
 * thread), a deferred transaction that read first cannot upgrade to a write once the other
 * connection committed (SQLITE_BUSY_SNAPSHOT, no waiting). IMMEDIATE takes the write lock
 * up front, waiting (LockWaitingConnection) for the other connection's short commit instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>()

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection()
    let outer = this.#wrapped.get(inner)
    if (!outer) {
      outer = new LockWaitingConnection(inner)
      this.#wrapped.set(inner, outer)
    }
    return outer
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

/**
 * Waits for another connection's write lock without blocking the event loop. SQLite's own
 * busy handler sleeps the whole thread (in steps of 1, 2, 5, 10… ms), which on the serving
 * thread would stall every socket; here the connection's busy timeout is 0 and a statement
 * refused with SQLITE_BUSY is retried after a timer. That is safe: a refused statement did
 * nothing, and inside an IMMEDIATE transaction only `begin immediate` can be refused.
 */
class LockWaitingConnection implements DatabaseConnection {
  constructor(private readonly inner: DatabaseConnection) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    let deadline = 0
    for (;;) {
      try {
        return await this.inner.executeQuery<R>(query)
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err
        deadline ||= Date.now() + LOCK_WAIT_MS
        if (Date.now() > deadline) throw err
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize)
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0]
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config)
    this.#config = config
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config)
  }
}

/**
 * The few ways the two engines differ, as flags (Kysely's DialectAdapter idea): feature code
 * asks a flag, never `if (engine === 'sqlite')`.
 */
export interface DialectTraits {
  name: 'sqlite' | 'postgres'
  /** Column type for bytes (message bodies, attachments). */
  bytesType: 'blob' | 'bytea'
  /**
   * Whether rows must be locked explicitly to serialise writers. SQLite has one writer per
   * database, so a transaction already serialises; PostgreSQL needs `SELECT … FOR UPDATE`.
   */
  needsRowLocks: boolean
  /** Case-insensitive LIKE operator. */
  ilike: 'like' | 'ilike'
}

export interface StoreConnection {
  db: Kysely<Database>
  traits: DialectTraits
  /** Short description without credentials, for logs. */
  describe: string
  /** The in-process SQLite handle, for the message hot path; null on PostgreSQL. */
  sqlite: SQLite.Database | null
  checkpointer: SqliteCheckpointer | null
  /** The thread that runs message group commits on its own connection (file databases). */
  writer: SqliteWriterThread | null
}

export type SqliteSync = 'OFF' | 'NORMAL' | 'FULL'

export interface StoreOptions {
  /** postgres://… to use PostgreSQL; otherwise SQLite at `sqlitePath`. */
  databaseUrl?: string | undefined
  sqlitePath: string
  /**
   * SQLite durability. NORMAL (the default) keeps every committed transaction through a
   * process crash or `kill -9` in WAL mode; FULL also survives power loss at a cost per commit.
   */
  sqliteSynchronous?: SqliteSync
  poolSize?: number
  /**
   * SQLite: run group commits and checkpoints on threads of their own (default). A second
   * connection opened from a worker thread (the search indexer's) says false: the serving
   * process already runs them.
   */
  threads?: boolean
}

// int8 (bigint) columns hold epoch milliseconds and sequence numbers, both far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v))

export function connectStore(opts: StoreOptions): StoreConnection {
  if (opts.databaseUrl?.startsWith('postgres')) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 })
    // An idle client dropped by the server (restart, failover) must not crash the process; the pool reconnects.
    pool.on('error', () => {})
    const url = new URL(opts.databaseUrl)
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      traits: { name: 'postgres', bytesType: 'bytea', needsRowLocks: true, ilike: 'ilike' },
      describe: `postgres://${url.host}${url.pathname}`,
      sqlite: null,
      checkpointer: null,
      writer: null,
    }
  }
  if (opts.sqlitePath !== ':memory:') mkdirSync(dirname(opts.sqlitePath), { recursive: true })
  const synchronous = opts.sqliteSynchronous ?? 'NORMAL'
  // Lock waits happen in LockWaitingConnection (timers), not in SQLite's sleeping busy handler.
  const database = openSqlite(opts.sqlitePath, synchronous, 0, { backstop: true })
  const file = opts.sqlitePath !== ':memory:' && opts.threads !== false
  return {
    db: new Kysely<Database>({
      dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }),
    }),
    traits: { name: 'sqlite', bytesType: 'blob', needsRowLocks: false, ilike: 'like' },
    describe: `sqlite:${opts.sqlitePath}`,
    sqlite: database,
    checkpointer: file ? new SqliteCheckpointer(opts.sqlitePath) : null,
    // An in-memory database exists for one connection only: it keeps its writes inline.
    writer: file ? new SqliteWriterThread({ path: opts.sqlitePath, synchronous }) : null,
  }
}

/** Answers whether the database responds (for /readyz). */
export async function pingStore(conn: StoreConnection): Promise<void> {
  await sql`select 1`.execute(conn.db)
}

/**
 * Kysely prepares every statement anew; on the hot path the same few SQL texts repeat, so
 * prepared statements are kept (bounded) and reused. Statements are stateless between runs.
 */
function withStatementCache(database: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>()
  const prepare = database.prepare.bind(database)
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') return Reflect.get(target, prop, receiver)
      return (source: string) => {
        let stmt = cache.get(source)
        if (!stmt) {
          stmt = prepare(source)
          if (cache.size >= 500) cache.delete(cache.keys().next().value!)
          cache.set(source, stmt)
        }
        return stmt
      }
    },
  })
}
