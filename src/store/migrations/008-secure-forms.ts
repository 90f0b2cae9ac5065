import type { Kysely } from 'kysely'

/**
 * Secure forms: each tenant's destination (URL, signing secret, enabled kinds) and the forms
 * agents requested. A form row holds who may fill it and its state, never a submitted value:
 * values go straight from the request to the tenant's endpoint.
 */
export const secureFormsMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('secure_form_configs')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('kinds', 'text', (c) => c.notNull())
      .addColumn('custom_label', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('secure_forms')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text', (c) => c.notNull())
      .addColumn('visitor_id', 'text', (c) => c.notNull())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('label', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('request_seq', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('closed_at', 'bigint')
      .execute()
    await db.schema
      .createIndex('secure_forms_conversation')
      .on('secure_forms')
      .columns(['tenant_id', 'conversation_id'])
      .execute()
  },
}
