import { useEffect, useState } from 'react'
import { api } from '../api.js'
import type { Agent, Canned, Label, Team } from '../types.js'

/**
 * Lists most screens need (agents, teams, labels, canned responses), fetched once and shared;
 * admin screens refresh an entry after changing it.
 */
const loaders = {
  agents: () => api<{ items: Agent[] }>('GET', '/api/v1/agents').then((r) => r.items),
  teams: () => api<{ items: Team[] }>('GET', '/api/v1/teams').then((r) => r.items),
  labels: () => api<{ items: Label[] }>('GET', '/api/v1/labels').then((r) => r.items),
  canned: () => api<{ items: Canned[] }>('GET', '/api/v1/canned-responses').then((r) => r.items),
}
type Key = keyof typeof loaders
type Value<K extends Key> = Awaited<ReturnType<(typeof loaders)[K]>>

const cache = new Map<Key, Promise<unknown>>()
const listeners = new Set<() => void>()

function load<K extends Key>(key: K): Promise<Value<K>> {
  let p = cache.get(key) as Promise<Value<K>> | undefined
  if (!p) {
    p = loaders[key]() as Promise<Value<K>>
    // A failed load is forgotten so the next render tries again.
    p.catch(() => cache.delete(key))
    cache.set(key, p)
  }
  return p
}

/** Drops a cached list; every component showing it loads it again. */
export function refresh(key: Key): void {
  cache.delete(key)
  for (const l of listeners) l()
}

export function useDirectory<K extends Key>(key: K): Value<K> | null {
  const [value, setValue] = useState<Value<K> | null>(null)
  const [version, setVersion] = useState(0)
  useEffect(() => {
    const l = () => setVersion((v) => v + 1)
    listeners.add(l)
    return () => {
      listeners.delete(l)
    }
  }, [])
  // biome-ignore lint/correctness/useExhaustiveDependencies: version forces a reload after refresh()
  useEffect(() => {
    let live = true
    load(key)
      .then((v) => live && setValue(v))
      .catch(() => {})
    return () => {
      live = false
    }
  }, [key, version])
  return value
}
