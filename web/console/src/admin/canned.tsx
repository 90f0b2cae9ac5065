import { type FormEvent, useState } from 'react'
import { api } from '../api.js'
import { refresh, useDirectory } from '../app/directory.js'
import type { Canned } from '../types.js'
import { ConfirmButton, ErrorNote, ScreenTitle, TextArea, TextInput, useAction } from '../ui/ui.js'

type Draft = Omit<Canned, 'id'>
const EMPTY: Draft = { shortcut: '', title: '', body: '' }

/** Canned responses (offered in the composer on `/shortcut`) and the labels agents put on conversations. */
export function CannedScreen() {
  const canned = useDirectory('canned')
  return (
    <div className="screen">
      <ScreenTitle>Canned responses</ScreenTitle>
      <ul className="plain">
        {(canned ?? []).map((c) => (
          <li key={c.id}>
            <CannedEditor item={c} />
          </li>
        ))}
      </ul>
      <CannedEditor item={null} />
      <LabelsSection />
    </div>
  )
}

function CannedEditor({ item }: { item: Canned | null }) {
  const [draft, setDraft] = useState<Draft>(item ?? EMPTY)
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const ok = await action.run(() =>
      item
        ? api('PATCH', `/api/v1/canned-responses/${item.id}`, draft)
        : api('POST', '/api/v1/canned-responses', draft),
    )
    if (!ok) return
    if (!item) setDraft(EMPTY)
    refresh('canned')
  }
  const remove = async () => {
    if (item && (await action.run(() => api('DELETE', `/api/v1/canned-responses/${item.id}`))))
      refresh('canned')
  }
  const title = item ? `/${item.shortcut}` : 'New canned response'
  return (
    <form className="card-section" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="row">
        <TextInput
          label="Shortcut"
          hint="lowercase letters, digits, - and _"
          required
          pattern="[a-z0-9][a-z0-9_\-]{0,39}"
          value={draft.shortcut}
          onChange={(v) => setDraft({ ...draft, shortcut: v })}
        />
        <TextInput
          label="Title"
          required
          value={draft.title}
          onChange={(v) => setDraft({ ...draft, title: v })}
        />
      </div>
      <TextArea
        label="Text"
        required
        rows={3}
        value={draft.body}
        onChange={(v) => setDraft({ ...draft, body: v })}
      />
      <button type="submit" className="primary" disabled={action.busy}>
        {item ? 'Save' : 'Add canned response'}
      </button>{' '}
      {item ? (
        <ConfirmButton onConfirm={remove} disabled={action.busy}>
          Delete
        </ConfirmButton>
      ) : null}
      <ErrorNote error={action.error} />
    </form>
  )
}

function LabelsSection() {
  const labels = useDirectory('labels')
  const [name, setName] = useState('')
  const [color, setColor] = useState('#6b7280')
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!(await action.run(() => api('POST', '/api/v1/labels', { name, color })))) return
    setName('')
    refresh('labels')
  }
  const remove = async (id: string) => {
    if (await action.run(() => api('DELETE', `/api/v1/labels/${id}`))) refresh('labels')
  }
  return (
    <section aria-labelledby="labels-title" className="card-section">
      <h2 id="labels-title">Labels</h2>
      <ul className="plain">
        {(labels ?? []).map((l) => (
          <li key={l.id}>
            <span className="swatch" style={{ background: l.color }} aria-hidden="true" /> {l.name}{' '}
            <ConfirmButton onConfirm={() => remove(l.id)} disabled={action.busy}>
              {`Delete ${l.name}`}
            </ConfirmButton>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="row">
        <TextInput label="Label name" required value={name} onChange={setName} />
        <TextInput label="Colour" type="color" value={color} onChange={setColor} />
        <button type="submit" disabled={action.busy}>
          Add label
        </button>
      </form>
      <ErrorNote error={action.error} />
    </section>
  )
}
