import { type FormEvent, useEffect, useRef, useState } from 'react'
import { api } from '../api.js'
import type { RevealedValue, RevealRequest } from '../types.js'
import { Dialog, ErrorNote, TextArea, useAction } from '../ui/ui.js'
import { refreshReveals, rememberRequest, useReveals } from './requests.js'
import { categoryName } from './tokens.js'

const revealPath = (id: string, step = '') => `/api/v1/vault/reveals/${encodeURIComponent(id)}${step}`

/** Whether a granted request's window is still open (by this browser's clock; the server decides). */
export const inWindow = (r: RevealRequest) =>
  r.state === 'approved' && r.expiresAt !== null && Date.parse(r.expiresAt) > Date.now()

const countdown = (ms: number) => {
  const s = Math.max(0, Math.ceil(ms / 1000))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/**
 * "Show value" for a granted request of one's own, while its window is open. The value lives only in this component's
 * state: never in storage, the URL or the title; Hide, the end of the window and unmounting all
 * drop it. Each showing is audited on the server.
 */
export function RevealValue({ request }: { request: RevealRequest }) {
  const [shown, setShown] = useState<RevealedValue | null>(null)
  const [now, setNow] = useState(() => Date.now())
  const [status, setStatus] = useState('')
  const action = useAction()
  const showButton = useRef<HTMLButtonElement>(null)
  const hide = (why: string) => {
    setShown(null)
    setStatus(why)
  }
  const show = async () => {
    const v = await action.run(() => api<RevealedValue>('POST', revealPath(request.id, '/value')))
    if (v) {
      setShown(v)
      setNow(Date.now())
      setStatus(`The ${categoryName(v.type)} is shown.`)
    }
    // The request's reveal count, or its new state after a refusal (expired, denied).
    void refreshReveals()
  }
  useEffect(() => {
    if (!shown) return
    const end = Date.parse(shown.expiresAt)
    const tick = () => {
      const t = Date.now()
      if (t < end) return setNow(t)
      setShown(null)
      setStatus('The reveal window has closed; the value is hidden.')
      void refreshReveals()
    }
    const timer = setInterval(tick, 1000)
    return () => clearInterval(timer)
  }, [shown])
  return (
    <span className="reveal-value">
      {shown ? (
        <>
          <span className="revealed mono" translate="no">
            {shown.value}
          </span>
          <span className="countdown">hidden in {countdown(Date.parse(shown.expiresAt) - now)}</span>
          <button
            type="button"
            onClick={() => {
              hide('The value is hidden.')
              // The Hide button goes away with the value: keep focus on the control that replaces it.
              requestAnimationFrame(() => showButton.current?.focus())
            }}
          >
            Hide
          </button>
        </>
      ) : inWindow(request) ? (
        <button type="button" ref={showButton} disabled={action.busy} onClick={show}>
          Show value
        </button>
      ) : null}
      <span role="status" className="sr-only">
        {status}
      </span>
      <ErrorNote error={action.error} />
    </span>
  )
}

/**
 * A token in a message: what kind of value it stands for, never the value, and the way to ask
 * for it (a reason, then a second admin's approval if the policy wants one), then to see it.
 */
export function TokenChip({ type, tokenId }: { type: string; tokenId: string }) {
  const { mine } = useReveals()
  // Newest first: the latest request for this token says where things stand.
  const request = mine.find((r) => r.tokenId === tokenId)
  const [asking, setAsking] = useState(false)
  const [focusNext, setFocusNext] = useState(false)
  const chip = useRef<HTMLSpanElement>(null)
  const name = categoryName(type)
  // After the dialog, focus goes to the chip's new control (the Reveal… button is gone).
  useEffect(() => {
    if (!focusNext) return
    setFocusNext(false)
    chip.current?.querySelector<HTMLElement>('button')?.focus()
  }, [focusNext])
  const open = request !== undefined && (request.state === 'pending' || inWindow(request))
  const state =
    request?.state === 'pending'
      ? "Waiting for a second admin's approval"
      : request?.state === 'denied'
        ? 'Reveal denied'
        : request && !inWindow(request)
          ? 'Reveal window closed'
          : request
            ? 'Approved'
            : ''
  return (
    <span className="token-chip" ref={chip}>
      <span className="token-label">{name} · hidden</span>
      <span role="status" className="token-state">
        {state}
      </span>
      {request?.state === 'pending' ? (
        <button type="button" onClick={() => void refreshReveals()}>
          Check again
        </button>
      ) : null}
      {request?.state === 'approved' ? <RevealValue request={request} /> : null}
      {!open ? (
        <button type="button" aria-haspopup="dialog" onClick={() => setAsking(true)}>
          Reveal…
        </button>
      ) : null}
      {asking ? (
        <AskDialog
          name={name}
          tokenId={tokenId}
          onClose={() => setAsking(false)}
          onAsked={(r) => {
            rememberRequest(r)
            setAsking(false)
            setFocusNext(true)
          }}
        />
      ) : null}
    </span>
  )
}

function AskDialog({
  name,
  tokenId,
  onClose,
  onAsked,
}: {
  name: string
  tokenId: string
  onClose: () => void
  onAsked: (r: RevealRequest) => void
}) {
  const [reason, setReason] = useState('')
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const r = await action.run(() =>
      api<RevealRequest>('POST', '/api/v1/vault/reveals', { token: tokenId, reason: reason.trim() }),
    )
    if (r) onAsked(r)
  }
  return (
    <Dialog title={`Reveal the ${name}`} onClose={onClose}>
      <form onSubmit={submit}>
        <TextArea
          label="Reason"
          hint="Why you need the value, 10 to 500 characters. The reason is recorded in the audit log; the policy may ask a second admin to approve."
          rows={3}
          required
          minLength={10}
          maxLength={500}
          value={reason}
          onChange={setReason}
        />
        <ErrorNote error={action.error} />
        <div className="action-buttons">
          <button type="submit" className="primary" disabled={action.busy || reason.trim().length < 10}>
            Ask to reveal
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  )
}
