import { type MouseEvent, useSyncExternalStore } from 'react'

/** Every console URL lives under /console; the server answers all of them with the app. */
export const BASE = '/console'

const listeners = new Set<() => void>()
const notify = () => {
  for (const l of listeners) l()
}
window.addEventListener('popstate', notify)

function subscribe(fn: () => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/** The current path below /console ("/", "/c/ID", "/admin/sites", …) and its query. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, () => location.pathname + location.search)
  const url = new URL(href, location.origin)
  const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) || '/' : '/'
  return { path, search: url.searchParams }
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = BASE + (to === '/' ? '' : to)
  if (url === location.pathname + location.search) return
  if (opts.replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  notify()
}

/** Props for an anchor that navigates inside the app (a real href, so open-in-new-tab works). */
export function linkProps(to: string, then?: () => void): { href: string; onClick: (e: MouseEvent) => void } {
  return {
    href: BASE + (to === '/' ? '' : to),
    onClick: (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
      e.preventDefault()
      navigate(to)
      then?.()
    },
  }
}
