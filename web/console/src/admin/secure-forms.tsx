import { type FormEvent, useState } from 'react'
import { api } from '../api.js'
import { KIND_NAMES } from '../conversation/secure-form.js'
import type { SecureFormConfig, SecureFormKind } from '../types.js'
import { CopyField, ErrorNote, ScreenTitle, TextInput, useAction, useLoad } from '../ui/ui.js'

/** Where secure forms go (an https endpoint of the tenant's) and which kinds agents may ask for. */
export function SecureFormsScreen() {
  const loaded = useLoad(() => api<SecureFormConfig>('GET', '/api/v1/secure-forms/config'), [])
  return (
    <div className="screen">
      <ScreenTitle>Secure forms</ScreenTitle>
      <p>
        Agents can ask a visitor to type card or bank details into a form that sends them straight to your
        endpoint, signed like a webhook: the values never pass through the chat or Parley's storage.
      </p>
      <ErrorNote error={loaded.error} />
      {loaded.data ? <ConfigForm initial={loaded.data} /> : null}
    </div>
  )
}

function ConfigForm({ initial }: { initial: SecureFormConfig }) {
  const [url, setUrl] = useState(initial.url ?? '')
  const [kinds, setKinds] = useState<SecureFormKind[]>(initial.kinds)
  const [customLabel, setCustomLabel] = useState(initial.customLabel ?? '')
  const [rotate, setRotate] = useState(false)
  const [saved, setSaved] = useState<SecureFormConfig | null>(null)
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const r = await action.run(() =>
      api<SecureFormConfig>('PUT', '/api/v1/secure-forms/config', {
        url,
        kinds,
        customLabel: customLabel.trim() || null,
        ...(rotate ? { rotateSecret: true } : {}),
      }),
    )
    if (!r) return
    setSaved(r)
    setRotate(false)
  }
  return (
    <form className="card-section" onSubmit={submit} aria-label="Secure form settings">
      <TextInput
        label="Destination URL"
        hint="https, on a public address; each submission is POSTed here with an X-Parley-Signature header"
        type="url"
        required
        value={url}
        onChange={setUrl}
      />
      <fieldset>
        <legend>Forms agents may send</legend>
        {(Object.keys(KIND_NAMES) as SecureFormKind[]).map((k) => (
          <label key={k} className="inline">
            <input
              type="checkbox"
              checked={kinds.includes(k)}
              onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))}
            />{' '}
            {KIND_NAMES[k]}
          </label>
        ))}
      </fieldset>
      <TextInput
        label="Label of the custom form"
        maxLength={80}
        value={customLabel}
        onChange={setCustomLabel}
      />
      {initial.configured ? (
        <label className="inline">
          <input type="checkbox" checked={rotate} onChange={(e) => setRotate(e.target.checked)} /> Make a new
          signing secret
        </label>
      ) : null}
      <div>
        <button type="submit" className="primary" disabled={action.busy}>
          Save
        </button>
      </div>
      <ErrorNote error={action.error} />
      {saved ? (
        <div role="status">
          <p>Saved.</p>
          {saved.secret ? (
            <CopyField
              label="Signing secret (shown this once: keep it with your endpoint)"
              value={saved.secret}
            />
          ) : null}
        </div>
      ) : null}
    </form>
  )
}
