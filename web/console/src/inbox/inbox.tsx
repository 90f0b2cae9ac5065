import { useEffect, useMemo, useState } from 'react'
import { api, messageOf } from '../api.js'
import { useDirectory } from '../app/directory.js'
import { useLive, useLiveClient } from '../app/live-context.js'
import { linkProps, navigate } from '../app/router.js'
import { ConversationPane } from '../conversation/conversation.js'
import { unreadOf } from '../live/live.js'
import type { ConversationView, Page } from '../types.js'
import { ErrorNote, formatTime, ScreenTitle } from '../ui/ui.js'
import { type QueueId, queuesFor } from './queues.js'

const QUEUE_KEY = 'parley.console.queue'

/** The inbox: queue tabs with unread counts, the conversation list, and the open conversation. */
export function InboxScreen({ path }: { path: string }) {
  const live = useLiveClient()
  const { conversations, epoch } = useLive()
  const me = live.me
  const teams = useDirectory('teams')
  const teamIds = useMemo(
    () => (teams ?? []).filter((t) => t.agentIds.includes(me.agentId)).map((t) => t.id),
    [teams, me.agentId],
  )
  const queues = queuesFor(me.role).filter((q) => q.id !== 'team' || teamIds.length > 0)
  const [queueId, setQueueId] = useState<QueueId>(
    () => (localStorage.getItem(QUEUE_KEY) as QueueId) ?? 'mine',
  )
  const queue = queues.find((q) => q.id === queueId) ?? queues[0]!
  const [closed, setClosed] = useState(false)
  const [cursors, setCursors] = useState<{ qs: string; cursor: string }[]>([])
  const [error, setError] = useState<string | null>(null)
  const openId = path.startsWith('/c/') ? decodeURIComponent(path.slice(3)) : null

  const fetchPage = async (qs: string, cursor?: string) => {
    const page = await api<Page<ConversationView>>(
      'GET',
      `/api/v1/conversations?${qs}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )
    live.upsertConversations(page.items)
    return page.nextCursor ? [{ qs, cursor: page.nextCursor }] : []
  }
  // The queue's conversations come from the API, then stay current through the socket; after a
  // reconnect (a new epoch) they are fetched again, since changes may have been missed meanwhile.
  // biome-ignore lint/correctness/useExhaustiveDependencies: fetchPage only closes over stable values
  useEffect(() => {
    let current = true
    setError(null)
    Promise.all(queue.requests(teamIds, closed).map((qs) => fetchPage(qs)))
      .then((next) => current && setCursors(next.flat()))
      .catch((e) => current && setError(messageOf(e)))
    return () => {
      current = false
    }
  }, [queue, teamIds, closed, epoch])

  const loadMore = async () => {
    try {
      const next = await Promise.all(cursors.map((c) => fetchPage(c.qs, c.cursor)))
      setCursors(next.flat())
    } catch (e) {
      setError(messageOf(e))
    }
  }

  const all = [...conversations.values()]
  const listed = all
    .filter((c) => queue.holds(c, me, teamIds, closed))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
  // Alt+↓ and Alt+↑ open the next and previous conversation of the queue, from anywhere.
  const order = listed.map((c) => c.id).join(' ')
  useEffect(() => {
    const ids = order ? order.split(' ') : []
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') || ids.length === 0) return
      e.preventDefault()
      const at = openId ? ids.indexOf(openId) : -1
      const next = e.key === 'ArrowDown' ? Math.min(ids.length - 1, at + 1) : Math.max(0, at - 1)
      navigate(`/c/${encodeURIComponent(ids[next]!)}`)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [order, openId])
  const choose = (id: QueueId) => {
    localStorage.setItem(QUEUE_KEY, id)
    setQueueId(id)
  }

  return (
    <div className={openId ? 'inbox has-open' : 'inbox'}>
      <section className="queue" aria-labelledby="queue-title">
        {openId ? <h2 id="queue-title">Inbox</h2> : <ScreenTitle>Inbox</ScreenTitle>}
        <fieldset className="tabs">
          <legend className="sr-only">Queues</legend>
          {queues.map((q) => {
            const unread = all
              .filter((c) => q.holds(c, me, teamIds, false))
              .reduce((n, c) => n + unreadOf(c), 0)
            return (
              <button
                type="button"
                key={q.id}
                aria-pressed={q.id === queue.id}
                onClick={() => choose(q.id)}
                data-queue={q.id}
              >
                {q.label}
                <UnreadBadge n={unread} />
              </button>
            )
          })}
        </fieldset>
        <label className="inline small">
          <input type="checkbox" checked={closed} onChange={(e) => setClosed(e.target.checked)} /> Show closed
        </label>
        <ErrorNote error={error} />
        {listed.length === 0 ? <p className="empty">No conversations in this queue.</p> : null}
        <ul className="conversations" aria-label={`${queue.label} conversations`}>
          {listed.map((c) => (
            <ConversationItem key={c.id} c={c} current={c.id === openId} />
          ))}
        </ul>
        {cursors.length > 0 ? (
          <button type="button" onClick={loadMore}>
            Load more conversations
          </button>
        ) : null}
      </section>
      {openId ? (
        <ConversationPane key={openId} id={openId} />
      ) : (
        <section className="placeholder" aria-label="Conversation">
          <p>Choose a conversation.</p>
        </section>
      )}
    </div>
  )
}

function ConversationItem({ c, current }: { c: ConversationView; current: boolean }) {
  const labels = useDirectory('labels')
  const unread = unreadOf(c)
  const names = (labels ?? []).filter((l) => c.labels.includes(l.id)).map((l) => l.name)
  return (
    <li>
      <a
        {...linkProps(`/c/${encodeURIComponent(c.id)}`)}
        aria-current={current ? 'true' : undefined}
        className={`conversation-item ${c.status}`}
      >
        <span className="who">{c.visitor.name ?? 'Visitor'}</span>
        <span className={`status ${c.status}`}>{c.status === 'open' ? 'waiting' : c.status}</span>
        <UnreadBadge n={unread} />
        <span className="meta">
          {formatTime(c.updatedAt)}
          {names.length > 0 ? ` · ${names.join(', ')}` : ''}
        </span>
      </a>
    </li>
  )
}

function UnreadBadge({ n }: { n: number }) {
  if (n === 0) return null
  return (
    <span className="badge">
      {n}
      <span className="sr-only"> unread</span>
    </span>
  )
}
