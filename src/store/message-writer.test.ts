import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ENGINES, freshDatabase, type TestDatabase } from '../../test/engines.js'
import { seedConversation, writeVisitorMessage } from '../../test/store-fixtures.js'
import { Store, utf8BodyCodec } from './index.js'
import { type BatchCommit, MessageWriter } from './message-writer.js'

for (const engine of ENGINES) {
  describe(`${engine}: message writer`, () => {
    let tdb: TestDatabase
    let store: Store
    const tenantId = randomUUID()
    const convId = randomUUID()

    beforeEach(async () => {
      tdb = await freshDatabase(engine)
      store = await Store.open({ databaseUrl: tdb.databaseUrl, sqlitePath: tdb.sqlitePath })
      await seedConversation(store, tenantId, convId)
    })
    afterEach(async () => {
      await store.close()
      await tdb.dispose()
    })

    const write = (clientMsgId: string, text = 'hello', conversationId = convId, tenant = tenantId) =>
      writeVisitorMessage(store, { tenantId: tenant, conversationId, clientMsgId, text })

    it('assigns consecutive sequence numbers to writes committed together', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => write(`c${i}`)))
      expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
      expect(results.every((r) => !r.duplicate)).toBe(true)
    })

    it('keeps each conversation in write order when several group commits run at once', async () => {
      const convs = [convId]
      for (let i = 0; i < 7; i++) {
        const id = randomUUID()
        await store.conversations.insertConversation({
          id,
          tenantId,
          siteId: 's1',
          visitorId: 'v1',
          visitorContext: '{}',
          teamId: null,
        })
        convs.push(id)
      }
      const writes = Array.from({ length: 400 }, (_, i) => ({ conv: convs[i % convs.length]!, i }))
      const results = await Promise.all(writes.map((w) => write(`o${w.i}`, 'x', w.conv)))
      for (const conv of convs) {
        const seqs = writes.flatMap((w, k) => (w.conv === conv ? [results[k]!.seq] : []))
        expect(seqs).toEqual(seqs.map((_, k) => k + 1))
      }
    })

    it('commits alongside other writers (transactions, read marks) without a busy error', async () => {
      // On SQLite the group commit runs on the writer thread's own connection while the
      // serving connection writes too: each must wait for the other, never fail.
      if (engine === 'sqlite') expect(store.conn.writer).not.toBeNull()
      await write('warm-up') // the writer thread is up and has prepared its statements
      // Commits keep landing for the whole test: 60 rounds of 25 messages.
      const messages = (async () => {
        for (let round = 0; round < 60; round++)
          await Promise.all(Array.from({ length: 25 }, (_, k) => write(`w${round}-${k}`)))
      })()
      const others = Array.from({ length: 150 }, async (_, i) => {
        await store.conversations.markRead(tenantId, convId, 'agent', i + 1)
        const id = randomUUID()
        await store.conn.db.transaction().execute(async (trx) => {
          await trx.selectFrom('conversations').select('id').where('id', '=', convId).execute()
          // Group commits land meanwhile: a transaction that read first must still get to write.
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5))
          await trx
            .insertInto('visitors')
            .values({
              id,
              tenant_id: tenantId,
              site_id: 's1',
              name: null,
              email: null,
              created_at: Date.now(),
              last_seen_at: Date.now(),
            })
            .execute()
        })
      })
      await Promise.all([messages, ...others])
      const conv = await store.conversations.conversation(tenantId, convId)
      expect(conv?.last_seq).toBe(1501)
    })

    it('stores a resent client message id once and returns the first seq', async () => {
      const first = await write('same', 'one')
      const again = await write('same', 'two')
      const [inBatchA, inBatchB] = await Promise.all([write('pair'), write('pair')])
      expect(again).toMatchObject({ id: first.id, seq: first.seq, duplicate: true })
      expect(inBatchA!.seq).toBe(inBatchB!.seq)
      expect([inBatchA!.duplicate, inBatchB!.duplicate]).toEqual([false, true])
      const msgs = await store.conversations.messages(tenantId, convId, {
        afterSeq: 0,
        limit: 100,
        includeNotes: true,
      })
      expect(msgs.map((m) => m.text)).toEqual(['one', 'hello'])
    })

    it('fails only the write aimed at another tenant, not its batch neighbours', async () => {
      const [good, bad] = await Promise.allSettled([write('ok'), write('evil', 'x', convId, randomUUID())])
      expect(good.status).toBe('fulfilled')
      expect(bad.status).toBe('rejected')
      const conv = await store.conversations.conversation(tenantId, convId)
      expect(conv?.last_seq).toBe(1)
    })

    it('keeps message bodies as bytes behind the codec', async () => {
      store.useBodyCodec({
        encode: (_r, t) => Buffer.from([...Buffer.from(t)].reverse()),
        decode: (_r, b) => Buffer.from([...b].reverse()).toString(),
      })
      await write('c1', 'secret')
      const raw = await store.conn.db.selectFrom('messages').select('body').executeTakeFirstOrThrow()
      expect(Buffer.from(raw.body).toString()).toBe('terces')
      const [m] = await store.conversations.messages(tenantId, convId, {
        afterSeq: 0,
        limit: 10,
        includeNotes: false,
      })
      expect(m?.text).toBe('secret')
    })
  })
}

describe('message writer pipelining', () => {
  it('sends what queued during a commit to the database before acking that commit', async () => {
    const events: string[] = []
    const inFlight: (() => void)[] = []
    const commit: BatchCommit = async (writes) => {
      events.push(`commit ${writes.map((w) => w.clientMsgId).join(',')}`)
      await new Promise<void>((resolve) => inFlight.push(resolve))
      return writes.map((w, i) => ({ id: w.id, seq: i + 1, createdAt: w.createdAt, duplicate: false }))
    }
    const writer = new MessageWriter(commit, () => utf8BodyCodec)
    const write = (clientMsgId: string) =>
      writer
        .write({
          id: randomUUID(),
          tenantId: 't',
          conversationId: 'c',
          clientMsgId,
          senderKind: 'visitor',
          senderId: 'v',
          kind: 'text',
          text: clientMsgId,
          createdAt: Date.now(),
        })
        .then(() => events.push(`ack ${clientMsgId}`))
    const first = write('a')
    await vi.waitFor(() => expect(inFlight).toHaveLength(1))
    const second = [write('b'), write('c')]
    inFlight.shift()!()
    await first
    // b and c were handed to the database before a's ack went out, as one batch.
    expect(events).toEqual(['commit a', 'commit b,c', 'ack a'])
    inFlight.shift()!()
    await Promise.all(second)
    expect(events).toEqual(['commit a', 'commit b,c', 'ack a', 'ack b', 'ack c'])
  })
})
