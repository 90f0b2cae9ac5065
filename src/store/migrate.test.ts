import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ENGINES, freshDatabase, type TestDatabase } from '../../test/engines.js'
import { seedConversation, writeVisitorMessage } from '../../test/store-fixtures.js'
import { migrateToLatest, migrateUpTo, Store } from './index.js'

for (const engine of ENGINES) {
  describe(`${engine}: upgrading a database that holds messages`, () => {
    let tdb: TestDatabase
    let store: Store
    const tenantId = randomUUID()
    const convId = randomUUID()

    beforeEach(async () => {
      tdb = await freshDatabase(engine)
      store = await Store.open({ databaseUrl: tdb.databaseUrl, sqlitePath: tdb.sqlitePath, migrate: false })
    })
    afterEach(async () => {
      await store.close()
      await tdb.dispose()
    })

    /** What a database of 012 holds, read back in full. */
    const allMessages = () =>
      store.conn.db
        .selectFrom('messages')
        .select([
          'id',
          'tenant_id',
          'conversation_id',
          'seq',
          'client_msg_id',
          'body',
          'redactions',
          'created_at',
        ])
        .orderBy('seq')
        .execute()

    it('013 keeps every message and its search trigger, and still refuses a resend', async () => {
      await migrateUpTo(store.conn, '012-leases')
      await seedConversation(store, tenantId, convId)
      await store.conn.db
        .insertInto('messages')
        .values(
          Array.from({ length: 3 }, (_, i) => ({
            id: `m${i + 1}`,
            tenant_id: tenantId,
            conversation_id: convId,
            seq: i + 1,
            client_msg_id: `c${i + 1}`,
            sender_kind: 'visitor' as const,
            sender_id: 'v1',
            kind: 'text' as const,
            body: Buffer.from(`message ${i + 1}`),
            attachment_id: null,
            redactions: i === 0 ? '{"card":1}' : '{}',
            created_at: 1_700_000_000_000 + i,
          })),
        )
        .execute()
      await store.conn.db.updateTable('conversations').set({ last_seq: 3 }).where('id', '=', convId).execute()
      const before = await allMessages()

      await migrateToLatest(store.conn)

      expect(await allMessages()).toEqual(before)
      // The resend check's index leads with the client message id.
      const indexDefinitions =
        engine === 'sqlite'
          ? (
              await sql<{ sql: string }>`select sql from sqlite_master where name = 'messages'`.execute(
                store.conn.db,
              )
            ).rows.map((r) => r.sql)
          : (
              await sql<{
                indexdef: string
              }>`select indexdef from pg_indexes where tablename = 'messages'`.execute(store.conn.db)
            ).rows.map((r) => r.indexdef)
      expect(indexDefinitions.join('\n')).toMatch(/\(\s*"?client_msg_id"?\s*,\s*"?conversation_id"?\s*\)/)

      // A resend of a stored client message id is answered with the stored message.
      const message = { tenantId, conversationId: convId }
      const resend = await writeVisitorMessage(store, {
        ...message,
        clientMsgId: 'c2',
        text: 'message 2 again',
      })
      expect(resend).toMatchObject({ id: 'm2', seq: 2, duplicate: true })
      const next = await writeVisitorMessage(store, { ...message, clientMsgId: 'c4', text: 'message 4' })
      expect(next).toMatchObject({ seq: 4, duplicate: false })
      // The database itself still refuses a second copy, whoever writes.
      await expect(
        store.conn.db
          .insertInto('messages')
          .values({
            ...before[0]!,
            id: 'm-copy',
            seq: 99,
            sender_kind: 'visitor',
            sender_id: 'v1',
            kind: 'text',
          })
          .execute(),
      ).rejects.toThrow(/unique|duplicate/i)

      // A revised body still queues the message for the search indexer.
      await store.conn.db
        .updateTable('messages')
        .set({ body: Buffer.from('revised') })
        .where('id', '=', 'm1')
        .execute()
      const dirty = await store.conn.db.selectFrom('search_dirty').select('message_id').execute()
      expect(dirty.map((d) => d.message_id)).toContain('m1')
    })
  })
}
