import { useEffect, useState } from 'react'
import type { ConversationView } from '../types.js'
import { describeUserAgent } from './user-agent.js'

/** What the widget told about the visitor: page, referrer, browser, local time, pre-chat fields. */
export function VisitorPanel({ c }: { c: ConversationView }) {
  const ctx = c.context
  const fields = Object.entries(ctx.fields ?? {}).filter(([k]) => k !== 'name' && k !== 'email')
  return (
    <aside className="visitor-panel" aria-label="Visitor">
      <h2>Visitor</h2>
      <dl>
        <dt>Name</dt>
        <dd>{c.visitor.name ?? '—'}</dd>
        <dt>Email</dt>
        <dd>{c.visitor.email ?? '—'}</dd>
        <dt>Page</dt>
        <dd className="url">
          {ctx.pageTitle ? `${ctx.pageTitle} — ${ctx.pageUrl ?? ''}` : (ctx.pageUrl ?? '—')}
        </dd>
        <dt>Referrer</dt>
        <dd className="url">{ctx.referrer || '—'}</dd>
        <dt>Browser</dt>
        <dd title={ctx.userAgent}>{describeUserAgent(ctx.userAgent)}</dd>
        <dt>Local time</dt>
        <dd>
          <LocalTime timezone={ctx.timezone} />
        </dd>
        {ctx.ip ? (
          <>
            <dt>IP address</dt>
            <dd>{ctx.ip}</dd>
          </>
        ) : null}
        {fields.map(([k, v]) => (
          <div key={k} className="field-row">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </aside>
  )
}

function LocalTime({ timezone }: { timezone: string | undefined }) {
  const [now, setNow] = useState(() => new Date())
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 30_000)
    return () => clearInterval(t)
  }, [])
  if (!timezone) return <>unknown</>
  try {
    const time = now.toLocaleTimeString(undefined, { timeZone: timezone, hour: '2-digit', minute: '2-digit' })
    return (
      <>
        {time} <span className="muted">({timezone})</span>
      </>
    )
  } catch {
    return <>unknown ({timezone})</>
  }
}
