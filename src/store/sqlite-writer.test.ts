import { describe, expect, it } from 'vitest'
import type { EncodedMessageWrite } from './message-writer.js'
import { packBatch, packResults, unpackBatch, unpackResults, type WireResult } from './sqlite-writer.js'

const write = (i: number, body: Buffer, extra: Partial<EncodedMessageWrite> = {}): EncodedMessageWrite => ({
  id: `m${i}`,
  tenantId: 't1',
  conversationId: `c${i % 2}`,
  clientMsgId: `k${i}`,
  senderKind: i % 2 ? 'agent' : 'visitor',
  senderId: `s${i}`,
  kind: 'text',
  createdAt: 1_700_000_000_000 + i,
  body,
  attachmentId: null,
  redactions: '{"card_number":1}',
  ...extra,
})

describe('the writer thread wire format', () => {
  it('carries every field and byte of a batch, empty and binary bodies included', () => {
    const writes = [
      write(0, Buffer.from('hello "quoted" \\ \u2028 ünïcode')),
      write(1, Buffer.alloc(0), { kind: 'attachment', attachmentId: 'a1' }),
      write(2, Buffer.from([0, 255, 1, 0, 128])),
    ]
    const packed = packBatch(writes)
    // What the worker receives is a structured clone: go through one.
    const received = structuredClone(packed, { transfer: [packed.bodies.buffer, packed.ends.buffer] })
    const unpacked = unpackBatch(received)
    expect(unpacked).toEqual(writes)
    expect(unpacked.every((w) => Buffer.isBuffer(w.body))).toBe(true)
  })

  it('answers a stored write with its seq alone, and anything else in full', () => {
    const writes = [write(0, Buffer.from('a')), write(1, Buffer.from('b')), write(2, Buffer.from('c'))]
    const results: WireResult[] = [
      { id: 'm0', seq: 7, createdAt: writes[0]!.createdAt, duplicate: false },
      { id: 'earlier', seq: 3, createdAt: 1, duplicate: true },
      { missing: 'c0' },
    ]
    const packed = packResults(writes, results)
    expect(packed.others.map(([i]) => i)).toEqual([1, 2])
    expect(unpackResults(writes, structuredClone(packed))).toEqual(results)
  })
})
