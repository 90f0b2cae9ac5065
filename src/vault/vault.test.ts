import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES, freshDatabase } from '../../test/engines.js'
import { addAgent, api, Client, type Harness, recordEvents, startHarness } from '../../test/harness.js'
import type { ParleyEvent } from '../events/index.js'
import { Store } from '../store/index.js'
import {
  checkRevealable,
  decide,
  LocalMasterKey,
  loadMasterKey,
  openRequest,
  seal,
  TenantKeyring,
  TOKEN_TEXT,
  TokenVault,
  unseal,
} from './index.js'

describe('sealing', () => {
  const key = randomBytes(32)
  it('opens what it sealed only with the same key and associated data', () => {
    const sealed = seal(key, Buffer.from('4111111111111111'), 'tenant-a:tok_1')
    expect(sealed.includes(Buffer.from('4111111111111111'))).toBe(false)
    expect(unseal(key, sealed, 'tenant-a:tok_1').toString()).toBe('4111111111111111')
    expect(() => unseal(key, sealed, 'tenant-b:tok_1')).toThrow()
    expect(() => unseal(randomBytes(32), sealed, 'tenant-a:tok_1')).toThrow()
    const tampered = Buffer.from(sealed)
    tampered[tampered.length - 1]! ^= 1
    expect(() => unseal(key, tampered, 'tenant-a:tok_1')).toThrow()
  })

  it('wraps data keys under a master key that only opens its own wrapping', () => {
    const master = new LocalMasterKey(randomBytes(32))
    const other = new LocalMasterKey(randomBytes(32))
    const dataKey = randomBytes(32)
    const wrapped = master.wrap(dataKey, 'aad')
    expect(master.unwrap(wrapped, 'aad').equals(dataKey)).toBe(true)
    expect(() => other.unwrap(wrapped, 'aad')).toThrow()
    expect(master.id).not.toBe(other.id)
  })

  it('creates the master key file once, readable by its owner only, and reads it back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'parley-mk-')), 'keys', 'master.key')
    const created = loadMasterKey({ env: undefined, file })
    expect(created.source).toBe('created')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const again = loadMasterKey({ env: undefined, file })
    expect(again.source).toBe('file')
    expect(again.key.id).toBe(created.key.id)
    const fromEnv = loadMasterKey({ env: readFileSync(file, 'utf8').trim(), file: '/nonexistent' })
    expect(fromEnv.key.id).toBe(created.key.id)
    expect(() => loadMasterKey({ env: 'c2hvcnQ=', file })).toThrow(/32 random bytes/)
  })
})

describe('tenant keys', () => {
  it('rotates: new values seal under the new version, values sealed before still open', async () => {
    const tdb = await freshDatabase('sqlite')
    const store = await Store.open({ sqlitePath: tdb.sqlitePath })
    try {
      const keys = new TenantKeyring(store, new LocalMasterKey(randomBytes(32)))
      const tokens = new TokenVault(store, keys)
      await tokens.prepare('t1')
      const before = tokens.tokenizer('t1').tokenize({ type: 'iban', value: 'DE89370400440532013000' })
      await tokens.commit('t1', null)
      expect(await keys.rotate('t1', 'tokens')).toBe(2)
      const after = tokens.tokenizer('t1').tokenize({ type: 'iban', value: 'GB82WEST12345698765432' })
      await tokens.commit('t1', null)
      const idOf = (text: string) => text.slice(text.indexOf('tok_'), -1)
      const rows = await store.vault.tenantKeys('t1', 'tokens')
      expect(rows.map((r) => r.version)).toEqual([2, 1])
      expect((await store.vault.token('t1', idOf(before)))?.key_version).toBe(1)
      expect((await store.vault.token('t1', idOf(after)))?.key_version).toBe(2)
      expect((await tokens.open('t1', idOf(before)))?.value).toBe('DE89370400440532013000')
      expect((await tokens.open('t1', idOf(after)))?.value).toBe('GB82WEST12345698765432')
      // Another tenant's keys are its own: the token is not found there.
      expect(await tokens.open('t2', idOf(before))).toBeNull()
    } finally {
      await store.close()
      await tdb.dispose()
    }
  })
})

describe('reveal rules', () => {
  const rules = { roles: new Set(['admin'] as const), requireApproval: true, windowMs: 60_000 }
  const asker = { agentId: 'a1', role: 'admin' as const }
  it('refuses a role the policy does not name and waits for a second person', () => {
    expect(() => openRequest(rules, { agentId: 'x', role: 'agent' }, 0)).toThrow(
      /does not let the agent role/,
    )
    expect(openRequest(rules, asker, 0)).toEqual({ state: 'pending', expiresAt: null })
    expect(openRequest({ ...rules, requireApproval: false }, asker, 5)).toEqual({
      state: 'approved',
      expiresAt: 60_005,
    })
  })

  it('needs an admin other than the requester, once', () => {
    const grant = { requesterId: 'a1', state: 'pending' as const, expiresAt: null }
    expect(() => decide(rules, grant, asker, 'approved', 0)).toThrow(/second person/)
    expect(() => decide(rules, grant, { agentId: 'a2', role: 'agent' }, 'approved', 0)).toThrow(
      /only an admin/,
    )
    expect(decide(rules, grant, { agentId: 'a2', role: 'admin' }, 'approved', 10)).toEqual({
      state: 'approved',
      expiresAt: 60_010,
    })
    expect(() =>
      decide(rules, { ...grant, state: 'denied' }, { agentId: 'a2', role: 'admin' }, 'approved', 0),
    ).toThrow(/already denied/)
  })

  it('shows the value to the requester only, inside the window', () => {
    const grant = { requesterId: 'a1', state: 'approved' as const, expiresAt: 1000 }
    expect(() => checkRevealable(grant, asker, 999)).not.toThrow()
    expect(() => checkRevealable(grant, asker, 1000)).toThrow(/window has closed/)
    expect(() => checkRevealable(grant, { agentId: 'a2', role: 'admin' }, 10)).toThrow(/only the person/)
    expect(() => checkRevealable({ ...grant, state: 'pending' }, asker, 10)).toThrow(/waiting/)
  })
})

for (const engine of ENGINES) {
  describe(`${engine}: tokenize and reveal`, () => {
    let h: Harness
    let events: ParleyEvent[] = []
    beforeAll(async () => {
      h = await startHarness(engine)
      events = recordEvents(h)
      const policy = await api(h, 'PUT', '/api/v1/protect/policy', {
        cookie: h.adminCookie,
        body: {
          version: 1,
          default: 'remove',
          categories: { card_number: 'tokenize', bank_account: 'tokenize' },
          reveal: { roles: ['admin', 'agent'], requireApproval: true, windowMinutes: 5 },
        },
      })
      expect(policy.status).toBe(200)
    })
    afterAll(async () => h?.close())

    /** A visitor types `text` to an online agent; returns both sockets and the frame the agent saw. */
    async function tokenizedChat(agentName: string, text: string) {
      const info = await addAgent(h, agentName, { capacity: 10 })
      const { client: agent } = await Client.agent(h, info.cookie)
      const { client: visitor } = await Client.visitor(h)
      const { conversation } = await visitor.request({ type: 'conversation.start' })
      await visitor.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientMsgId: 'm1',
        text,
      })
      const seen = await agent.next(
        (f) => f.type === 'message' && f.message.conversationId === conversation.id,
      )
      return { info, agent, visitor, conversation, seen }
    }

    it('stores a token instead of the value, and reveals it to a permitted agent after a second admin approves', async () => {
      const {
        info: rita,
        agent,
        visitor,
        conversation,
        seen,
      } = await tokenizedChat(
        'Rita',
        'my checking account number is 004417852963 and card 4111 1111 1111 1111',
      )
      const tokens = [...(seen.message.text as string).matchAll(TOKEN_TEXT)].map((m) => ({
        type: m[1],
        id: m[2]!,
      }))
      expect(tokens.map((t) => t.type)).toEqual(['bank_account', 'card_number'])
      expect(seen.message.text).not.toMatch(/004417852963|4111/)

      // Nothing stored in the clear: not the message, not the token row.
      const bodies = await h.parley.store.conn.db.selectFrom('messages').select('body').execute()
      const sealed = await h.parley.store.conn.db.selectFrom('protect_tokens').selectAll().execute()
      const everything = Buffer.concat([
        ...bodies.map((r) => Buffer.from(r.body)),
        ...sealed.map((r) => Buffer.from(r.sealed)),
      ])
      expect(everything.includes(Buffer.from('004417852963'))).toBe(false)
      expect(everything.includes(Buffer.from('4111111111111111'))).toBe(false)
      expect(sealed.find((r) => r.id === tokens[0]!.id)).toMatchObject({
        conversation_id: conversation.id,
        type: 'bank_account',
      })

      // Rita asks; she cannot see it yet, cannot approve it, and neither can the same admin who asks.
      const asked = await api(h, 'POST', '/api/v1/vault/reveals', {
        cookie: rita.cookie,
        body: { token: tokens[0]!.id, reason: 'customer asked to confirm the account on file' },
      })
      expect(asked.status).toBe(201)
      expect(asked.body).toMatchObject({
        state: 'pending',
        category: 'bank_account',
        conversationId: conversation.id,
      })
      const early = await api(h, 'POST', `/api/v1/vault/reveals/${asked.body.id}/value`, {
        cookie: rita.cookie,
      })
      expect(early.body.error.code).toBe('PARLEY_ERR_REVEAL_NOT_APPROVED')
      const selfApprove = await api(h, 'POST', `/api/v1/vault/reveals/${asked.body.id}/approve`, {
        cookie: rita.cookie,
      })
      expect(selfApprove.status).toBe(403)

      const approved = await api(h, 'POST', `/api/v1/vault/reveals/${asked.body.id}/approve`, {
        cookie: h.adminCookie,
      })
      expect(approved.body).toMatchObject({ state: 'approved', category: 'bank_account' })
      const listed = await api(h, 'GET', '/api/v1/vault/reveals?state=approved', { cookie: rita.cookie })
      expect(listed.body.requests[0]).toMatchObject({ id: asked.body.id, conversationId: conversation.id })
      const shown = await api(h, 'POST', `/api/v1/vault/reveals/${asked.body.id}/value`, {
        cookie: rita.cookie,
      })
      expect(shown.status).toBe(200)
      expect(shown.headers.get('cache-control')).toBe('no-store')
      expect(shown.body).toMatchObject({ type: 'bank_account', value: '004417852963' })
      // The admin who approved does not get to see it through Rita's grant.
      const other = await api(h, 'POST', `/api/v1/vault/reveals/${asked.body.id}/value`, {
        cookie: h.adminCookie,
      })
      expect(other.status).toBe(403)

      const kinds = events.filter((e) => e.type.startsWith('protect.reveal')).map((e) => e.type)
      expect(kinds).toEqual(['protect.reveal_requested', 'protect.reveal_decided', 'protect.revealed'])
      expect(JSON.stringify(events)).not.toContain('004417852963')

      const adminSelf = await api(h, 'POST', '/api/v1/vault/reveals', {
        cookie: h.adminCookie,
        body: { token: tokens[1]!.id, reason: 'chargeback investigation #4412' },
      })
      const adminApprovesOwn = await api(h, 'POST', `/api/v1/vault/reveals/${adminSelf.body.id}/approve`, {
        cookie: h.adminCookie,
      })
      expect(adminApprovesOwn.body.error.code).toBe('PARLEY_ERR_REVEAL_SELF_APPROVAL')
      agent.close()
      visitor.close()
    })

    it('answers an agent who cannot read the conversation as if the token did not exist', async () => {
      const { agent, visitor, seen } = await tokenizedChat('Owen', 'account number 887766554433')
      const token = [...(seen.message.text as string).matchAll(TOKEN_TEXT)][0]![2]!
      const outsider = await addAgent(h, 'Olga', { capacity: 1 })
      const denied = await api(h, 'POST', '/api/v1/vault/reveals', {
        cookie: outsider.cookie,
        body: { token, reason: 'just curious about this one' },
      })
      expect(denied.status).toBe(404)
      agent.close()
      visitor.close()
    })

    it('refuses to tokenize sensitive authentication data', async () => {
      const r = await api(h, 'PUT', '/api/v1/protect/policy', {
        cookie: h.adminCookie,
        body: { version: 1, categories: { card_cvv: 'tokenize' } },
      })
      expect(r.body.error.code).toBe('PARLEY_ERR_PROTECT_MODE_FORBIDDEN')
    })
  })
}
