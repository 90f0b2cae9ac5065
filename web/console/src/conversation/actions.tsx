import { useEffect, useState } from 'react'
import { api } from '../api.js'
import { useDirectory } from '../app/directory.js'
import { useLive, useLiveClient } from '../app/live-context.js'
import type { ConversationView } from '../types.js'
import { ErrorNote, useAction } from '../ui/ui.js'
import { SecureForms } from './secure-form.js'

type Panel = 'transfer' | 'labels' | 'secure'

/** Claim, transfer, close or reopen, labels, and secure forms. Each answers with the updated conversation. */
export function ConversationActions({ c }: { c: ConversationView }) {
  const live = useLiveClient()
  const action = useAction()
  const [panel, setPanel] = useState<Panel | null>(null)
  const act = (verb: 'claim' | 'close' | 'reopen', body?: unknown) =>
    action.run(async () => {
      const v = await api<ConversationView>(
        'POST',
        `/api/v1/conversations/${encodeURIComponent(c.id)}/${verb}`,
        body,
      )
      live.upsertConversations([v])
    })
  const toggle = (p: Panel) => setPanel(panel === p ? null : p)
  return (
    <div className="actions">
      <div className="action-buttons">
        {c.status === 'open' ? (
          <button type="button" className="primary" disabled={action.busy} onClick={() => act('claim')}>
            Claim
          </button>
        ) : null}
        {c.status !== 'closed' ? (
          <button type="button" aria-expanded={panel === 'transfer'} onClick={() => toggle('transfer')}>
            Transfer
          </button>
        ) : null}
        <button type="button" aria-expanded={panel === 'labels'} onClick={() => toggle('labels')}>
          Labels
        </button>
        {c.status !== 'closed' ? (
          <button type="button" aria-expanded={panel === 'secure'} onClick={() => toggle('secure')}>
            Secure form
          </button>
        ) : null}
        {c.status === 'closed' ? (
          <button type="button" disabled={action.busy} onClick={() => act('reopen')}>
            Reopen
          </button>
        ) : (
          <button type="button" disabled={action.busy} onClick={() => act('close')}>
            Close
          </button>
        )}
      </div>
      <ErrorNote error={action.error} />
      {panel === 'transfer' ? <Transfer c={c} done={() => setPanel(null)} /> : null}
      {panel === 'labels' ? <Labels c={c} /> : null}
      {panel === 'secure' ? <SecureForms conversationId={c.id} /> : null}
    </div>
  )
}

function Transfer({ c, done }: { c: ConversationView; done: () => void }) {
  const live = useLiveClient()
  const { presence } = useLive()
  const agents = useDirectory('agents') ?? []
  const teams = useDirectory('teams') ?? []
  const [target, setTarget] = useState('')
  const action = useAction()
  const statusOf = (id: string, saved: string) => presence.get(id)?.status ?? saved
  const submit = async () => {
    const [kind, id] = target.split(':')
    const ok = await action.run(async () => {
      const v = await api<ConversationView>(
        'POST',
        `/api/v1/conversations/${encodeURIComponent(c.id)}/transfer`,
        kind === 'agent' ? { agentId: id } : { teamId: id },
      )
      live.upsertConversations([v])
      return true
    })
    if (ok) done()
  }
  return (
    <form
      className="popover"
      aria-label="Transfer"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <label>
        Transfer to{' '}
        <select value={target} onChange={(e) => setTarget(e.target.value)} required>
          <option value="">Choose…</option>
          <optgroup label="Agents (online with free capacity)">
            {agents
              .filter((a) => a.id !== c.agentId && !a.disabled)
              .map((a) => (
                <option key={a.id} value={`agent:${a.id}`}>
                  {a.name} — {statusOf(a.id, a.status)}
                </option>
              ))}
          </optgroup>
          <optgroup label="Team queues">
            {teams.map((t) => (
              <option key={t.id} value={`team:${t.id}`}>
                {t.name}
              </option>
            ))}
          </optgroup>
        </select>
      </label>{' '}
      <button type="submit" className="primary" disabled={!target || action.busy}>
        Transfer
      </button>
      <ErrorNote error={action.error} />
    </form>
  )
}

function Labels({ c }: { c: ConversationView }) {
  const live = useLiveClient()
  const labels = useDirectory('labels')
  const action = useAction()
  // Ticked at once; the server's answer (or its refusal) settles it.
  const [selected, setSelected] = useState(c.labels)
  useEffect(() => setSelected(c.labels), [c.labels])
  const set = async (labelId: string, on: boolean) => {
    const labelIds = on ? [...selected, labelId] : selected.filter((l) => l !== labelId)
    setSelected(labelIds)
    const v = await action.run(() =>
      api<ConversationView>('PUT', `/api/v1/conversations/${encodeURIComponent(c.id)}/labels`, { labelIds }),
    )
    if (v) live.upsertConversations([v])
    else setSelected(c.labels)
  }
  return (
    <fieldset className="popover">
      <legend>Labels</legend>
      {labels && labels.length === 0 ? <p className="muted">No labels yet; an admin creates them.</p> : null}
      {(labels ?? []).map((l) => (
        <label key={l.id} className="inline label-chip">
          <input
            type="checkbox"
            checked={selected.includes(l.id)}
            disabled={action.busy}
            onChange={(e) => set(l.id, e.target.checked)}
          />{' '}
          {l.name}
        </label>
      ))}
      <ErrorNote error={action.error} />
    </fieldset>
  )
}
