import type { Kysely } from 'kysely'
import type { DialectTraits } from '../dialect.js'

/**
 * Multi-factor sign-in (docs/mfa.md): each agent's TOTP secret, sealed under the tenant's `mfa`
 * key and never stored in clear, with the last time step used (no replay); one-time recovery
 * codes as keyed hashes; the short-lived challenges between a password and the second factor;
 * the tenant's "require MFA" switch; and, per session, when its factor was last verified and
 * whether it must verify one again (step-up) before reading transcripts.
 */
export function mfaMigration(traits: DialectTraits) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('agent_mfa')
        .addColumn('agent_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('key_version', 'integer', (c) => c.notNull())
        .addColumn('secret_sealed', traits.bytesType, (c) => c.notNull())
        .addColumn('last_step', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('confirmed_at', 'bigint')
        .execute()
      await db.schema
        .createTable('mfa_recovery_codes')
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addPrimaryKeyConstraint('mfa_recovery_codes_pk', ['agent_id', 'code_hash'])
        .execute()
      await db.schema
        .createTable('mfa_challenges')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('mfa_challenges_expiry').on('mfa_challenges').column('expires_at').execute()
      await db.schema
        .alterTable('tenants')
        .addColumn('mfa_required', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.schema.alterTable('sessions').addColumn('mfa_verified_at', 'bigint').execute()
      await db.schema
        .alterTable('sessions')
        .addColumn('step_up_required', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
    },
  }
}
