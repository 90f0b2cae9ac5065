/** Cross-node fan-out: the interface, the in-process default and the Redis implementation. */

export type { Bus, BusEnvelope, BusHandler, NoticeHandler } from './bus.js'
export { InProcessBus } from './bus.js'
export { RedisBus } from './redis-bus.js'

import type { Bus } from './bus.js'
import { InProcessBus } from './bus.js'
import { RedisBus } from './redis-bus.js'

/** Redis when a URL is given, otherwise in-process. */
export async function createBus(
  nodeId: string,
  redisUrl: string | undefined,
  onError: (err: unknown) => void,
): Promise<Bus> {
  if (!redisUrl) return new InProcessBus(nodeId, onError)
  const bus = new RedisBus(nodeId, redisUrl, onError)
  await bus.ready()
  return bus
}
