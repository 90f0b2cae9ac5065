import { type FormEvent, useState } from 'react'
import { api } from '../api.js'
import { Enrolment, RecoveryCodes } from '../auth/mfa.js'
import type { MfaEnrolment, MfaStatus } from '../types.js'
import { ErrorNote, ScreenTitle, TextInput, useAction, useLoad } from '../ui/ui.js'

/**
 * The signed-in agent's two-step sign-in: set up an authenticator app (recovery codes shown
 * once), get new recovery codes, or turn it off (unless the organisation requires it).
 */
export function SecurityScreen() {
  const status = useLoad(() => api<MfaStatus>('GET', '/api/v1/account/mfa'), [])
  const [enrolling, setEnrolling] = useState(false)
  // The password again before a new authenticator: a session left open is not enough.
  const [password, setPassword] = useState<string | null>(null)
  const [passwordError, setPasswordError] = useState<string | null>(null)
  const s = status.data
  return (
    <div className="screen">
      <ScreenTitle>Account security</ScreenTitle>
      <ErrorNote error={status.error} />
      {s === null ? null : enrolling && password === null ? (
        <PasswordAgain
          error={passwordError}
          onPassword={setPassword}
          onCancel={() => {
            setEnrolling(false)
            setPasswordError(null)
          }}
        />
      ) : enrolling && password !== null ? (
        <section className="card-section" aria-label="Set up two-step sign-in">
          <Enrolment
            start={() => api<MfaEnrolment>('POST', '/api/v1/account/mfa/enrol', { password })}
            confirm={async (code) =>
              (await api<{ recoveryCodes: string[] }>('POST', '/api/v1/account/mfa/confirm', { code }))
                .recoveryCodes
            }
            onDone={() => {
              setEnrolling(false)
              setPassword(null)
              setPasswordError(null)
              status.reload()
            }}
            onFailedStart={(message) => {
              setPassword(null)
              setPasswordError(message)
            }}
          />
        </section>
      ) : s.enrolled ? (
        <Enrolled status={s} onChanged={status.reload} />
      ) : (
        <section className="card-section">
          <p role="status">
            Two-step sign-in is off: your password alone signs you in.
            {s.required ? ' Your organisation requires it: set it up now.' : ''}
          </p>
          <button type="button" className="primary" onClick={() => setEnrolling(true)}>
            Set up an authenticator app
          </button>
        </section>
      )}
    </div>
  )
}

function PasswordAgain({
  error,
  onPassword,
  onCancel,
}: {
  error: string | null
  onPassword: (p: string) => void
  onCancel: () => void
}) {
  const [value, setValue] = useState('')
  return (
    <form
      className="card-section"
      onSubmit={(e) => {
        e.preventDefault()
        onPassword(value)
      }}
    >
      <TextInput
        label="Your password, to confirm it is you"
        type="password"
        required
        autoComplete="current-password"
        value={value}
        onChange={setValue}
      />
      <button type="submit" className="primary">
        Continue
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <ErrorNote error={error} />
    </form>
  )
}

function Enrolled({ status, onChanged }: { status: MfaStatus; onChanged: () => void }) {
  const [code, setCode] = useState('')
  const [codes, setCodes] = useState<string[] | null>(null)
  const action = useAction()
  if (codes)
    return (
      <RecoveryCodes
        codes={codes}
        onDone={() => {
          setCodes(null)
          onChanged()
        }}
      />
    )
  const renew = async (e: FormEvent) => {
    e.preventDefault()
    const r = await action.run(() =>
      api<{ recoveryCodes: string[] }>('POST', '/api/v1/account/mfa/recovery-codes', { code: code.trim() }),
    )
    setCode('')
    if (r) setCodes(r.recoveryCodes)
  }
  const turnOff = async () => {
    const r = await action.run(() => api('POST', '/api/v1/account/mfa/disable', { code: code.trim() }))
    setCode('')
    if (r) onChanged()
  }
  return (
    <section className="card-section">
      <p role="status">
        {`Two-step sign-in is on${status.enrolledAt ? ` since ${new Date(status.enrolledAt).toLocaleDateString()}` : ''}. ${status.recoveryCodesLeft} of 10 recovery codes left.`}
      </p>
      <form onSubmit={renew}>
        <TextInput
          label="Current code (to change anything here)"
          required
          autoComplete="one-time-code"
          maxLength={32}
          value={code}
          onChange={setCode}
        />
        <button type="submit" disabled={action.busy}>
          New recovery codes
        </button>{' '}
        {status.required ? (
          <span className="muted">Your organisation requires two-step sign-in: it cannot be turned off.</span>
        ) : (
          <button type="button" className="danger" disabled={action.busy || !code.trim()} onClick={turnOff}>
            Turn off two-step sign-in
          </button>
        )}
        <ErrorNote error={action.error} />
      </form>
    </section>
  )
}
