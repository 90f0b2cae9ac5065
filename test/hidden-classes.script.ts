// Run by hidden-classes.test.ts under `node --allow-natives-syntax`: builds two objects of each
// per-message shape and prints whether V8 gave them one hidden class.
import { presentAck, presentMessage } from '../src/chat/presenters.js'
import { EventStream } from '../src/events/index.js'
import { ConversationScanner, compilePolicy, DEFAULT_POLICY } from '../src/protect/index.js'
import { utf8BodyCodec } from '../src/store/index.js'
import { type EncodedMessageWrite, MessageWriter } from '../src/store/message-writer.js'
import { fromParleyEvent } from '../src/watch/index.js'

const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean
/** V8 may reuse a map for the first few objects of a site, so look at many. */
const N = 64
const runs = Array.from({ length: N }, (_, i) => i + 1)
const allShare = (objects: object[]) => objects.every((o, i) => i === 0 || sameMap(o, objects[i - 1]!))
const results: Record<string, boolean> = {}

const stream = new EventStream()
const emitted = runs.map((n) =>
  stream.emit({
    type: 'message.sent',
    tenant: 't1',
    actor: { kind: 'visitor', id: `v${n}` },
    origin: { channel: 'ws', node: 'n1', ip: '10.0.0.1', userAgent: 'ua' },
    conversationId: `c${n}`,
    messageId: `m${n}`,
    sender: 'visitor',
    kind: 'text',
    length: n,
    redactions: {},
  }),
)
results['EventStream.emit'] = allShare(emitted)
results.fromParleyEvent = allShare(emitted.map((e) => fromParleyEvent(e)!))

const captured: EncodedMessageWrite[] = []
const writer = new MessageWriter(
  async (writes) => {
    captured.push(...writes)
    return writes.map((w, i) => ({ id: w.id, seq: i + 1, createdAt: w.createdAt, duplicate: false }))
  },
  () => utf8BodyCodec,
)
await Promise.all(
  runs.map((n) =>
    writer.write({
      id: `m${n}`,
      tenantId: 't1',
      conversationId: `c${n}`,
      clientMsgId: `k${n}`,
      senderKind: 'visitor',
      senderId: `v${n}`,
      kind: 'text',
      text: `hello ${n}`,
      redactions: {},
      createdAt: n,
    }),
  ),
)
results['MessageWriter encoded write'] = allShare(captured)

const scanner = new ConversationScanner(compilePolicy(DEFAULT_POLICY))
const scanned = runs.map((n) =>
  scanner.scan({ conversation: `c${n}`, sender: 's', id: `m${n}`, text: `hi ${n}` }),
)
results['ConversationScanner.scan'] = allShare(scanned)

// The sender's ack carries its message when the sender asked for no echo (every message the
// widget and console send).
const stored = runs.map((n) => ({ id: `m${n}`, seq: n, createdAt: n, duplicate: false }))
const views = stored.map((m, i) =>
  presentMessage(
    {
      ...m,
      conversationId: `c${i}`,
      clientMsgId: `k${i}`,
      senderKind: 'visitor',
      senderId: 'v',
      kind: 'text',
      text: 'hi',
      attachmentId: null,
      redactions: {},
    },
    { kind: 'visitor', id: 'v', name: null },
    null,
  ),
)
results['message ack with its message'] = allShare(
  stored.map((m, i) => presentAck('c', `k${i}`, m, views[i])),
)
results['message ack'] = allShare(stored.map((m, i) => presentAck('c', `k${i}`, m)))

process.stdout.write(JSON.stringify(results))
