import { type FormEvent, useState } from 'react'
import { api } from '../api.js'
import { refresh, useDirectory } from '../app/directory.js'
import { useLive, useLiveClient } from '../app/live-context.js'
import type { Agent, Role, SetupLink, Team } from '../types.js'
import {
  ConfirmButton,
  CopyField,
  ErrorNote,
  Field,
  ScreenTitle,
  Table,
  TextInput,
  useAction,
  useLoad,
} from '../ui/ui.js'

/** Agents (invite with a one-time setup link, disable, new link) and teams (members). */
export function AgentsScreen() {
  const agents = useDirectory('agents')
  const teams = useDirectory('teams')
  return (
    <div className="screen">
      <ScreenTitle>Agents and teams</ScreenTitle>
      <MfaPolicy />
      <AgentTable agents={agents ?? []} />
      <InviteAgent />
      <h2>Teams</h2>
      {(teams ?? []).map((t) => (
        <TeamCard key={t.id} team={t} agents={agents ?? []} />
      ))}
      <NewTeam />
    </div>
  )
}

function AgentTable({ agents }: { agents: Agent[] }) {
  const me = useLiveClient().me
  const { presence } = useLive()
  const action = useAction()
  const [link, setLink] = useState<{ name: string; link: SetupLink } | null>(null)
  const update = (a: Agent, body: Partial<Pick<Agent, 'disabled' | 'role'>>) =>
    action.run(async () => {
      await api('PATCH', `/api/v1/agents/${a.id}`, body)
      refresh('agents')
    })
  const resetMfa = (a: Agent) =>
    action.run(async () => {
      await api('POST', `/api/v1/agents/${a.id}/mfa/reset`)
      refresh('agents')
    })
  const newLink = async (a: Agent) => {
    const r = await action.run(() => api<SetupLink>('POST', `/api/v1/agents/${a.id}/setup-link`))
    if (r) setLink({ name: a.name, link: r })
  }
  return (
    <section aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      <Table columns={['Name', 'Email', 'Role', 'Status', 'Two-step sign-in', 'Actions']}>
        {agents.map((a) => (
          <tr key={a.id} className={a.disabled ? 'disabled' : ''}>
            <td>{a.name}</td>
            <td>{a.email}</td>
            <td>
              <select
                aria-label={`Role of ${a.name}`}
                value={a.role}
                disabled={a.id === me.agentId || action.busy}
                onChange={(e) => update(a, { role: e.target.value as Role })}
              >
                <option value="agent">agent</option>
                <option value="admin">admin</option>
              </select>
            </td>
            <td>
              {a.disabled
                ? 'disabled'
                : !a.passwordSet
                  ? 'invited'
                  : (presence.get(a.id)?.status ?? a.status)}
            </td>
            <td>{a.mfaEnrolled ? 'on' : 'off'}</td>
            <td>
              {a.id === me.agentId ? (
                <span className="muted">you</span>
              ) : (
                <>
                  <button
                    type="button"
                    disabled={action.busy}
                    onClick={() => update(a, { disabled: !a.disabled })}
                  >
                    {a.disabled ? `Enable ${a.name}` : `Disable ${a.name}`}
                  </button>{' '}
                  <button type="button" disabled={action.busy} onClick={() => newLink(a)}>
                    New setup link
                  </button>
                  {a.mfaEnrolled ? (
                    <>
                      {' '}
                      <ConfirmButton disabled={action.busy} onConfirm={() => resetMfa(a)}>
                        {`Reset two-step sign-in of ${a.name}`}
                      </ConfirmButton>
                    </>
                  ) : null}
                </>
              )}
            </td>
          </tr>
        ))}
      </Table>
      <ErrorNote error={action.error} />
      {link ? <LinkNote name={link.name} link={link.link} /> : null}
    </section>
  )
}

/** The tenant's rule: every agent needs two-step sign-in (the admin sets theirs up first). */
function MfaPolicy() {
  const policy = useLoad(() => api<{ required: boolean }>('GET', '/api/v1/security/mfa-policy'), [])
  const action = useAction()
  const set = async (required: boolean) => {
    const r = await action.run(() =>
      api<{ required: boolean }>('PUT', '/api/v1/security/mfa-policy', { required }),
    )
    if (r) {
      policy.setData(r)
      refresh('agents')
    }
  }
  return (
    <section className="card-section" aria-labelledby="mfa-policy-title">
      <h2 id="mfa-policy-title">Two-step sign-in</h2>
      <label className="inline">
        <input
          type="checkbox"
          checked={policy.data?.required ?? false}
          disabled={action.busy || policy.data === null}
          onChange={(e) => set(e.target.checked)}
        />{' '}
        Require two-step sign-in (MFA) for every agent
      </label>
      <p className="hint">
        Agents without it are signed out and set it up at their next sign-in. Set up your own first under
        Account security.
      </p>
      <ErrorNote error={action.error ?? policy.error} />
    </section>
  )
}

function LinkNote({ name, link }: { name: string; link: SetupLink }) {
  return (
    <div className="card-section" role="status">
      <CopyField
        label={`Setup link for ${name} (once, until ${new Date(link.setupExpiresAt).toLocaleString()})`}
        value={link.setupUrl}
      />
    </div>
  )
}

function InviteAgent() {
  const [form, setForm] = useState({ name: '', email: '', role: 'agent' as Role, capacity: 3 })
  const [link, setLink] = useState<{ name: string; link: SetupLink } | null>(null)
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const r = await action.run(() => api<SetupLink & { id: string }>('POST', '/api/v1/agents', form))
    if (!r) return
    setLink({ name: form.name, link: r })
    setForm({ ...form, name: '', email: '' })
    refresh('agents')
  }
  return (
    <form className="card-section" onSubmit={submit} aria-labelledby="invite-title">
      <h2 id="invite-title">Invite an agent</h2>
      <div className="row">
        <TextInput label="Name" required value={form.name} onChange={(v) => setForm({ ...form, name: v })} />
        <TextInput
          label="Email"
          type="email"
          required
          value={form.email}
          onChange={(v) => setForm({ ...form, email: v })}
        />
        <Field label="Role">
          {(p) => (
            <select
              {...p}
              value={form.role}
              onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
            >
              <option value="agent">agent</option>
              <option value="admin">admin</option>
            </select>
          )}
        </Field>
        <TextInput
          label="Chats at once"
          type="number"
          min={1}
          max={100}
          value={form.capacity}
          onChange={(v) => setForm({ ...form, capacity: Number(v) })}
        />
      </div>
      <button type="submit" className="primary" disabled={action.busy}>
        Invite
      </button>
      <ErrorNote error={action.error} />
      {link ? <LinkNote name={link.name} link={link.link} /> : null}
    </form>
  )
}

function Members({
  agents,
  value,
  onChange,
}: {
  agents: Agent[]
  value: string[]
  onChange: (ids: string[]) => void
}) {
  return (
    <fieldset className="members">
      <legend>Members</legend>
      {agents.map((a) => (
        <label key={a.id} className="inline">
          <input
            type="checkbox"
            checked={value.includes(a.id)}
            onChange={(e) => onChange(e.target.checked ? [...value, a.id] : value.filter((x) => x !== a.id))}
          />{' '}
          {a.name}
        </label>
      ))}
    </fieldset>
  )
}

function TeamCard({ team, agents }: { team: Team; agents: Agent[] }) {
  const [members, setMembers] = useState(team.agentIds)
  const action = useAction()
  const save = () =>
    action.run(async () => {
      await api('PATCH', `/api/v1/teams/${team.id}`, { agentIds: members })
      refresh('teams')
    })
  const remove = () =>
    action.run(async () => {
      await api('DELETE', `/api/v1/teams/${team.id}`)
      refresh('teams')
    })
  return (
    <section className="card-section" aria-label={`Team ${team.name}`}>
      <h3>{team.name}</h3>
      <Members agents={agents} value={members} onChange={setMembers} />
      <button type="button" onClick={save} disabled={action.busy}>
        Save members
      </button>{' '}
      <ConfirmButton onConfirm={remove} disabled={action.busy}>
        Delete team
      </ConfirmButton>
      <ErrorNote error={action.error} />
    </section>
  )
}

function NewTeam() {
  const agents = useDirectory('agents') ?? []
  const [name, setName] = useState('')
  const [members, setMembers] = useState<string[]>([])
  const action = useAction()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!(await action.run(() => api('POST', '/api/v1/teams', { name, agentIds: members })))) return
    setName('')
    setMembers([])
    refresh('teams')
  }
  return (
    <form className="card-section" onSubmit={submit} aria-labelledby="new-team">
      <h3 id="new-team">New team</h3>
      <TextInput label="Team name" required value={name} onChange={setName} />
      <Members agents={agents} value={members} onChange={setMembers} />
      <button type="submit" className="primary" disabled={action.busy}>
        Create team
      </button>
      <ErrorNote error={action.error} />
    </form>
  )
}
