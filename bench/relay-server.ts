// The ceiling for bench:chat: a bare `ws` relay speaking the same frames as Parley, with
// no storage, no auth and no rules. Run as its own process so it gets its own core.
import { randomUUID } from 'node:crypto'
import { type WebSocket, WebSocketServer } from 'ws'

const port = Number(process.env.PORT ?? 0)
const wss = new WebSocketServer({ port, host: '127.0.0.1', maxPayload: 64 * 1024, perMessageDeflate: false })
const agents: WebSocket[] = []
const route = new Map<string, WebSocket>()
let rr = 0
let seq = 0

wss.on('connection', (ws, req) => {
  const isAgent = req.url?.includes('role=agent') ?? false
  ws.on('message', (data) => {
    const f = JSON.parse(data.toString())
    switch (f.type) {
      case 'auth':
        if (isAgent) agents.push(ws)
        ws.send(JSON.stringify({ type: 'auth.ok', ref: f.ref, conversations: [] }))
        return
      case 'presence.set':
        ws.send(JSON.stringify({ type: 'ok', ref: f.ref }))
        return
      case 'conversation.start': {
        const id = randomUUID()
        const agent = agents[rr++ % agents.length]!
        route.set(id, agent)
        ws.send(
          JSON.stringify({
            type: 'conversation',
            ref: f.ref,
            conversation: { id, status: 'assigned' },
            queuePosition: null,
          }),
        )
        agent.send(JSON.stringify({ type: 'conversation.updated', conversation: { id, status: 'assigned' } }))
        return
      }
      case 'message.send': {
        const s = ++seq
        const createdAt = new Date().toISOString()
        ws.send(
          JSON.stringify({
            type: 'message.ack',
            conversationId: f.conversationId,
            clientMsgId: f.clientMsgId,
            id: randomUUID(),
            seq: s,
            createdAt,
            duplicate: false,
          }),
        )
        route.get(f.conversationId)?.send(
          JSON.stringify({
            type: 'message',
            message: {
              conversationId: f.conversationId,
              seq: s,
              clientMsgId: f.clientMsgId,
              text: f.text,
              createdAt,
            },
          }),
        )
        return
      }
    }
  })
})
wss.on('listening', () => {
  const address = wss.address()
  process.stdout.write(`relay listening ${typeof address === 'object' && address ? address.port : address}\n`)
})
