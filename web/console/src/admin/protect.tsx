import { useState } from 'react'
import { BUILTIN_TYPES as CATEGORIES } from '../../../../src/protect/types.js'
import { api } from '../api.js'
import { ErrorNote, Field, ScreenTitle, Table, TextArea, TextInput, useAction, useLoad } from '../ui/ui.js'

// Tokenize needs the vault; a server without one refuses it, and its message is shown.
const MODES = ['remove', 'mask', 'tokenize', 'keep'] as const
type Mode = (typeof MODES)[number]
type ModeSpec = Mode | { mode: Mode; keepLast?: number }
interface Pattern {
  name: string
  pattern: string
  flags?: string
  test: string
  mode?: ModeSpec
}
interface Policy {
  version: 1
  default?: ModeSpec
  categories?: Partial<Record<string, ModeSpec>>
  phoneRegions?: string[]
  customPatterns?: Pattern[]
}
interface DryRun {
  text: string
  findings: { type: string; start: number; end: number }[]
  summary: Record<string, number>
}

const modeOf = (s: ModeSpec | undefined) => (s === undefined ? undefined : typeof s === 'string' ? s : s.mode)
const keepOf = (s: ModeSpec | undefined) => (typeof s === 'object' ? (s.keepLast ?? 0) : 0)
const spec = (mode: Mode, keepLast: number): ModeSpec =>
  mode === 'mask' && keepLast > 0 ? { mode, keepLast } : mode

/**
 * The tenant's redaction policy. Custom patterns are checked against their test string (a dry run
 * of the draft policy on the server) before the policy can be saved.
 */
export function ProtectScreen() {
  const loaded = useLoad(
    () => api<{ policy: Policy; isDefault: boolean }>('GET', '/api/v1/protect/policy'),
    [],
  )
  return (
    <div className="screen">
      <ScreenTitle>Redaction policy</ScreenTitle>
      <ErrorNote error={loaded.error} />
      {loaded.data ? <PolicyEditor initial={loaded.data.policy} isDefault={loaded.data.isDefault} /> : null}
    </div>
  )
}

function PolicyEditor({ initial, isDefault }: { initial: Policy; isDefault: boolean }) {
  const [policy, setPolicy] = useState<Policy>(initial)
  // Which patterns passed their check, by their exact content: any edit needs a new check.
  const [checked, setChecked] = useState<Map<string, string>>(new Map())
  const [saved, setSaved] = useState<string | null>(null)
  const save = useAction()
  const patterns = policy.customPatterns ?? []
  const unchecked = patterns.filter((p) => checked.get(p.name) !== JSON.stringify(p))
  const edit = (next: Policy) => {
    setPolicy(next)
    setSaved(null)
  }
  const setCategory = (cat: string, value: ModeSpec | undefined) => {
    const categories = { ...policy.categories }
    if (value === undefined) delete categories[cat]
    else categories[cat] = value
    edit({ ...policy, categories })
  }
  const submit = async () => {
    const r = await save.run(() => api<{ policy: Policy }>('PUT', '/api/v1/protect/policy', policy))
    if (r) setSaved('Saved. Other nodes apply it within 30 seconds.')
  }
  return (
    <>
      <p>{isDefault && !saved ? 'The strict default policy is in force.' : null}</p>
      <section className="card-section" aria-labelledby="modes-title">
        <h2 id="modes-title">Categories</h2>
        <Field label="Default for every category">
          {(p) => (
            <select
              {...p}
              value={modeOf(policy.default) ?? 'remove'}
              onChange={(e) => edit({ ...policy, default: e.target.value as Mode })}
            >
              {MODES.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          )}
        </Field>
        <Table columns={['Category', 'Mode', 'Keep last']}>
          {CATEGORIES.map((cat) => {
            const s = policy.categories?.[cat]
            const mode = modeOf(s)
            return (
              <tr key={cat}>
                <th scope="row">{cat.replace(/_/g, ' ')}</th>
                <td>
                  <select
                    aria-label={`Mode for ${cat}`}
                    value={mode ?? ''}
                    onChange={(e) =>
                      setCategory(cat, e.target.value ? spec(e.target.value as Mode, keepOf(s)) : undefined)
                    }
                  >
                    <option value="">default</option>
                    {MODES.map((m) => (
                      <option key={m}>{m}</option>
                    ))}
                  </select>
                </td>
                <td>
                  {mode === 'mask' ? (
                    <input
                      type="number"
                      min={0}
                      max={4}
                      aria-label={`Characters ${cat} keeps visible`}
                      value={keepOf(s)}
                      onChange={(e) => setCategory(cat, spec('mask', Number(e.target.value)))}
                    />
                  ) : null}
                </td>
              </tr>
            )
          })}
        </Table>
        <Field label="Phone regions" hint="Two-letter country codes, comma separated (e.g. US, GB)">
          {(p) => (
            <input
              {...p}
              value={(policy.phoneRegions ?? []).join(', ')}
              onChange={(e) =>
                edit({
                  ...policy,
                  phoneRegions: e.target.value
                    .split(',')
                    .map((s) => s.trim().toUpperCase())
                    .filter(Boolean),
                })
              }
            />
          )}
        </Field>
      </section>
      <section className="card-section" aria-labelledby="patterns-title">
        <h2 id="patterns-title">Custom patterns</h2>
        {patterns.map((p, i) => (
          <PatternEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: a pattern's name is being edited, its place is its identity
            key={i}
            pattern={p}
            policy={policy}
            ok={checked.get(p.name) === JSON.stringify(p)}
            onPassed={() => setChecked(new Map(checked).set(p.name, JSON.stringify(p)))}
            onChange={(next) =>
              edit({
                ...policy,
                customPatterns: next
                  ? patterns.map((x, j) => (j === i ? next : x))
                  : patterns.filter((_, j) => j !== i),
              })
            }
          />
        ))}
        <button
          type="button"
          onClick={() =>
            edit({
              ...policy,
              customPatterns: [
                ...patterns,
                { name: `pattern_${patterns.length + 1}`, pattern: '', test: '', mode: 'remove' },
              ],
            })
          }
        >
          Add a custom pattern
        </button>
      </section>
      <DryRunBox policy={policy} />
      <button type="button" className="primary" disabled={save.busy || unchecked.length > 0} onClick={submit}>
        Save policy
      </button>
      {unchecked.length > 0 ? (
        <p className="hint">
          Check {unchecked.map((p) => p.name).join(', ')} against its test text before saving.
        </p>
      ) : null}
      {saved ? <p role="status">{saved}</p> : null}
      <ErrorNote error={save.error} />
    </>
  )
}

function PatternEditor({
  pattern,
  policy,
  ok,
  onPassed,
  onChange,
}: {
  pattern: Pattern
  policy: Policy
  ok: boolean
  onPassed: () => void
  onChange: (p: Pattern | null) => void
}) {
  const check = useAction()
  const [result, setResult] = useState<string | null>(null)
  const run = async () => {
    setResult(null)
    const r = await check.run(() =>
      api<DryRun>('POST', '/api/v1/protect/test', { text: pattern.test, policy }),
    )
    if (!r) return
    if (r.findings.some((f) => f.type === `custom:${pattern.name}`)) {
      setResult(`Matches: ${r.text}`)
      onPassed()
    } else {
      setResult(`The pattern does not match its test text (result: ${r.text})`)
    }
  }
  const set = (patch: Partial<Pattern>) => {
    setResult(null)
    onChange({ ...pattern, ...patch })
  }
  return (
    <fieldset className="pattern">
      <legend>{pattern.name}</legend>
      <div className="row">
        <TextInput label="Name" value={pattern.name} onChange={(v) => set({ name: v })} />
        <TextInput
          label="Regular expression"
          className="mono"
          value={pattern.pattern}
          onChange={(v) => set({ pattern: v })}
        />
        <TextInput
          label="Flags"
          size={3}
          value={pattern.flags ?? ''}
          onChange={(v) => set({ flags: v || undefined })}
        />
        <Field label="Mode">
          {(p) => (
            <select
              {...p}
              value={modeOf(pattern.mode) ?? 'remove'}
              onChange={(e) => set({ mode: e.target.value as Mode })}
            >
              {MODES.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <TextInput
        label="Test text"
        hint="Text the pattern must find; checked before saving"
        value={pattern.test}
        onChange={(v) => set({ test: v })}
      />
      <button type="button" onClick={run} disabled={check.busy}>
        Check pattern
      </button>{' '}
      <button type="button" className="danger" onClick={() => onChange(null)}>
        Remove pattern
      </button>
      {ok ? <span className="ok"> Checked ✓</span> : null}
      {result ? <p role="status">{result}</p> : null}
      <ErrorNote error={check.error} />
    </fieldset>
  )
}

function DryRunBox({ policy }: { policy: Policy }) {
  const [text, setText] = useState('My card is 4111 1111 1111 1111, call me on +1 415 555 2671')
  const [result, setResult] = useState<DryRun | null>(null)
  const action = useAction()
  const run = async () => {
    const r = await action.run(() => api<DryRun>('POST', '/api/v1/protect/test', { text, policy }))
    if (r) setResult(r)
  }
  return (
    <section className="card-section" aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">Try the draft policy</h2>
      <TextArea label="Sample text" hint="Nothing is stored" rows={2} value={text} onChange={setText} />
      <button type="button" onClick={run} disabled={action.busy}>
        Try
      </button>
      <ErrorNote error={action.error} />
      {result ? (
        <div role="status">
          <p className="mono">{result.text}</p>
          <p className="muted">
            {Object.entries(result.summary)
              .map(([k, n]) => `${k} ×${n}`)
              .join(', ') || 'Nothing found'}
          </p>
        </div>
      ) : null}
    </section>
  )
}
