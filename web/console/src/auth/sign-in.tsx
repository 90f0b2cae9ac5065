import { type FormEvent, useState } from 'react'
import { api } from '../api.js'
import type { Me, MfaStep } from '../types.js'
import { ErrorNote, ScreenTitle, TextInput, useAction } from '../ui/ui.js'
import { SecondFactor } from './mfa.js'

/**
 * Email and password; the server sets the session cookie (HttpOnly, SameSite=Strict), or asks
 * for the second step first (a code, or enrolment when the organisation requires MFA).
 */
export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [step, setStep] = useState<MfaStep | null>(null)
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const r = await action.run(() => api<Me | MfaStep>('POST', '/api/v1/auth/login', { email, password }))
    setPassword('')
    if (r && 'mfa' in r) setStep(r)
    else if (r) onSignedIn(r)
  }
  if (step) {
    return (
      <main className="card" id="main">
        <ScreenTitle>Sign in to Parley</ScreenTitle>
        <SecondFactor step={step} onSignedIn={onSignedIn} onCancel={() => setStep(null)} />
      </main>
    )
  }
  return (
    <main className="card" id="main">
      <ScreenTitle>Sign in to Parley</ScreenTitle>
      <form onSubmit={submit}>
        <TextInput
          label="Email"
          type="email"
          required
          autoComplete="username"
          value={email}
          onChange={setEmail}
        />
        <TextInput
          label="Password"
          type="password"
          required
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
        />
        <button type="submit" className="primary" disabled={action.busy}>
          Sign in
        </button>
        <ErrorNote error={action.error} />
      </form>
    </main>
  )
}
