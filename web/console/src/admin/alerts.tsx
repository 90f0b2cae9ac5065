import { type FormEvent, useState } from 'react'
import { RESPONSE_CHOICES, type ResponsePolicy } from '../../../../src/watch/response-policy.js'
import { api } from '../api.js'
import { useLive, useLiveClient } from '../app/live-context.js'
import type { AlertSummary, StoredAlert } from '../types.js'
import {
  ErrorNote,
  Field,
  formatTime,
  ScreenTitle,
  TextArea,
  TextInput,
  useAction,
  useLoad,
} from '../ui/ui.js'

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v))

/** The banner's view of a stored alert (the same fields the `alert` frame carries). */
export function summarizeAlert(a: StoredAlert): AlertSummary {
  const diagnosis = (a.alert.diagnosis ?? {}) as Record<string, unknown>
  return {
    id: a.id,
    state: a.state,
    signal: str(a.alert.signal),
    severity: str(a.alert.severity),
    cause: str(diagnosis.cause),
    recommendation: str(a.alert.recommendation),
  }
}

/** Anomaly alerts and their lifecycle: mark expected, escalate to an incident, resolve. */
export function AlertsScreen() {
  const live = useLiveClient()
  const { alerts: liveAlerts } = useLive()
  // A live alert frame (new or changed) reloads the list.
  const list = useLoad(async () => {
    const r = await api<{ items: StoredAlert[] }>('GET', '/api/v1/alerts?limit=100')
    live.setAlerts(r.items.map(summarizeAlert))
    return r.items
  }, [[...liveAlerts.values()].map((a) => a.id + a.state).join()])
  return (
    <div className="screen">
      <ScreenTitle>Alerts</ScreenTitle>
      <ResponsePolicyPanel />
      <ErrorNote error={list.error} />
      {list.data && list.data.length === 0 ? (
        <p>No alerts. Parley tells you here when traffic looks unusual.</p>
      ) : null}
      <ul className="plain">
        {(list.data ?? []).map((a) => (
          <li key={a.id}>
            <AlertCard a={a} onChanged={list.reload} />
          </li>
        ))}
      </ul>
    </div>
  )
}

function AlertCard({ a, onChanged }: { a: StoredAlert; onChanged: () => void }) {
  const s = summarizeAlert(a)
  const diagnosis = (a.alert.diagnosis ?? {}) as Record<string, unknown>
  const evidence = Array.isArray(diagnosis.evidence) ? diagnosis.evidence.map(str) : []
  const [step, setStep] = useState<'acknowledge' | 'escalate' | 'resolve' | null>(null)
  return (
    <section className={`card-section alert-card ${a.state}`} aria-label={`Alert ${s.signal}`}>
      <h2>
        {s.signal} <span className={`severity ${s.severity}`}>{s.severity}</span>{' '}
        <span className="state">{a.state}</span>
      </h2>
      <p>
        <strong>Likely cause:</strong> {s.cause || 'unknown'}
        {a.alert.detectedAt ? ` · detected ${formatTime(str(a.alert.detectedAt))}` : ''}
      </p>
      {evidence.length > 0 ? (
        <ul>
          {evidence.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      ) : null}
      <p>{s.recommendation}</p>
      {a.record.note ? <p className="muted">Note: {str(a.record.note)}</p> : null}
      <Responses record={a.record} />
      {a.state !== 'resolved' ? (
        <div className="action-buttons">
          {a.state === 'open' ? (
            <button
              type="button"
              aria-expanded={step === 'acknowledge'}
              onClick={() => setStep('acknowledge')}
            >
              Mark expected
            </button>
          ) : null}
          {a.state !== 'escalated' ? (
            <button type="button" aria-expanded={step === 'escalate'} onClick={() => setStep('escalate')}>
              Escalate
            </button>
          ) : null}
          <button type="button" aria-expanded={step === 'resolve'} onClick={() => setStep('resolve')}>
            Resolve
          </button>
        </div>
      ) : null}
      {step ? <LifecycleForm id={a.id} step={step} onDone={onChanged} /> : null}
    </section>
  )
}

const RESPONSE_TEXT: Record<string, string> = {
  throttle_widget: 'Throttled new widget chats from',
  suspend_agent: 'Suspended agent',
  lock_accounts: 'Locked sign-in of',
  suspend_token: 'Suspended API token',
  require_step_up: 'Required an MFA step-up of every session of agent',
}

/** What Parley did on its own for this alert (the tenant's automatic-response policy). */
function Responses({ record }: { record: StoredAlert['record'] }) {
  const done = Array.isArray(record.responses) ? (record.responses as Record<string, unknown>[]) : []
  if (done.length === 0) return null
  return (
    <ul aria-label="Automatic responses">
      {done.map((r) => (
        <li key={`${str(r.response)}:${str(r.target)}:${str(r.at)}`}>
          {RESPONSE_TEXT[str(r.response)] ?? str(r.response)} {str(r.target)}
          {typeof r.until === 'number' ? ` until ${formatTime(new Date(r.until).toISOString())}` : ''}
          {typeof r.note === 'string' ? ` (${r.note})` : ''}
        </li>
      ))}
    </ul>
  )
}

function LifecycleForm({
  id,
  step,
  onDone,
}: {
  id: string
  step: 'acknowledge' | 'escalate' | 'resolve'
  onDone: () => void
}) {
  const [note, setNote] = useState('')
  const [expectedAs, setExpectedAs] = useState<'campaign' | 'test' | 'other'>('campaign')
  const [hours, setHours] = useState(24)
  const [incident, setIncident] = useState('')
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const body =
      step === 'acknowledge'
        ? { expectedAs, note, expiresAt: new Date(Date.now() + hours * 3_600_000).toISOString() }
        : step === 'escalate'
          ? { incident, ...(note ? { note } : {}) }
          : note
            ? { note }
            : {}
    if (await action.run(() => api('POST', `/api/v1/alerts/${encodeURIComponent(id)}/${step}`, body)))
      onDone()
  }
  return (
    <form onSubmit={submit} className="popover">
      {step === 'acknowledge' ? (
        <div className="row">
          <Field label="Expected because of">
            {(p) => (
              <select
                {...p}
                value={expectedAs}
                onChange={(e) => setExpectedAs(e.target.value as typeof expectedAs)}
              >
                <option value="campaign">a campaign</option>
                <option value="test">a test</option>
                <option value="other">something else</option>
              </select>
            )}
          </Field>
          <TextInput
            label="For how many hours"
            type="number"
            min={1}
            max={720}
            value={hours}
            onChange={(v) => setHours(Number(v))}
          />
        </div>
      ) : null}
      {step === 'escalate' ? (
        <TextInput label="Incident reference" required value={incident} onChange={setIncident} />
      ) : null}
      <TextArea
        label={step === 'acknowledge' ? 'Note' : 'Note (optional)'}
        rows={2}
        required={step === 'acknowledge'}
        value={note}
        onChange={setNote}
      />
      <button type="submit" className="primary" disabled={action.busy}>
        {step === 'acknowledge' ? 'Mark expected' : step === 'escalate' ? 'Escalate' : 'Resolve'}
      </button>
      <ErrorNote error={action.error} />
    </form>
  )
}

/** What each automatic response does, in the words an admin reads. */
const CHOICE_LABELS: Record<string, string> = {
  off: 'Off: alert only',
  throttle_widget: 'Throttle the widget for the flooding network',
  lock_accounts: 'Lock sign-in for the accounts that failed',
  suspend_agent: 'Suspend the agent and end their sessions',
  require_step_up: 'Require an MFA code from the agent (suspend without MFA)',
  suspend_token: 'Suspend the API token',
}

/** The tenant's automatic responses: what Parley may do on its own when an alert opens. */
function ResponsePolicyPanel() {
  const loaded = useLoad(() => api<ResponsePolicy>('GET', '/api/v1/alerts/policy'), [])
  const [draft, setDraft] = useState<ResponsePolicy | null>(null)
  const [saved, setSaved] = useState(false)
  const action = useAction()
  const policy = draft ?? loaded.data
  if (!policy) return <ErrorNote error={loaded.error} />
  const edit = (next: ResponsePolicy) => {
    setDraft(next)
    setSaved(false)
  }
  const save = async (e: FormEvent) => {
    e.preventDefault()
    const stored = await action.run(() => api<ResponsePolicy>('PUT', '/api/v1/alerts/policy', policy))
    if (stored) {
      setDraft(stored)
      setSaved(true)
    }
  }
  return (
    <form className="card-section" aria-label="Automatic responses" onSubmit={save}>
      <h2>Automatic responses</h2>
      <p>
        Off by default. Each one acts as soon as an alert with that cause opens, and is listed on the alert.
      </p>
      {(Object.keys(RESPONSE_CHOICES) as (keyof typeof RESPONSE_CHOICES)[]).map((cause) => (
        <Field key={cause} label={RESPONSE_CHOICES[cause].label}>
          {(p) => (
            <select
              {...p}
              value={policy[cause]}
              onChange={(e) => edit({ ...policy, [cause]: e.target.value })}
            >
              {RESPONSE_CHOICES[cause].choices.map((c) => (
                <option key={c} value={c}>
                  {CHOICE_LABELS[c] ?? c}
                </option>
              ))}
            </select>
          )}
        </Field>
      ))}
      {policy.botFlood === 'throttle_widget' ? (
        <TextInput
          label="Throttle for (minutes)"
          hint="5 to 1440"
          type="number"
          min={5}
          max={1440}
          value={policy.throttleMinutes}
          onChange={(v) => edit({ ...policy, throttleMinutes: Number(v) })}
        />
      ) : null}
      <ErrorNote error={action.error} />
      <button type="submit" disabled={action.busy}>
        Save responses
      </button>
      {saved ? <span role="status"> Saved</span> : null}
    </form>
  )
}
