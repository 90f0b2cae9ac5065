import { useEffect, useSyncExternalStore } from 'react'
import { api, query } from '../api.js'
import type { Me, RevealRequest } from '../types.js'

/**
 * The signed-in agent's own reveal requests (what each token chip shows) and, for admins, how
 * many requests of other people wait for a decision (the nav badge). There is no server frame
 * for reveals, so this is polled every 30 seconds, when the window regains focus, and after
 * every action of the console's own. It never holds a revealed value.
 */
export interface RevealsSnapshot {
  /** Own requests, newest first. */
  mine: readonly RevealRequest[]
  /** Pending requests of other people (admins; 0 for agents). */
  awaiting: number
  /** Counts the refreshes, so a screen listing requests can list again with them. */
  version: number
}

const EMPTY: RevealsSnapshot = { mine: [], awaiting: 0, version: 0 }
const POLL_MS = 30_000
let snapshot = EMPTY
let me: Me | null = null
const listeners = new Set<() => void>()

function publish(next: RevealsSnapshot): void {
  snapshot = next
  for (const l of listeners) l()
}

const list = (state?: RevealRequest['state']) =>
  api<{ requests: RevealRequest[] }>('GET', `/api/v1/vault/reveals${query({ state, limit: 200 })}`).then(
    (r) => r.requests,
  )

/** Fetches the requests again; the chips and the badge follow. Failures keep what was known. */
export async function refreshReveals(): Promise<void> {
  const who = me
  if (!who) return
  try {
    const [recent, pending] = await Promise.all([list(), who.role === 'admin' ? list('pending') : []])
    if (who !== me) return
    publish({
      mine: recent.filter((r) => r.requesterId === who.agentId),
      awaiting: pending.filter((r) => r.requesterId !== who.agentId).length,
      version: snapshot.version + 1,
    })
  } catch {
    // The next poll tries again; a signed-out session is handled by the API client.
  }
}

/** Records a request the console just made, before the next poll. */
export function rememberRequest(r: RevealRequest): void {
  publish({ ...snapshot, mine: [r, ...snapshot.mine.filter((x) => x.id !== r.id)] })
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn)
  return () => {
    listeners.delete(fn)
  }
}

export function useReveals(): RevealsSnapshot {
  return useSyncExternalStore(subscribe, () => snapshot)
}

/** Keeps the snapshot current for the signed-in agent; mounted once, by the shell. */
export function useRevealPolling(who: Me): void {
  useEffect(() => {
    me = who
    void refreshReveals()
    const timer = setInterval(refreshReveals, POLL_MS)
    const onFocus = () => document.visibilityState === 'visible' && void refreshReveals()
    window.addEventListener('focus', onFocus)
    document.addEventListener('visibilitychange', onFocus)
    return () => {
      clearInterval(timer)
      window.removeEventListener('focus', onFocus)
      document.removeEventListener('visibilitychange', onFocus)
      // Another agent may sign in next in this tab: forget this one's requests.
      me = null
      publish(EMPTY)
    }
  }, [who])
}
