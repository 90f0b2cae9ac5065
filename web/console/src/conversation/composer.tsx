import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react'
import { useDirectory } from '../app/directory.js'
import { useLiveClient } from '../app/live-context.js'
import type { Canned } from '../types.js'

const TYPING_REFRESH_MS = 3000
const TYPING_IDLE_MS = 4000

/** The `/word` just before the caret, if the agent is asking for a canned response. */
export function cannedQuery(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)\/([\w-]*)$/.exec(text.slice(0, caret))
  return m ? { start: caret - m[2]!.length - 1, query: m[2]!.toLowerCase() } : null
}

export function matchCanned(items: readonly Canned[], query: string): Canned[] {
  return items
    .filter((c) => c.shortcut.includes(query) || c.title.toLowerCase().includes(query))
    .sort((a, b) => Number(!b.shortcut.startsWith(query)) - Number(!a.shortcut.startsWith(query)))
    .slice(0, 8)
}

/**
 * The reply box. Enter sends, Shift+Enter starts a new line; `/` opens the canned responses
 * (arrows choose, Enter or Tab inserts, Escape closes). Typing is announced to the visitor.
 */
export function Composer({ conversationId }: { conversationId: string }) {
  const live = useLiveClient()
  const canned = useDirectory('canned') ?? []
  const [text, setText] = useState('')
  const [note, setNote] = useState(false)
  const [caret, setCaret] = useState(0)
  const [active, setActive] = useState(0)
  const [dismissed, setDismissed] = useState<number | null>(null)
  const box = useRef<HTMLTextAreaElement>(null)
  const typing = useRef({ sentAt: 0, idle: 0 as ReturnType<typeof setTimeout> | 0 })
  const listId = useId()

  const q = cannedQuery(text, caret)
  const options = q && q.start !== dismissed ? matchCanned(canned, q.query) : []
  const open = options.length > 0

  const stopTyping = () => {
    if (typing.current.idle) clearTimeout(typing.current.idle)
    if (typing.current.sentAt) live.typing(conversationId, false)
    typing.current = { sentAt: 0, idle: 0 }
  }
  // biome-ignore lint/correctness/useExhaustiveDependencies: stops the indicator when the conversation changes
  useEffect(() => stopTyping, [conversationId])

  const onChange = (value: string, at: number) => {
    setText(value)
    setCaret(at)
    setActive(0)
    if (note || value.trim() === '') return stopTyping()
    const now = Date.now()
    if (now - typing.current.sentAt > TYPING_REFRESH_MS) {
      live.typing(conversationId, true)
      typing.current.sentAt = now
    }
    if (typing.current.idle) clearTimeout(typing.current.idle)
    typing.current.idle = setTimeout(stopTyping, TYPING_IDLE_MS)
  }

  const insert = (c: Canned) => {
    if (!q) return
    const next = text.slice(0, q.start) + c.body + text.slice(caret)
    const at = q.start + c.body.length
    setText(next)
    setCaret(at)
    requestAnimationFrame(() => box.current?.setSelectionRange(at, at))
  }

  const send = () => {
    const value = text.trim()
    if (!value) return
    live.sendMessage(conversationId, value, note)
    setText('')
    setCaret(0)
    stopTyping()
  }

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault()
      const step = e.key === 'ArrowDown' ? 1 : -1
      setActive((active + step + options.length) % options.length)
    } else if (open && (e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) {
      e.preventDefault()
      insert(options[active] ?? options[0]!)
    } else if (open && e.key === 'Escape') {
      e.preventDefault()
      setDismissed(q!.start)
    } else if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault()
      send()
    }
  }

  return (
    <form
      className={note ? 'composer note-mode' : 'composer'}
      onSubmit={(e) => {
        e.preventDefault()
        send()
      }}
    >
      {open ? (
        <div id={listId} role="listbox" aria-label="Canned responses" className="canned-list">
          {options.map((c, i) => (
            <div
              key={c.id}
              id={`${listId}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault()
                insert(c)
              }}
            >
              <strong>/{c.shortcut}</strong> {c.title}
              <span className="muted"> — {c.body.length > 80 ? `${c.body.slice(0, 80)}…` : c.body}</span>
            </div>
          ))}
        </div>
      ) : null}
      <textarea
        ref={box}
        rows={2}
        value={text}
        aria-label={note ? 'Internal note (agents only)' : 'Reply to the visitor'}
        placeholder={
          note ? 'Internal note, never shown to the visitor' : 'Reply… (type / for canned responses)'
        }
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        onChange={(e) => onChange(e.target.value, e.target.selectionStart)}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKeyDown}
        onBlur={stopTyping}
      />
      <div className="composer-actions">
        <label className="inline">
          <input
            type="checkbox"
            checked={note}
            onChange={(e) => {
              setNote(e.target.checked)
              stopTyping()
            }}
          />{' '}
          Internal note
        </label>
        <button type="submit" className="primary" disabled={text.trim() === ''}>
          {note ? 'Add note' : 'Send'}
        </button>
      </div>
    </form>
  )
}
