import { type FormEvent, useState } from 'react'
import { api, query } from '../api.js'
import type { ReportRow, ReportSummary } from '../types.js'
import { ErrorNote, formatSeconds, ScreenTitle, Table, TextInput, useLoad } from '../ui/ui.js'
import { BarChart, HBarChart } from './charts.js'

const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone
const day = (d: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d)
const rating = (v: number | null) => (v === null ? '—' : v.toFixed(2))

/** Chats per day, first-response and resolution times, satisfaction, per agent and per team. */
export function ReportsScreen() {
  const [range, setRange] = useState(() => ({
    from: day(new Date(Date.now() - 29 * 86_400_000)),
    to: day(new Date()),
  }))
  const [draft, setDraft] = useState(range)
  const report = useLoad(
    () => api<ReportSummary>('GET', `/api/v1/reports/summary${query({ ...range, tz: TZ })}`),
    [range.from, range.to],
  )
  const submit = (e: FormEvent) => {
    e.preventDefault()
    setRange(draft)
  }
  const r = report.data
  return (
    <div className="screen reports">
      <ScreenTitle>Reports</ScreenTitle>
      <form className="row" onSubmit={submit} aria-label="Period">
        <TextInput
          label="From"
          type="date"
          value={draft.from}
          onChange={(v) => setDraft({ ...draft, from: v })}
        />
        <TextInput label="To" type="date" value={draft.to} onChange={(v) => setDraft({ ...draft, to: v })} />
        <button type="submit" className="primary">
          Show
        </button>
        <span className="muted">Days in {TZ}</span>
      </form>
      <ErrorNote error={report.error} />
      {r ? <Report r={r} /> : report.error ? null : <p>Loading…</p>}
    </div>
  )
}

function Report({ r }: { r: ReportSummary }) {
  const total = r.days.reduce((n, d) => n + d.conversations, 0)
  const stars = [1, 2, 3, 4, 5] as const
  return (
    <>
      <dl className="kpis">
        <div>
          <dt>Chats</dt>
          <dd>{total}</dd>
        </div>
        <div>
          <dt>First response (median)</dt>
          <dd>{formatSeconds(r.firstResponse.p50Seconds)}</dd>
        </div>
        <div>
          <dt>Resolution (median)</dt>
          <dd>{formatSeconds(r.resolution.p50Seconds)}</dd>
        </div>
        <div>
          <dt>Satisfaction</dt>
          <dd>
            {rating(r.satisfaction.average)} <span className="muted">({r.satisfaction.count} ratings)</span>
          </dd>
        </div>
      </dl>
      <section aria-labelledby="per-day">
        <h2 id="per-day">Chats per day</h2>
        <BarChart
          title="Chats per day"
          labels={r.days.map((d) => d.date)}
          series={[
            { name: 'Chats', className: 'bar-a', values: r.days.map((d) => d.conversations) },
            { name: 'Closed', className: 'bar-b', values: r.days.map((d) => d.closed) },
            { name: 'Offline messages', className: 'bar-c', values: r.days.map((d) => d.offlineMessages) },
          ]}
        />
      </section>
      <section aria-labelledby="times" className="two">
        <h2 id="times">Response and resolution times</h2>
        {(
          [
            ['First response', r.firstResponse],
            ['Resolution', r.resolution],
          ] as const
        ).map(([name, d]) => (
          <HBarChart
            key={name}
            title={`${name} time (${d.count} chats)`}
            format={formatSeconds}
            rows={[
              { label: `${name}: average`, value: d.avgSeconds },
              { label: `${name}: median`, value: d.p50Seconds },
              { label: `${name}: 90th pct`, value: d.p90Seconds },
            ]}
          />
        ))}
      </section>
      <section aria-labelledby="satisfaction">
        <h2 id="satisfaction">Satisfaction</h2>
        <HBarChart
          title="Ratings by stars"
          format={(v) => String(v ?? 0)}
          className="bar-c"
          rows={stars.map((s) => ({
            label: `${s} star${s === 1 ? '' : 's'}`,
            value: r.satisfaction.distribution[s],
          }))}
        />
      </section>
      <Breakdown title="Per agent" rows={r.perAgent.map((a) => ({ key: a.agentId, ...a }))} />
      <Breakdown title="Per team" rows={r.perTeam.map((t) => ({ key: t.teamId, ...t }))} />
    </>
  )
}

function Breakdown({ title, rows }: { title: string; rows: (ReportRow & { key: string })[] }) {
  const id = title.toLowerCase().replace(/\W+/g, '-')
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">No data in this period.</p>
      ) : (
        <>
          <HBarChart
            title={`${title}: chats`}
            format={(v) => String(v ?? 0)}
            rows={rows.map((row) => ({ label: row.name, value: row.conversations }))}
          />
          <Table
            columns={[
              'Name',
              'Chats',
              'Closed',
              'First response (median)',
              'Resolution (median)',
              'Satisfaction',
            ]}
          >
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">{row.name}</th>
                <td>{row.conversations}</td>
                <td>{row.closed}</td>
                <td>{formatSeconds(row.firstResponseP50Seconds)}</td>
                <td>{formatSeconds(row.resolutionP50Seconds)}</td>
                <td>
                  {rating(row.satisfactionAverage)} <span className="muted">({row.satisfactionCount})</span>
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </section>
  )
}
