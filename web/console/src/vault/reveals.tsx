import { useState } from 'react'
import { api, query } from '../api.js'
import { useDirectory } from '../app/directory.js'
import { useLiveClient } from '../app/live-context.js'
import { linkProps } from '../app/router.js'
import type { RevealRequest } from '../types.js'
import { ErrorNote, Field, formatTime, ScreenTitle, Table, useAction, useLoad } from '../ui/ui.js'
import { refreshReveals, useReveals } from './requests.js'
import { inWindow, RevealValue } from './reveal.js'
import { categoryName } from './tokens.js'

type StateFilter = '' | RevealRequest['state']

/**
 * Reveal requests: admins see the tenant's and decide on other people's pending ones; everyone
 * sees their own and, once granted, the value (inside the window). The server filters the list.
 */
export function RevealsScreen() {
  const me = useLiveClient().me
  const admin = me.role === 'admin'
  const [state, setState] = useState<StateFilter>(admin ? 'pending' : '')
  const [announcement, setAnnouncement] = useState('')
  // Every poll (and every decision made here) lists again.
  const { version } = useReveals()
  const list = useLoad(
    () =>
      api<{ requests: RevealRequest[] }>('GET', `/api/v1/vault/reveals${query({ state, limit: 200 })}`).then(
        (r) => r.requests,
      ),
    [state, version],
  )
  const agents = useDirectory('agents')
  const nameOf = (id: string) =>
    id === me.agentId ? 'You' : (agents?.find((a) => a.id === id)?.name ?? 'Someone')
  return (
    <div className="screen">
      <ScreenTitle>Reveals</ScreenTitle>
      <p className="muted">
        {admin
          ? "Requests to see values the redaction policy tokenized. A request needs an admin other than the one who asked; approving opens the policy's window for the requester only."
          : 'Your requests to see values the redaction policy tokenized. Ask from the token in a conversation; once a second admin approves, the value can be shown here until the window closes.'}
      </p>
      <Field label="Show">
        {(p) => (
          <select {...p} value={state} onChange={(e) => setState(e.target.value as StateFilter)}>
            <option value="pending">Pending</option>
            <option value="approved">Approved</option>
            <option value="denied">Denied</option>
            <option value="">All</option>
          </select>
        )}
      </Field>
      <p role="status" className="muted">
        {announcement}
      </p>
      <ErrorNote error={list.error} />
      {list.data && list.data.length === 0 ? <p>No reveal requests.</p> : null}
      {list.data && list.data.length > 0 ? (
        <Table
          columns={['Asked', 'By', 'Value', 'Reason', 'State', 'Action']}
          className="reveals"
          label="Reveal requests"
        >
          {list.data.map((r) => (
            <RequestRow
              key={r.id}
              r={r}
              mine={r.requesterId === me.agentId}
              admin={admin}
              nameOf={nameOf}
              onDecided={(text) => {
                setAnnouncement(text)
                void refreshReveals()
              }}
            />
          ))}
        </Table>
      ) : null}
    </div>
  )
}

function RequestRow({
  r,
  mine,
  admin,
  nameOf,
  onDecided,
}: {
  r: RevealRequest
  mine: boolean
  admin: boolean
  nameOf: (id: string) => string
  onDecided: (announcement: string) => void
}) {
  const action = useAction()
  const decide = async (step: 'approve' | 'deny') => {
    const done = await action.run(() =>
      api<RevealRequest>('POST', `/api/v1/vault/reveals/${encodeURIComponent(r.id)}/${step}`),
    )
    if (done)
      onDecided(`${step === 'approve' ? 'Approved' : 'Denied'} the request of ${nameOf(r.requesterId)}.`)
  }
  const by = r.decidedBy ? ` by ${nameOf(r.decidedBy)}` : ''
  const stateText =
    r.state === 'pending'
      ? 'Waiting for approval'
      : r.state === 'denied'
        ? `Denied${by}`
        : inWindow(r)
          ? `Approved${by}, until ${formatTime(r.expiresAt!)}`
          : `Approved${by}; the window has closed`
  return (
    <tr>
      <td data-label="Asked">{formatTime(r.createdAt)}</td>
      <td data-label="By">{nameOf(r.requesterId)}</td>
      <td data-label="Value">
        {r.category ? categoryName(r.category) : 'value'}
        {r.conversationId ? (
          <>
            {' · '}
            <a {...linkProps(`/c/${encodeURIComponent(r.conversationId)}`)}>conversation</a>
          </>
        ) : null}
        <div className="mono small muted">{r.tokenId}</div>
      </td>
      <td data-label="Reason" className="reason">
        {r.reason}
      </td>
      <td data-label="State">
        {stateText}
        {r.reveals > 0 ? <span className="muted"> · shown {r.reveals}×</span> : null}
      </td>
      <td data-label="Action">
        {r.state === 'pending' && admin && !mine ? (
          <span className="action-buttons">
            <button
              type="button"
              className="primary"
              disabled={action.busy}
              onClick={() => decide('approve')}
            >
              Approve
            </button>
            <button type="button" className="danger" disabled={action.busy} onClick={() => decide('deny')}>
              Deny
            </button>
          </span>
        ) : null}
        {r.state === 'pending' && mine ? (
          <span className="muted">
            {admin ? 'You asked: another admin must approve it.' : "Waiting for a second admin's approval."}
          </span>
        ) : null}
        {mine && r.state === 'approved' ? <RevealValue request={r} /> : null}
        <ErrorNote error={action.error} />
      </td>
    </tr>
  )
}

/** The nav badge: pending requests of other people an admin may decide on. */
export function ApprovalsBadge() {
  const { awaiting } = useReveals()
  if (awaiting === 0) return null
  return (
    <span className="badge">
      {awaiting}
      <span className="sr-only"> waiting for approval</span>
    </span>
  )
}
