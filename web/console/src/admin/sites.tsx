import { type FormEvent, useState } from 'react'
import { api } from '../api.js'
import type { Site } from '../types.js'
import {
  ConfirmButton,
  CopyField,
  ErrorNote,
  ScreenTitle,
  TextArea,
  TextInput,
  useAction,
  useLoad,
} from '../ui/ui.js'

export const loadSites = () => api<{ items: Site[] }>('GET', '/api/v1/sites').then((r) => r.items)

const origins = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((o) => o.trim())
    .filter(Boolean)

/** Sites with their widget snippet (Subresource Integrity included) and the origins allowed to embed it. */
export function SitesScreen() {
  const sites = useLoad(loadSites, [])
  const [name, setName] = useState('')
  const [allowed, setAllowed] = useState('')
  const create = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const site = await create.run(() =>
      api<Site>('POST', '/api/v1/sites', { name, allowedOrigins: origins(allowed) }),
    )
    if (!site) return
    setName('')
    setAllowed('')
    sites.reload()
  }
  return (
    <div className="screen">
      <ScreenTitle>Sites</ScreenTitle>
      <ErrorNote error={sites.error} />
      {(sites.data ?? []).map((s) => (
        <SiteCard key={s.id} site={s} onChange={sites.reload} />
      ))}
      <form className="card-section" onSubmit={submit} aria-labelledby="new-site">
        <h2 id="new-site">New site</h2>
        <TextInput label="Name" required value={name} onChange={setName} />
        <TextArea
          label="Allowed origins"
          hint="One per line, e.g. https://shop.example.com"
          required
          rows={2}
          value={allowed}
          onChange={setAllowed}
        />
        <button type="submit" className="primary" disabled={create.busy}>
          Create site
        </button>
        <ErrorNote error={create.error} />
      </form>
    </div>
  )
}

function SiteCard({ site, onChange }: { site: Site; onChange: () => void }) {
  const [allowed, setAllowed] = useState(site.allowedOrigins.join('\n'))
  const action = useAction()
  const save = async (e: FormEvent) => {
    e.preventDefault()
    if (
      await action.run(() => api('PATCH', `/api/v1/sites/${site.id}`, { allowedOrigins: origins(allowed) }))
    )
      onChange()
  }
  const remove = async () => {
    if (await action.run(() => api('DELETE', `/api/v1/sites/${site.id}`))) onChange()
  }
  return (
    <section className="card-section" aria-labelledby={`site-${site.id}`}>
      <h2 id={`site-${site.id}`}>{site.name}</h2>
      <CopyField label="Widget snippet (paste before </body>)" value={site.snippet} multiline />
      <form onSubmit={save}>
        <TextArea
          label="Allowed origins"
          hint="Pages on other origins cannot open the widget."
          rows={2}
          value={allowed}
          onChange={setAllowed}
        />
        <button type="submit" disabled={action.busy}>
          Save origins
        </button>{' '}
        <ConfirmButton onConfirm={remove} disabled={action.busy}>
          Delete site
        </ConfirmButton>
      </form>
      <ErrorNote error={action.error} />
    </section>
  )
}
