// The search indexer's thread (see indexer-thread.ts): its own database connection, its own event loop.
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { Store } from '../store/index.js'
import { SearchIndexer } from './indexer.js'
import type { IndexerThreadData, IndexerThreadReply, IndexerThreadRequest } from './indexer-thread.js'
import { tenantSearchKeys } from './terms.js'

const data = workerData as IndexerThreadData
// Background work: this thread (alone; on Linux a nice value is per thread) yields the CPU to
// the message path whenever both want it. Where the OS refuses, it just runs at normal priority.
try {
  setPriority(19)
} catch {}
const post = (reply: IndexerThreadReply) => parentPort!.postMessage(reply)
const store = await Store.open({ ...data.store, migrate: false, threads: false })
const indexer = new SearchIndexer(store, tenantSearchKeys(Buffer.from(data.secret, 'base64url')), {
  nodeId: data.nodeId,
  ...data.indexer,
  onError: (err) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
})
indexer.start()
post({ type: 'started' })
parentPort!.on('message', async (msg: IndexerThreadRequest) => {
  if (msg.type === 'pause') return indexer.setPaused(msg.paused)
  if (msg.type === 'catchUp') {
    try {
      await indexer.catchUp()
      post({ type: 'caughtUp', id: msg.id, error: null })
    } catch (err) {
      post({ type: 'caughtUp', id: msg.id, error: err instanceof Error ? err.message : String(err) })
    }
    return
  }
  await indexer.stop()
  await store.close()
  post({ type: 'stopped', stats: indexer.stats })
})
