import { type FormEvent, useState } from 'react'
import { api } from '../api.js'
import type { Me, MfaStep } from '../types.js'
import { ErrorNote, ScreenTitle, TextInput, useAction } from '../ui/ui.js'
import { SecondFactor } from './mfa.js'

// The one-time token travels in the URL fragment, which browsers never send to servers or put
// in a Referer; it is read once at load and removed from the address bar at once.
const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ''
if (token) history.replaceState(null, '', location.pathname)

/** Completes a setup link: the agent picks a password (and may correct name and email), then is signed in. */
export function Setup({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [step, setStep] = useState<MfaStep | null>(null)
  const [done, setDone] = useState(false)
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const r = await action.run(() =>
      api<Me | MfaStep>('POST', '/api/v1/auth/setup', {
        token,
        password,
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(email.trim() ? { email: email.trim() } : {}),
      }),
    )
    // The link is used up: with MFA, the second step follows; without a challenge, sign in again.
    if (r && 'mfa' in r) setStep(r)
    else if (r) onSignedIn(r)
  }
  if (step || done) {
    return (
      <main className="card" id="main">
        <ScreenTitle>Set up your Parley account</ScreenTitle>
        {step ? (
          <SecondFactor
            step={step}
            onSignedIn={onSignedIn}
            onCancel={() => {
              setStep(null)
              setDone(true)
            }}
          />
        ) : (
          <p role="status">
            Your password is saved. <a href="/console">Sign in</a> to continue.
          </p>
        )}
      </main>
    )
  }
  return (
    <main className="card" id="main">
      <ScreenTitle>Set up your Parley account</ScreenTitle>
      {token ? null : (
        <p className="error" role="alert">
          This page needs the setup link you were given; open that link again.
        </p>
      )}
      <form onSubmit={submit}>
        <TextInput label="Your name" autoComplete="name" value={name} onChange={setName} />
        <TextInput
          label="Email (used to sign in)"
          type="email"
          autoComplete="email"
          value={email}
          onChange={setEmail}
        />
        <TextInput
          label="Password (12 characters or more)"
          type="password"
          minLength={12}
          required
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
        />
        <button type="submit" className="primary" disabled={action.busy || !token}>
          Save and sign in
        </button>
        <ErrorNote error={action.error} />
      </form>
    </main>
  )
}
