import { type FormEvent, useState } from 'react'
import { api, query } from '../api.js'
import { linkProps } from '../app/router.js'
import type { SearchHit } from '../types.js'
import { ErrorNote, Field, formatTime, ScreenTitle, useAction } from '../ui/ui.js'

/** Transcript search: each hit links to its conversation, scrolled to the message. */
export function SearchScreen() {
  const [q, setQ] = useState('')
  const [searched, setSearched] = useState<string | null>(null)
  const [hits, setHits] = useState<SearchHit[]>([])
  const [next, setNext] = useState<string | null>(null)
  const action = useAction()

  const fetchPage = (text: string, cursor: string | null) =>
    api<{ results: SearchHit[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/search${query({ q: text, limit: 20, cursor })}`,
    )
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const text = q.trim()
    if (!text) return
    const page = await action.run(() => fetchPage(text, null))
    if (!page) return
    setSearched(text)
    setHits(page.results)
    setNext(page.nextCursor)
  }
  const more = async () => {
    if (!searched || !next) return
    const page = await action.run(() => fetchPage(searched, next))
    if (!page) return
    setHits([...hits, ...page.results])
    setNext(page.nextCursor)
  }
  return (
    <div className="screen">
      <ScreenTitle>Search transcripts</ScreenTitle>
      <search>
        <form onSubmit={submit} className="row">
          <Field
            label="Search messages"
            hint="Searches the stored (redacted) text of conversations you may see."
          >
            {(p) => <input {...p} type="search" value={q} onChange={(e) => setQ(e.target.value)} />}
          </Field>
          <button type="submit" className="primary" disabled={action.busy}>
            Search
          </button>
        </form>
      </search>
      <ErrorNote error={action.error} />
      {searched !== null ? (
        <p role="status">
          {hits.length === 0
            ? `Nothing found for “${searched}”.`
            : `Results for “${searched}”${next ? '' : ` (${hits.length})`}`}
        </p>
      ) : null}
      <ol className="results">
        {hits.map((h) => (
          <li key={h.messageId}>
            <a {...linkProps(`/c/${encodeURIComponent(h.conversationId)}?seq=${h.seq}`)}>
              <span className="who">
                {h.senderKind === 'visitor' ? 'Visitor' : h.senderKind === 'agent' ? 'Agent' : 'Parley'}
              </span>{' '}
              <time dateTime={h.sentAt}>{formatTime(h.sentAt)}</time>
              {/* The snippet is message text: shown as text, never as markup. */}
              <span className="snippet">{h.snippet}</span>
            </a>
          </li>
        ))}
      </ol>
      {next ? (
        <button type="button" onClick={more} disabled={action.busy}>
          More results
        </button>
      ) : null}
    </div>
  )
}
