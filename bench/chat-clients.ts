import WebSocket from 'ws'
import { newUuidV7 } from '../src/ids/index.js'

/** Percentile of a sorted array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** Waits for the first frame matching `pred` on a socket. */
export function nextFrame(ws: WebSocket, pred: (f: any) => boolean, timeoutMs = 30_000): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off('message', on)
      reject(new Error('timeout waiting for frame'))
    }, timeoutMs)
    const on = (d: WebSocket.RawData) => {
      const f = JSON.parse(d.toString())
      if (!pred(f)) return
      clearTimeout(timer)
      ws.off('message', on)
      resolve(f)
    }
    ws.on('message', on)
  })
}

/** Runs `fn` over items with at most `n` in flight. */
export async function pool<T>(
  items: T[],
  n: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++
        await fn(items[i]!, i)
      }
    }),
  )
}

export interface Pair {
  visitor: WebSocket
  conversationId: string
}

export interface LoadResult {
  sent: number
  acked: number
  delivered: number
  seconds: number
  latencies: number[]
}

/**
 * Drives a load over prepared visitor sockets: closed loop (`window` unacked messages per
 * visitor, as fast as the server acks) or open loop (`ratePerSecond` in total). Latency is
 * send-to-delivery at the agent, measured in this one process, so the clocks agree.
 */
export async function drive(
  pairs: Pair[],
  agents: WebSocket[],
  opts: { seconds: number; window?: number; ratePerSecond?: number; tickMs?: number },
): Promise<LoadResult> {
  // Realistic chat lines: order numbers, prices, times, and now and then a card number that
  // redaction must mask (about 1 in 20), so the engine does real work on every message.
  const lines = [
    'Hi, I have a question about my order 4481-2291 from last week',
    'The total was $1,249.99 but I was charged twice',
    'Can you call me back at 10:30 tomorrow?',
    'my card is 4111 1111 1111 1111 can you check it',
    'Tracking number 1Z999AA10123456784 shows no movement',
    'Thanks, that solved it!',
    'I moved to 221B Baker Street, London in March',
    'Is the savings rate still 4.1% for new accounts?',
    'The app says error 502 when I log in',
    'ok',
    'Could you send the statement for account ending 4821?',
    'I will be travelling from 12/03 to 19/03',
    'What are your opening hours on Saturday?',
    'I tried three times, reference 77812-AB',
    'My new phone number is (212) 555-0143',
    'Please close the old account',
    'How long does a transfer to Germany take?',
    'Got it, thank you very much for your help today',
    'The amount was 320 EUR on 2026-11-02',
    'Can I raise my daily limit to 5000?',
  ]
  let sent = 0
  let acked = 0
  let delivered = 0
  const latencies: number[] = []
  let running = true
  const sentAt = new Map<string, number>()
  const onAgent = (d: WebSocket.RawData) => {
    const s = d.toString()
    if (!s.startsWith('{"type":"message"')) return
    const id = /"clientMsgId":"([^"]+)"/.exec(s)?.[1]
    const t0 = id ? sentAt.get(id) : undefined
    if (t0 === undefined) return
    sentAt.delete(id!)
    delivered++
    latencies.push(performance.now() - t0)
  }
  for (const a of agents) a.on('message', onAgent)
  let seq = 0
  const sendOne = (p: Pair) => {
    // Time-ordered client message ids, as the widget and console send (UUIDv7).
    const id = newUuidV7()
    const n = ++seq
    sentAt.set(id, performance.now())
    sent++
    p.visitor.send(
      `{"type":"message.send","conversationId":"${p.conversationId}","clientMsgId":"${id}","text":"b${n} ${lines[n % lines.length]}","echo":false}`,
    )
  }
  const onAck = new Map<WebSocket, (d: WebSocket.RawData) => void>()
  for (const p of pairs) {
    const h = (d: WebSocket.RawData) => {
      const s = d.toString()
      if (!s.startsWith('{"type":"message.ack"')) return
      acked++
      if (running && opts.window) sendOne(p)
    }
    onAck.set(p.visitor, h)
    p.visitor.on('message', h)
  }
  const started = performance.now()
  let timer: NodeJS.Timeout | null = null
  if (opts.window) {
    for (const p of pairs) for (let k = 0; k < opts.window; k++) sendOne(p)
  } else {
    // Open loop: each tick sends the messages due by then (from the clock, so a late tick
    // catches up), spread over visitors.
    const rate = opts.ratePerSecond ?? 1000
    let v = 0
    let due = 0
    timer = setInterval(() => {
      const owed = Math.floor(((performance.now() - started) * rate) / 1000) - due
      for (let k = 0; k < owed; k++) sendOne(pairs[v++ % pairs.length]!)
      due += Math.max(0, owed)
    }, opts.tickMs ?? 10)
  }
  await new Promise((r) => setTimeout(r, opts.seconds * 1000))
  running = false
  if (timer) clearInterval(timer)
  const seconds = (performance.now() - started) / 1000
  const counted = { sent, acked, delivered, seconds, latencies: latencies.slice().sort((a, b) => a - b) }
  // Let in-flight messages land before the next phase.
  await new Promise((r) => setTimeout(r, 500))
  for (const a of agents) a.off('message', onAgent)
  for (const [ws, h] of onAck) ws.off('message', h)
  return counted
}
