import { type FormEvent, useState } from 'react'
import { api } from '../api.js'
import type { SecureFormKind, SecureFormView } from '../types.js'
import { ErrorNote, Field, formatTime, TextInput, useAction, useLoad } from '../ui/ui.js'

export const KIND_NAMES: Record<SecureFormKind, string> = {
  card: 'Card',
  bank_account: 'Bank account',
  custom: 'Custom',
}

/**
 * Asks the visitor to fill in a secure form: the values go from the visitor's browser to the
 * tenant's destination and never through the chat; the console only sees the form's status.
 */
export function SecureForms({ conversationId }: { conversationId: string }) {
  const path = `/api/v1/conversations/${encodeURIComponent(conversationId)}/secure-forms`
  const forms = useLoad(() => api<{ items: SecureFormView[] }>('GET', path).then((r) => r.items), [path])
  const [kind, setKind] = useState<SecureFormKind>('card')
  const [label, setLabel] = useState('')
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const form = await action.run(() =>
      api<SecureFormView>('POST', path, { kind, ...(label.trim() ? { label: label.trim() } : {}) }),
    )
    if (!form) return
    setLabel('')
    forms.reload()
  }
  return (
    <form className="popover" aria-label="Secure form" onSubmit={submit}>
      <div className="row">
        <Field label="Form">
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as SecureFormKind)}>
              {Object.entries(KIND_NAMES).map(([k, name]) => (
                <option key={k} value={k}>
                  {name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextInput label="Label (optional)" maxLength={80} value={label} onChange={setLabel} />
        <button type="submit" className="primary" disabled={action.busy}>
          Send form
        </button>
      </div>
      <ErrorNote error={action.error ?? forms.error} />
      {forms.data && forms.data.length > 0 ? (
        <ul className="plain forms">
          {forms.data.map((f) => (
            <li key={f.id}>
              {KIND_NAMES[f.kind]}
              {f.label ? ` “${f.label}”` : ''}: <strong>{f.status}</strong>{' '}
              <span className="muted">(asked {formatTime(f.createdAt)})</span>
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  )
}
