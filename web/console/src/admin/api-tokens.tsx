import { type FormEvent, useState } from 'react'
import {
  API_SCOPES,
  type ApiScope,
  SCOPE_SUMMARIES,
  TOKEN_DEFAULT_DAYS,
  TOKEN_MAX_DAYS,
} from '../../../../src/identity/api-scopes.js'
import type { ApiTokenView } from '../../../../src/identity/api-tokens.schema.js'
import { api } from '../api.js'
import {
  ConfirmButton,
  CopyField,
  ErrorNote,
  formatTime,
  ScreenTitle,
  Table,
  TextInput,
  useAction,
  useLoad,
} from '../ui/ui.js'

/**
 * API tokens for integrations: scopes, expiry, last use and status; create one (its secret is
 * shown once, here, and never again), revoke it, suspend it with a reason or lift a suspension.
 */
export function ApiTokensScreen() {
  const list = useLoad(() => api<{ items: ApiTokenView[] }>('GET', '/api/v1/api-tokens'), [])
  return (
    <div className="screen">
      <ScreenTitle>API tokens</ScreenTitle>
      <p>
        Integrations call the REST API with <code>Authorization: Bearer parley_…</code>. A token reaches only
        your tenant and only the routes its scopes name; it cannot sign in, open the console or manage tokens.
      </p>
      <ErrorNote error={list.error} />
      <TokenTable tokens={list.data?.items ?? []} onChanged={list.reload} />
      <NewToken onCreated={list.reload} />
    </div>
  )
}

function TokenTable({ tokens, onChanged }: { tokens: ApiTokenView[]; onChanged: () => void }) {
  const action = useAction()
  const act = (t: ApiTokenView, step: 'revoke' | 'suspend' | 'unsuspend', body?: unknown) =>
    action.run(async () => {
      await api('POST', `/api/v1/api-tokens/${t.id}/${step}`, body)
      onChanged()
    })
  if (tokens.length === 0) return <p>No API tokens yet.</p>
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">Tokens</h2>
      <Table columns={['Name', 'Scopes', 'Status', 'Expires', 'Last used', 'Actions']} label="API tokens">
        {tokens.map((t) => (
          <tr key={t.id} className={t.status === 'active' ? '' : 'disabled'}>
            <td>{t.name}</td>
            <td>{t.scopes.join(', ')}</td>
            <td>
              {t.status}
              {t.status === 'suspended' && t.suspendedReason ? (
                <div className="muted">
                  {t.suspendedBy === 'system' ? 'by an alert response: ' : ''}
                  {t.suspendedReason}
                </div>
              ) : null}
            </td>
            <td>{formatTime(t.expiresAt)}</td>
            <td>{t.lastUsedAt ? `${formatTime(t.lastUsedAt)} from ${t.lastUsedIp ?? '?'}` : 'never'}</td>
            <td>
              {t.status === 'revoked' ? null : (
                <>
                  {t.status === 'suspended' ? (
                    <button type="button" disabled={action.busy} onClick={() => act(t, 'unsuspend')}>
                      {`Unsuspend ${t.name}`}
                    </button>
                  ) : (
                    <SuspendButton
                      name={t.name}
                      busy={action.busy}
                      onSuspend={(reason) => act(t, 'suspend', { reason })}
                    />
                  )}{' '}
                  <ConfirmButton disabled={action.busy} onConfirm={() => act(t, 'revoke')}>
                    {`Revoke ${t.name}`}
                  </ConfirmButton>
                </>
              )}
            </td>
          </tr>
        ))}
      </Table>
      <ErrorNote error={action.error} />
    </section>
  )
}

/** Suspending asks why, in place: the reason is kept with the token and shown here. */
function SuspendButton({
  name,
  busy,
  onSuspend,
}: {
  name: string
  busy: boolean
  onSuspend: (reason: string) => void
}) {
  const [asking, setAsking] = useState(false)
  const [reason, setReason] = useState('')
  if (!asking)
    return (
      <button type="button" disabled={busy} onClick={() => setAsking(true)}>
        {`Suspend ${name}`}
      </button>
    )
  const submit = (e: FormEvent) => {
    e.preventDefault()
    onSuspend(reason.trim())
    setAsking(false)
    setReason('')
  }
  return (
    <form className="inline" onSubmit={submit} aria-label={`Suspend ${name}`}>
      <TextInput label="Reason" required maxLength={500} value={reason} onChange={setReason} />
      <button type="submit" className="danger" disabled={busy || !reason.trim()}>
        Suspend
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </form>
  )
}

function NewToken({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<ApiScope[]>([])
  const [days, setDays] = useState(TOKEN_DEFAULT_DAYS)
  const [created, setCreated] = useState<{ name: string; secret: string; expiresAt: string } | null>(null)
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const r = await action.run(() =>
      api<ApiTokenView & { secret: string }>('POST', '/api/v1/api-tokens', {
        name,
        scopes,
        expiresInDays: days,
      }),
    )
    if (!r) return
    setCreated({ name: r.name, secret: r.secret, expiresAt: r.expiresAt })
    setName('')
    setScopes([])
    setDays(TOKEN_DEFAULT_DAYS)
    onCreated()
  }
  return (
    <form className="card-section" onSubmit={submit} aria-labelledby="new-token">
      <h2 id="new-token">New API token</h2>
      <TextInput label="Name" required maxLength={120} value={name} onChange={setName} />
      <fieldset>
        <legend>Scopes</legend>
        {API_SCOPES.map((s) => (
          <div key={s}>
            <label className="inline">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
              />{' '}
              {SCOPE_SUMMARIES[s]} (<code>{s}</code>)
            </label>
          </div>
        ))}
      </fieldset>
      <TextInput
        label="Expires after (days)"
        hint={`1 to ${TOKEN_MAX_DAYS}`}
        type="number"
        min={1}
        max={TOKEN_MAX_DAYS}
        required
        value={days}
        onChange={(v) => setDays(Number(v))}
      />
      <button type="submit" className="primary" disabled={action.busy || scopes.length === 0}>
        Create token
      </button>
      <ErrorNote error={action.error} />
      {created ? (
        <div className="card-section" role="status">
          <CopyField
            label={`Secret of ${created.name} (shown only now; valid until ${formatTime(created.expiresAt)})`}
            value={created.secret}
          />
          <button type="button" onClick={() => setCreated(null)}>
            I have stored it
          </button>
        </div>
      ) : null}
    </form>
  )
}
