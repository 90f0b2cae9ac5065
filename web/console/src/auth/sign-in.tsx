import { type FormEvent, useState } from 'react'
import { api } from '../api.js'
import type { Me } from '../types.js'
import { ErrorNote, ScreenTitle, TextInput, useAction } from '../ui/ui.js'

/** Email and password; the server sets the session cookie (HttpOnly, SameSite=Strict). */
export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const me = await action.run(() => api<Me>('POST', '/api/v1/auth/login', { email, password }))
    if (me) onSignedIn(me)
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
