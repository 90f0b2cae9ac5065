import { createElement, useEffect, useMemo, useRef, useState } from 'react'
import { summarizeAlert } from '../admin/alerts.js'
import { api } from '../api.js'
import { StepUpPrompt } from '../auth/mfa.js'
import { Live } from '../live/live.js'
import { announceNewChat, setDesktop, setSound, useNotifySettings } from '../notify/notify.js'
import type { Me, PresenceStatus, StoredAlert } from '../types.js'
import { ErrorNote } from '../ui/ui.js'
import { useRevealPolling } from '../vault/requests.js'
import { LiveContext, useLive, useLiveClient } from './live-context.js'
import { linkProps, navigate, useLocation } from './router.js'
import { allowed, SCREENS, screenFor } from './screens.js'

/** The signed-in console: header, nav built from the screen list, alert banner, the current screen. */
export function Shell({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const signedOut = useRef(onSignedOut)
  signedOut.current = onSignedOut
  // One connection per signed-in agent, whatever else renders.
  const live = useMemo(
    () =>
      new Live(me, {
        onNewChat: (chat) => announceNewChat(chat, (id) => navigate(`/c/${encodeURIComponent(id)}`)),
        onSessionEnded: () => signedOut.current(),
      }),
    [me],
  )
  useRevealPolling(me)
  useEffect(() => {
    live.start()
    return () => live.stop()
  }, [live])
  useEffect(() => {
    if (me.role !== 'admin') return
    api<{ items: StoredAlert[] }>('GET', '/api/v1/alerts?limit=50')
      .then((r) => live.setAlerts(r.items.map(summarizeAlert)))
      .catch(() => {})
  }, [live, me.role])
  return (
    <LiveContext.Provider value={live}>
      <Frame me={me} onSignedOut={onSignedOut} />
      <StepUpPrompt />
    </LiveContext.Provider>
  )
}

function Frame({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const { path } = useLocation()
  const screen = screenFor(path)
  const [menuOpen, setMenuOpen] = useState(false)
  const visible = allowed(screen, me.role)
  return (
    <div className={menuOpen ? 'shell menu-open' : 'shell'}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" {...linkProps('/')}>
          Parley
        </a>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="console-nav console-account"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <ConnectionStatus />
        <Account me={me} onSignedOut={onSignedOut} />
      </header>
      {me.role === 'admin' ? <AlertBanner /> : null}
      <nav id="console-nav" aria-label="Console" className={menuOpen ? 'nav open' : 'nav'}>
        {(['work', 'admin'] as const).map((group) => (
          <ul key={group} aria-label={group === 'work' ? 'Work' : 'Administration'}>
            {SCREENS.filter((s) => s.group === group && allowed(s, me.role)).map((s) => (
              <li key={s.path}>
                <a
                  {...linkProps(s.path, () => setMenuOpen(false))}
                  aria-current={s === screen ? 'page' : undefined}
                >
                  {s.label}
                  {s.badge ? createElement(s.badge) : null}
                </a>
              </li>
            ))}
          </ul>
        ))}
      </nav>
      <main id="main" className="content">
        {visible ? (
          screen.render(path)
        ) : (
          <p role="alert" className="error">
            This screen needs the admin role.
          </p>
        )}
      </main>
    </div>
  )
}

function ConnectionStatus() {
  const { connection } = useLive()
  const text =
    connection === 'online' ? 'Connected' : connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'
  return (
    <span className={`connection ${connection}`} role="status">
      {text}
    </span>
  )
}

function Account({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const live = useLiveClient()
  const { status } = useLive()
  const notify = useNotifySettings()
  const [error, setError] = useState<string | null>(null)
  const signOut = async () => {
    await api('POST', '/api/v1/auth/logout').catch(() => {})
    onSignedOut()
  }
  return (
    <div className="account" id="console-account">
      <span className="me">
        {me.name} <span className="role">({me.role})</span>
      </span>
      <label className="inline">
        Status{' '}
        <select value={status} onChange={(e) => live.setStatus(e.target.value as PresenceStatus)}>
          <option value="online">Online</option>
          <option value="away">Away</option>
          <option value="offline">Offline</option>
        </select>
      </label>
      <label className="inline">
        <input
          type="checkbox"
          checked={notify.desktop}
          onChange={async (e) => setError(await setDesktop(e.target.checked))}
        />{' '}
        Desktop alerts
      </label>
      <label className="inline">
        <input type="checkbox" checked={notify.sound} onChange={(e) => setSound(e.target.checked)} /> Sound
      </label>
      <button type="button" onClick={signOut}>
        Sign out
      </button>
      <ErrorNote error={error} />
    </div>
  )
}

function AlertBanner() {
  const { alerts } = useLive()
  const open = [...alerts.values()].filter((a) => a.state === 'open')
  if (open.length === 0) return null
  const first = open[0]!
  return (
    <section className="alert-banner" aria-label="Open alerts">
      <p role="alert">
        <strong>
          {open.length === 1 ? '1 open alert' : `${open.length} open alerts`}: {first.signal} (
          {first.severity}) — {first.cause}.
        </strong>{' '}
        {first.recommendation} <a {...linkProps('/admin/alerts')}>Review alerts</a>
      </p>
    </section>
  )
}
