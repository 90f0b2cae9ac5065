import { describe, expect, it } from 'vitest'
import type { ParleyEvent } from '../events/index.js'
import { fromParleyEvent, parseWatchLine } from './watch.schema.js'

const ts = '2026-03-02T10:00:00.000Z'
const origin = { channel: 'http' as const, node: 'n1', ip: '192.0.2.9', userAgent: 'UA' }

describe('watch event schema', () => {
  it('parses every issue shape and keeps extra fields out of the way', () => {
    const lines = [
      {
        ts,
        tenant: 't',
        type: 'conversation.started',
        ip: '1.2.3.4',
        userAgent: 'UA',
        visitorId: 'v',
        referrer: null,
        landingPage: '/',
        extra: 1,
      },
      { ts, tenant: 't', type: 'message.sent', conversationId: 'c1', sender: 'visitor', length: 12 },
      { ts, tenant: 't', type: 'auth.login', outcome: 'failure', username: 'ann', ip: '1.2.3.4' },
      { ts, tenant: 't', type: 'transcript.export', actor: 'a1', conversationId: 'c1', ip: '1.2.3.4' },
      { ts, tenant: 't', type: 'api.request', token: 'tk', ip: '1.2.3.4', route: 'GET /v1/x' },
    ]
    for (const l of lines) {
      const r = parseWatchLine(JSON.stringify(l))
      expect(r.ok, JSON.stringify(r)).toBe(true)
      if (r.ok) expect(r.event.ts).toBe(Date.parse(ts))
    }
  })

  it('rejects a timestamp without a zone and a negative length as invalid_event', () => {
    expect(
      parseWatchLine(
        JSON.stringify({
          ts: '2026-03-02 10:00',
          tenant: 't',
          type: 'auth.login',
          outcome: 'success',
          username: 'a',
          ip: '1.1.1.1',
        }),
      ),
    ).toMatchObject({ ok: false, reason: 'invalid_event' })
    expect(
      parseWatchLine(
        JSON.stringify({
          ts,
          tenant: 't',
          type: 'message.sent',
          conversationId: 'c',
          sender: 'agent',
          length: -1,
        }),
      ),
    ).toMatchObject({ ok: false, reason: 'invalid_event' })
  })

  it('rejects prototype-polluting and oversized input without throwing', () => {
    expect(parseWatchLine('{"__proto__":{"type":"auth.login"}}')).toMatchObject({
      ok: false,
      reason: 'unknown_type',
    })
    expect(parseWatchLine('x'.repeat(70_000))).toMatchObject({ ok: false, reason: 'malformed_json' })
    expect(parseWatchLine('null')).toMatchObject({ ok: false, reason: 'malformed_json' })
  })

  it('adapts Parley stream events and skips the ones it does not watch', () => {
    const started: ParleyEvent = {
      id: 'e1',
      ts,
      tenant: 't',
      type: 'conversation.started',
      actor: { kind: 'visitor', id: 'v' },
      origin,
      conversationId: 'c',
      siteId: 's',
      visitorId: 'v',
    }
    const adapted = fromParleyEvent(started)
    expect(adapted).toMatchObject({
      type: 'conversation.started',
      ip: '192.0.2.9',
      userAgent: 'UA',
    })
    // Live events are unique by construction: no id, so the engine keeps no dedup entry for them.
    expect(adapted).not.toHaveProperty('id')
    const mfa: ParleyEvent = {
      id: 'e2',
      ts,
      tenant: 't',
      type: 'auth.login',
      actor: { kind: 'system', id: 'system' },
      origin,
      outcome: 'failure',
      username: 'ann',
      reason: 'mfa_invalid',
    }
    expect(fromParleyEvent(mfa)).toMatchObject({ type: 'auth.mfa', outcome: 'failure' })
    const revealed: ParleyEvent = {
      id: 'e4',
      ts,
      tenant: 't',
      type: 'protect.revealed',
      actor: { kind: 'agent', id: 'rita', role: 'agent' },
      origin,
      requestId: 'r1',
      tokenId: 'tok_x',
      category: 'bank_account',
      conversationId: null,
    }
    expect(fromParleyEvent(revealed)).toMatchObject({
      type: 'value.reveal',
      actor: 'rita',
      conversationId: 'token:tok_x',
    })
    const api: ParleyEvent = {
      id: 'e3',
      ts,
      tenant: 't',
      type: 'api.request',
      actor: { kind: 'token', id: 'tk' },
      origin,
      method: 'GET',
      route: '/v1/x',
      status: 200,
      durationMs: 3,
    }
    expect(fromParleyEvent(api)).toMatchObject({ type: 'api.request', token: 'tk', route: 'GET /v1/x' })
    expect(fromParleyEvent({ ...api, actor: { kind: 'agent', id: 'a', role: 'admin' } })).toBeNull()
    const denied: ParleyEvent = {
      id: 'e4',
      ts,
      tenant: 't',
      type: 'ws.rejected',
      actor: { kind: 'visitor', id: 'v' },
      origin,
      reason: 'origin',
      code: 'PARLEY_ERR_AUTH_ORIGIN_DENIED',
      pageOrigin: 'https://evil.example',
    }
    expect(fromParleyEvent(denied)).toMatchObject({
      type: 'widget.load',
      allowed: false,
      origin: 'https://evil.example',
    })
    const closed: ParleyEvent = {
      id: 'e5',
      ts,
      tenant: 't',
      type: 'conversation.closed',
      actor: { kind: 'system', id: 'system' },
      origin,
      conversationId: 'c',
    }
    expect(fromParleyEvent(closed)).toBeNull()
  })
})
