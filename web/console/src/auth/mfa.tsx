import { type FormEvent, useEffect, useRef, useState } from 'react'
import { api, messageOf, whenStepUpRequired } from '../api.js'
import type { Me, MfaEnrolment, MfaStep } from '../types.js'
import { CopyField, Dialog, ErrorNote, TextInput, useAction } from '../ui/ui.js'

/** The code field: a 6-digit code from the app, or a recovery code. */
function CodeInput({
  value,
  onChange,
  label,
}: {
  value: string
  onChange: (v: string) => void
  label?: string
}) {
  return (
    <TextInput
      label={label ?? 'Code from your authenticator app, or a recovery code'}
      required
      autoComplete="one-time-code"
      inputMode="text"
      spellCheck={false}
      maxLength={32}
      value={value}
      onChange={onChange}
    />
  )
}

/** Recovery codes, shown once: each works one time in place of a code from the app. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <section className="card-section" aria-labelledby="recovery-title">
      <h2 id="recovery-title">Save your recovery codes</h2>
      <p>
        Each code signs you in once if you lose your phone. Keep them somewhere safe: they are shown only now.
      </p>
      <ol className="recovery-codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <CopyField label="All recovery codes" value={codes.join('\n')} multiline />
      <button type="button" className="primary" onClick={onDone}>
        I have saved them
      </button>
    </section>
  )
}

/**
 * Adding an authenticator app: the secret and its otpauth:// link to type or paste into the
 * app, then a code from it to confirm. `confirm` returns the recovery codes, shown once.
 */
export function Enrolment({
  start,
  confirm,
  onDone,
  onFailedStart,
}: {
  start: () => Promise<MfaEnrolment>
  confirm: (code: string) => Promise<string[]>
  onDone: () => void
  /** Starting failed (a wrong password): the caller may ask again. */
  onFailedStart?: (message: string) => void
}) {
  const [enrolment, setEnrolment] = useState<MfaEnrolment | null>(null)
  const [codes, setCodes] = useState<string[] | null>(null)
  const [code, setCode] = useState('')
  const action = useAction()
  const [startError, setStartError] = useState<string | null>(null)
  const startRef = useRef(start)
  const onFailedRef = useRef(onFailedStart)
  // A new secret once per enrolment shown.
  useEffect(() => {
    let live = true
    startRef.current().then(
      (e) => live && setEnrolment(e),
      (e) => {
        if (!live) return
        setStartError(messageOf(e))
        onFailedRef.current?.(messageOf(e))
      },
    )
    return () => {
      live = false
    }
  }, [])
  if (codes) return <RecoveryCodes codes={codes} onDone={onDone} />
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const r = await action.run(() => confirm(code.trim()))
    if (r) setCodes(r)
    else setCode('')
  }
  return (
    <form onSubmit={submit} aria-label="Set up an authenticator app">
      <p>
        In your authenticator app (any TOTP app: 6 digits, every 30 seconds), add an account with this key, or
        paste the link into an app that accepts one. Then type the code it shows.
      </p>
      {enrolment ? (
        <>
          <CopyField label="Key" value={enrolment.secret.replace(/(.{4})/g, '$1 ').trim()} />
          <CopyField label="Link (otpauth)" value={enrolment.uri} />
        </>
      ) : (
        <p className="loading">Making a key…</p>
      )}
      <CodeInput label="Code from your authenticator app" value={code} onChange={setCode} />
      <button type="submit" className="primary" disabled={action.busy || !enrolment}>
        Confirm
      </button>
      <ErrorNote error={action.error ?? startError} />
    </form>
  )
}

/**
 * The second sign-in step after a correct password: a code (or recovery code) for an agent
 * with MFA, or enrolment first when the organisation requires MFA. No session exists before.
 */
export function SecondFactor({
  step,
  onSignedIn,
  onCancel,
}: {
  step: MfaStep
  onSignedIn: (me: Me) => void
  onCancel: () => void
}) {
  const [code, setCode] = useState('')
  const [signedIn, setSignedIn] = useState<Me | null>(null)
  const action = useAction()
  if (step.mfa === 'enrol') {
    return (
      <section aria-labelledby="mfa-title">
        <h2 id="mfa-title">Set up two-step sign-in</h2>
        <p>Your organisation requires a second step at sign-in. Set up an authenticator app to continue.</p>
        <Enrolment
          start={() => api<MfaEnrolment>('POST', '/api/v1/auth/mfa/enrol', { challenge: step.challenge })}
          confirm={async (c) => {
            const r = await api<Me & { recoveryCodes: string[] }>('POST', '/api/v1/auth/mfa/enrol/confirm', {
              challenge: step.challenge,
              code: c,
            })
            const { recoveryCodes, ...me } = r
            setSignedIn(me)
            return recoveryCodes
          }}
          onDone={() => (signedIn ? onSignedIn(signedIn) : onCancel())}
        />
        <button type="button" onClick={onCancel}>
          Back to sign-in
        </button>
      </section>
    )
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const me = await action.run(() =>
      api<Me>('POST', '/api/v1/auth/mfa', { challenge: step.challenge, code: code.trim() }),
    )
    if (me) onSignedIn(me)
    else setCode('')
  }
  return (
    <form onSubmit={submit} aria-labelledby="mfa-title">
      <h2 id="mfa-title">Two-step sign-in</h2>
      <CodeInput value={code} onChange={setCode} />
      <button type="submit" className="primary" disabled={action.busy}>
        Verify
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Back to sign-in
      </button>
      <ErrorNote error={action.error} />
    </form>
  )
}

/**
 * The step-up prompt: when the server answers PARLEY_ERR_STEP_UP_REQUIRED (or the live socket
 * closes with 4005), a dialog asks for a current code; the waiting calls go on once it passed.
 */
export function StepUpPrompt() {
  const [waiting, setWaiting] = useState<((ok: boolean) => void)[] | null>(null)
  const [code, setCode] = useState('')
  const action = useAction()
  const settleRef = useRef<(ok: boolean) => void>(() => {})
  useEffect(() => {
    // One prompt for every call that needs it meanwhile.
    let pending: ((ok: boolean) => void)[] | null = null
    whenStepUpRequired(
      () =>
        new Promise<boolean>((resolve) => {
          if (pending) pending.push(resolve)
          else pending = [resolve]
          setWaiting([...pending])
        }),
    )
    const settle = (ok: boolean) => {
      for (const r of pending ?? []) r(ok)
      pending = null
      setWaiting(null)
      setCode('')
    }
    settleRef.current = settle
    return () => {
      whenStepUpRequired(null)
      settle(false)
    }
  }, [])
  if (!waiting) return null
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const ok = await action.run(() => api('POST', '/api/v1/auth/step-up', { code: code.trim() }))
    if (ok) settleRef.current(true)
    else setCode('')
  }
  return (
    <Dialog title="Verify it's you" onClose={() => settleRef.current(false)}>
      <form onSubmit={submit}>
        <p>To see transcripts again, enter a current code from your authenticator app.</p>
        <CodeInput value={code} onChange={setCode} />
        <button type="submit" className="primary" disabled={action.busy}>
          Verify
        </button>{' '}
        <button type="button" onClick={() => settleRef.current(false)}>
          Cancel
        </button>
        <ErrorNote error={action.error} />
      </form>
    </Dialog>
  )
}
