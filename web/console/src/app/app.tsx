import { useEffect, useState } from 'react'
import { ApiError, api, whenSignedOut } from '../api.js'
import { Setup } from '../auth/setup.js'
import { SignIn } from '../auth/sign-in.js'
import type { Me } from '../types.js'
import { navigate, useLocation } from './router.js'
import { Shell } from './shell.js'

/** Who is signed in decides what shows: the setup page, sign-in, or the console. */
export function App() {
  const { path } = useLocation()
  const [me, setMe] = useState<Me | null | 'loading'>('loading')
  const [failure, setFailure] = useState<string | null>(null)

  // Only once, at start: later sign-ins and sign-outs set `me` directly.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs at start only
  useEffect(() => {
    whenSignedOut(() => setMe(null))
    if (path === '/setup') return setMe(null)
    api<Me>('GET', '/api/v1/auth/me')
      .then(setMe)
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) setMe(null)
        else setFailure(e instanceof Error ? e.message : String(e))
      })
  }, [])

  const signedIn = (who: Me) => {
    setMe(who)
    if (path === '/setup') navigate('/', { replace: true })
  }
  if (failure) {
    return (
      <main className="card" id="main">
        <h1>Parley console</h1>
        <p role="alert" className="error">
          {failure}
        </p>
      </main>
    )
  }
  if (path === '/setup' && me === null) return <Setup onSignedIn={signedIn} />
  if (me === 'loading') return <p className="loading">Loading…</p>
  if (me === null) return <SignIn onSignedIn={signedIn} />
  return <Shell me={me} onSignedOut={() => setMe(null)} />
}
