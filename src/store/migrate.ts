import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely'
import type { StoreConnection } from './dialect.js'
import { coreMigration } from './migrations/001-core.js'
import { protectMigration } from './migrations/002-protect.js'
import { watchMigration } from './migrations/003-watch.js'
import { webhooksMigration } from './migrations/004-webhooks.js'
import { watchPolicyMigration } from './migrations/005-watch-policy.js'
import { searchMigration } from './migrations/006-search.js'
import { vaultMigration } from './migrations/007-vault.js'
import { secureFormsMigration } from './migrations/008-secure-forms.js'
import { signInThrottleMigration } from './migrations/009-sign-in-throttle.js'
import { apiTokensMigration } from './migrations/010-api-tokens.js'
import { mfaMigration } from './migrations/011-mfa.js'
import { leasesMigration } from './migrations/012-leases.js'
import { messageDedupeOrderMigration } from './migrations/013-message-dedupe-order.js'

/** Versioned migrations, in order. A migration is never edited once released: add a new one. */
function migrations(conn: StoreConnection): Record<string, Migration> {
  return {
    '001-core': coreMigration(conn.traits),
    '002-protect': protectMigration,
    '003-watch': watchMigration,
    '004-webhooks': webhooksMigration,
    '005-watch-policy': watchPolicyMigration,
    '006-search': searchMigration(conn.traits),
    '007-vault': vaultMigration(conn.traits),
    '008-secure-forms': secureFormsMigration,
    '009-sign-in-throttle': signInThrottleMigration,
    '010-api-tokens': apiTokensMigration,
    '011-mfa': mfaMigration(conn.traits),
    '012-leases': leasesMigration,
    '013-message-dedupe-order': messageDedupeOrderMigration(conn.traits),
  }
}

/** Brings the schema up to date; safe to run on every start and from several nodes at once. */
export async function migrateToLatest(conn: StoreConnection): Promise<MigrationResultSet> {
  return migrateUpTo(conn, null)
}

/** Runs the migrations up to and including `name` (all of them with null): upgrade tests start from an older schema. */
export async function migrateUpTo(conn: StoreConnection, name: string | null): Promise<MigrationResultSet> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(conn) }
  const migrator = new Migrator({ db: conn.db, provider, migrationTableName: 'parley_migrations' })
  const result = name === null ? await migrator.migrateToLatest() : await migrator.migrateTo(name)
  if (result.error) throw result.error
  return result
}
