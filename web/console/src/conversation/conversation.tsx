import { Fragment, useEffect, useRef, useState } from 'react'
import { api, messageOf } from '../api.js'
import { useLive, useLiveClient } from '../app/live-context.js'
import { linkProps, useLocation } from '../app/router.js'
import { type Pending, type Thread, unreadOf } from '../live/live.js'
import type { ConversationView, MessageView } from '../types.js'
import { ErrorNote, formatTime } from '../ui/ui.js'
import { TokenChip } from '../vault/reveal.js'
import { splitTokens } from '../vault/tokens.js'
import { ConversationActions } from './actions.js'
import { Composer } from './composer.js'
import { VisitorPanel } from './visitor-panel.js'

/** One conversation: header with actions, the transcript (paged), typing, receipts, the composer, the visitor panel. */
export function ConversationPane({ id }: { id: string }) {
  const live = useLiveClient()
  const state = useLive()
  const c = state.conversations.get(id)
  const thread = state.threads.get(id)
  const typing = state.typing.get(id)
  const pending = state.pending.filter((p) => p.conversationId === id)
  const [error, setError] = useState<string | null>(null)
  const [loadingEarlier, setLoadingEarlier] = useState(false)
  const highlight = Number(useLocation().search.get('seq') ?? 0)
  const title = useRef<HTMLHeadingElement>(null)
  const known = c !== undefined
  // Opening a conversation is a route change: focus its heading so screen readers announce it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per opening, not on every rename
  useEffect(() => {
    if (!known) return
    title.current?.focus()
    document.title = `${c.visitor.name ?? 'Visitor'} · Parley`
  }, [known])

  // A deep link may name a conversation the inbox has not listed.
  useEffect(() => {
    if (live.getState().conversations.has(id)) return
    api<ConversationView>('GET', `/api/v1/conversations/${encodeURIComponent(id)}`)
      .then((v) => live.upsertConversations([v]))
      .catch((e) => setError(messageOf(e)))
  }, [id, live])
  // The newest page first; more on request. Seeing a highlighted search hit may need older pages.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new lowest seq may call for the next page
  useEffect(() => {
    if (!known) return
    const t = live.getState().threads.get(id)
    if (t && t.firstSeq <= 1) return
    if (t && t.bySeq.size >= 20 && (!highlight || t.firstSeq <= highlight)) return
    live.loadHistory(id).catch((e) => setError(messageOf(e)))
  }, [id, live, known, highlight, thread?.firstSeq])
  // What is on screen in a visible tab counts as read: again whenever messages arrive or the socket is back.
  // biome-ignore lint/correctness/useExhaustiveDependencies: thread and connection are the triggers
  useEffect(() => {
    const mark = () => document.visibilityState === 'visible' && live.markRead(id)
    mark()
    document.addEventListener('visibilitychange', mark)
    return () => document.removeEventListener('visibilitychange', mark)
  }, [id, live, thread, state.connection])

  if (!c) {
    return (
      <section className="conversation" aria-label="Conversation">
        <ErrorNote error={error} />
        {error ? null : <p>Loading the conversation…</p>}
      </section>
    )
  }
  const earlier = async () => {
    setLoadingEarlier(true)
    await live.loadHistory(id).catch((e) => setError(messageOf(e)))
    setLoadingEarlier(false)
  }
  const canWrite = c.status !== 'closed'
  return (
    <>
      <section className="conversation" aria-labelledby="conversation-title">
        <header className="conversation-head">
          <a className="back" {...linkProps('/')}>
            ← Inbox
          </a>
          <h1 id="conversation-title" tabIndex={-1} ref={title}>
            {c.visitor.name ?? 'Visitor'}
          </h1>
          <span className={`status ${c.status}`}>
            {c.status === 'open' ? 'waiting' : c.status}
            {unreadOf(c) > 0 ? ` · ${unreadOf(c)} unread` : ''}
          </span>
          <ConversationActions c={c} />
        </header>
        <ErrorNote error={error} />
        <Transcript
          c={c}
          thread={thread}
          pending={pending}
          highlight={highlight}
          onEarlier={earlier}
          loadingEarlier={loadingEarlier}
        />
        <p className="typing" role="status" aria-live="polite">
          {typing ? `${typing.name} is typing…` : ''}
        </p>
        {canWrite ? (
          <Composer conversationId={id} />
        ) : (
          <p className="closed-note">This conversation is closed; reopen it to reply.</p>
        )}
      </section>
      <VisitorPanel c={c} />
    </>
  )
}

function Transcript({
  c,
  thread,
  pending,
  highlight,
  onEarlier,
  loadingEarlier,
}: {
  c: ConversationView
  thread: Thread | undefined
  pending: readonly Pending[]
  highlight: number
  onEarlier: () => void
  loadingEarlier: boolean
}) {
  const live = useLiveClient()
  const list = useRef<HTMLDivElement>(null)
  const messages = [...(thread?.bySeq.values() ?? [])].sort((a, b) => a.seq - b.seq)
  const lastSeen = messages.filter((m) => m.sender.kind === 'agent' && m.seq <= c.visitorReadSeq).at(-1)?.seq
  const newest = messages.at(-1)?.seq
  // Keep the newest message in view as it arrives (or the highlighted search hit).
  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls when the newest message or the pending list changes
  useEffect(() => {
    const el = list.current
    if (!el) return
    const hit = highlight ? el.querySelector<HTMLElement>(`[data-seq="${highlight}"]`) : null
    if (hit) hit.scrollIntoView({ block: 'center' })
    else el.scrollTop = el.scrollHeight
  }, [newest, pending.length, highlight])
  return (
    <div className="transcript">
      {thread && Number.isFinite(thread.firstSeq) && thread.firstSeq > 1 ? (
        <button type="button" className="earlier" onClick={onEarlier} disabled={loadingEarlier}>
          Load earlier messages
        </button>
      ) : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <div ref={list} className="log" role="log" aria-live="polite" aria-label="Messages" tabIndex={0}>
        <ol>
          {messages.map((m) => (
            <Message key={m.seq} m={m} seen={m.seq === lastSeen} highlighted={m.seq === highlight} />
          ))}
          {pending.map((p) => (
            <li key={p.clientMsgId} className={`msg agent mine pending${p.note ? ' note' : ''}`}>
              <span className="who">{p.note ? 'Internal note · you' : 'You'}</span>
              <span className="text">{p.text}</span>
              {p.error ? (
                <span className="error" role="alert">
                  Not sent: {p.error}{' '}
                  <button type="button" onClick={() => live.retry(p.clientMsgId)}>
                    Retry
                  </button>{' '}
                  <button type="button" onClick={() => live.discard(p.clientMsgId)}>
                    Discard
                  </button>
                </span>
              ) : (
                <span className="state">{p.ack ? 'Sent' : 'Sending…'}</span>
              )}
            </li>
          ))}
        </ol>
      </div>
    </div>
  )
}

function Message({ m, seen, highlighted }: { m: MessageView; seen: boolean; highlighted: boolean }) {
  const live = useLiveClient()
  const mine = m.sender.kind === 'agent' && m.sender.id === live.me.agentId
  const who =
    m.sender.kind === 'visitor'
      ? 'Visitor'
      : m.sender.kind === 'system'
        ? 'Parley'
        : mine
          ? 'You'
          : (m.sender.name ?? 'Agent')
  const redacted = Object.entries(m.redactions)
  const classes = [
    'msg',
    m.sender.kind,
    mine ? 'mine' : '',
    m.kind === 'note' ? 'note' : '',
    highlighted ? 'hit' : '',
  ]
  return (
    <li className={classes.filter(Boolean).join(' ')} data-seq={m.seq}>
      <span className="who">
        {m.kind === 'note' ? `Internal note · ${who}` : who}
        <time dateTime={m.createdAt}> {formatTime(m.createdAt)}</time>
      </span>
      {/* Message text is only ever text nodes: markup in it is shown, never parsed. A token the
          protect policy put in place of a value becomes a chip to ask for the value. */}
      <span className="text">
        {splitTokens(m.text).map((part, i) =>
          'text' in part ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in order
            <Fragment key={i}>{part.text}</Fragment>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: the same token may occur twice
            <TokenChip key={i} type={part.type} tokenId={part.tokenId} />
          ),
        )}
      </span>
      {m.attachment ? (
        <a
          className="attachment"
          href={`/api/v1/conversations/${encodeURIComponent(m.conversationId)}/attachments/${encodeURIComponent(m.attachment.id)}`}
          download={m.attachment.fileName}
          rel="noopener noreferrer nofollow"
        >
          {m.attachment.fileName} ({Math.ceil(m.attachment.size / 1024)} KB)
        </a>
      ) : null}
      {redacted.length > 0 ? (
        <span className="redacted">
          Redacted: {redacted.map(([k, n]) => `${k.replace(/_/g, ' ')} ×${n}`).join(', ')}
        </span>
      ) : null}
      {seen ? <span className="seen">Seen by the visitor</span> : null}
    </li>
  )
}
