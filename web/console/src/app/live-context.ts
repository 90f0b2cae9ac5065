import { createContext, useContext, useSyncExternalStore } from 'react'
import type { Live, LiveState } from '../live/live.js'

export const LiveContext = createContext<Live | null>(null)

/** The live connection of the signed-in agent. */
export function useLiveClient(): Live {
  const live = useContext(LiveContext)
  if (!live) throw new Error('useLiveClient outside the console')
  return live
}

/** The live state; the component renders again when it changes. */
export function useLive(): LiveState {
  const live = useLiveClient()
  return useSyncExternalStore(live.subscribe, live.getState)
}
