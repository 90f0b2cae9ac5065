import { ApiTokenRepo } from './api-tokens.js'
import { type BodyCodec, utf8BodyCodec } from './body-codec.js'
import { ContentRepo } from './content.js'
import { ConversationRepo } from './conversations.js'
import { connectStore, pingStore, type StoreConnection, type StoreOptions } from './dialect.js'
import { DirectoryRepo } from './directory.js'
import { LeaseRepo } from './leases.js'
import { kyselyBatchCommit, sqliteInlineBatchCommit } from './message-ops.js'
import { MessageWriter } from './message-writer.js'
import { MfaRepo } from './mfa.js'
import { migrateToLatest } from './migrate.js'
import { ReportsRepo } from './reports.js'
import { SearchIndexRepo } from './search-index.js'
import { SecureFormRepo } from './secure-forms.js'
import { SignInThrottleRepo } from './sign-in-throttle.js'
import { VaultRepo } from './vault.js'

/**
 * The data layer every capability goes through. Message-like bodies are encoded and decoded
 * here only (see BodyCodec), so encryption and redaction can wrap them in one place.
 */
export class Store {
  readonly conn: StoreConnection
  readonly directory: DirectoryRepo
  readonly conversations: ConversationRepo
  readonly content: ContentRepo
  readonly messages: MessageWriter
  readonly search: SearchIndexRepo
  readonly reports: ReportsRepo
  readonly secureForms: SecureFormRepo
  readonly vault: VaultRepo
  readonly signInThrottle: SignInThrottleRepo
  readonly leases: LeaseRepo
  readonly mfa: MfaRepo
  readonly apiTokens: ApiTokenRepo
  #codec: BodyCodec = utf8BodyCodec

  private constructor(conn: StoreConnection) {
    this.conn = conn
    const codec = () => this.#codec
    this.directory = new DirectoryRepo(conn.db, conn.traits)
    this.conversations = new ConversationRepo(conn.db, conn.traits, codec)
    this.content = new ContentRepo(conn.db, codec)
    this.search = new SearchIndexRepo(conn.db, codec)
    this.reports = new ReportsRepo(conn.db)
    this.secureForms = new SecureFormRepo(conn.db)
    this.vault = new VaultRepo(conn.db)
    this.signInThrottle = new SignInThrottleRepo(conn.db)
    this.leases = new LeaseRepo(conn.db)
    this.mfa = new MfaRepo(conn.db)
    this.apiTokens = new ApiTokenRepo(conn.db)
    this.messages = new MessageWriter(
      conn.writer
        ? conn.writer.commit
        : conn.sqlite
          ? sqliteInlineBatchCommit(conn.db, conn.sqlite)
          : kyselyBatchCommit(conn.db, conn.traits.needsRowLocks),
      codec,
      // PostgreSQL commits wait on the network and the disk: four lanes keep the pool busy.
      conn.sqlite ? 1 : 4,
    )
  }

  /** Connects and migrates to the latest schema. */
  static async open(opts: StoreOptions & { migrate?: boolean }): Promise<Store> {
    const store = new Store(connectStore(opts))
    if (opts.migrate !== false) await migrateToLatest(store.conn)
    return store
  }

  /** Replaces how bodies are turned into bytes (the vault installs sealing here). */
  useBodyCodec(codec: BodyCodec): void {
    this.#codec = codec
  }

  ping(): Promise<void> {
    return pingStore(this.conn)
  }

  async close(): Promise<void> {
    await this.messages.drain()
    await this.conn.writer?.close()
    await this.conn.checkpointer?.close()
    await this.conn.db.destroy()
  }
}
