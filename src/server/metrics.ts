import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { EventStream } from '../events/index.js'

/** Prometheus metrics of one node. Message counts come from the event stream, not from call sites. */
export function createMetrics(events: EventStream) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'parley_' })
  const connections = new Gauge({
    name: 'parley_ws_connections',
    help: 'Open WebSocket connections',
    labelNames: ['role'],
    registers: [registry],
  })
  const messages = new Counter({
    name: 'parley_messages_total',
    help: 'Messages stored',
    labelNames: ['sender', 'kind'],
    registers: [registry],
  })
  const frames = new Counter({
    name: 'parley_ws_frames_total',
    help: 'Client frames received',
    labelNames: ['type'],
    registers: [registry],
  })
  const rejected = new Counter({
    name: 'parley_ws_rejected_total',
    help: 'Frames or sockets refused',
    labelNames: ['code'],
    registers: [registry],
  })
  const ackLatency = new Histogram({
    name: 'parley_message_ack_seconds',
    help: 'From a message.send frame arriving to its ack leaving (includes the commit)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const commitBatch = new Histogram({
    name: 'parley_db_commit_batch_size',
    help: 'Messages per group commit',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  })
  const commitSeconds = new Histogram({
    name: 'parley_db_commit_seconds',
    help: 'Duration of a group commit',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
    registers: [registry],
  })
  const httpSeconds = new Histogram({
    name: 'parley_http_request_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  })
  const slowClients = new Counter({
    name: 'parley_ws_slow_client_total',
    help: 'Frames dropped or sockets closed for backpressure',
    labelNames: ['action'],
    registers: [registry],
  })
  events.subscribe(
    (e) => {
      if (e.type === 'message.sent') messages.inc({ sender: e.sender, kind: e.kind })
    },
    ['message.sent'],
  )
  return {
    registry,
    connections,
    messages,
    frames,
    rejected,
    ackLatency,
    commitBatch,
    commitSeconds,
    httpSeconds,
    slowClients,
  }
}

export type Metrics = ReturnType<typeof createMetrics>
