import { useEffect, useState } from 'react'
import { api } from '../api.js'
import type { BusinessHours, Day, Site } from '../types.js'
import { ErrorNote, Field, ScreenTitle, Table, useAction, useLoad } from '../ui/ui.js'
import { loadSites } from './sites.js'

const DAYS: [Day, string][] = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
]
const ZONES: readonly string[] =
  (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? []
const WEEKDAYS: NonNullable<BusinessHours>['days'] = Object.fromEntries(
  DAYS.slice(0, 5).map(([d]) => [d, [['09:00', '17:00']]]),
)

/** Opening hours per site, in the site's time zone; outside them the widget offers the offline form. */
export function HoursScreen() {
  const sites = useLoad(loadSites, [])
  const [siteId, setSiteId] = useState('')
  const site = sites.data?.find((s) => s.id === siteId) ?? sites.data?.[0]
  return (
    <div className="screen">
      <ScreenTitle>Business hours</ScreenTitle>
      <ErrorNote error={sites.error} />
      {sites.data && sites.data.length > 1 ? (
        <Field label="Site">
          {(p) => (
            <select {...p} value={site?.id ?? ''} onChange={(e) => setSiteId(e.target.value)}>
              {sites.data!.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      {site ? <HoursEditor key={site.id} site={site} onSaved={sites.reload} /> : null}
    </div>
  )
}

function HoursEditor({ site, onSaved }: { site: Site; onSaved: () => void }) {
  const [hours, setHours] = useState<BusinessHours>(site.businessHours)
  const [saved, setSaved] = useState(false)
  const action = useAction()
  // Any edit makes "Saved" stale.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every change of the draft
  useEffect(() => setSaved(false), [hours])
  const setDay = (day: Day, ranges: [string, string][]) =>
    hours && setHours({ ...hours, days: { ...hours.days, [day]: ranges } })
  const save = async () => {
    if (await action.run(() => api('PATCH', `/api/v1/sites/${site.id}`, { businessHours: hours }))) {
      setSaved(true)
      onSaved()
    }
  }
  return (
    <section className="card-section" aria-label={`Hours of ${site.name}`}>
      <label className="inline">
        <input
          type="checkbox"
          checked={hours === null}
          onChange={(e) =>
            setHours(
              e.target.checked
                ? null
                : { timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, days: WEEKDAYS },
            )
          }
        />{' '}
        Always open
      </label>
      {hours ? (
        <>
          <Field label="Time zone">
            {(p) => (
              <>
                <input
                  {...p}
                  list="time-zones"
                  value={hours.timezone}
                  onChange={(e) => setHours({ ...hours, timezone: e.target.value })}
                />
                <datalist id="time-zones">
                  {ZONES.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Table className="hours" columns={['Day', 'Open']}>
            {DAYS.map(([day, name]) => {
              const ranges = hours.days[day] ?? []
              return (
                <tr key={day}>
                  <th scope="row">{name}</th>
                  <td>
                    {ranges.length === 0 ? <span className="muted">Closed </span> : null}
                    {ranges.map(([from, to], i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: ranges have no identity but their place
                      <span key={i} className="range">
                        <input
                          type="time"
                          aria-label={`${name} opens (range ${i + 1})`}
                          value={from}
                          onChange={(e) =>
                            setDay(
                              day,
                              ranges.map((r, j) => (j === i ? [e.target.value, r[1]] : r)),
                            )
                          }
                        />
                        –
                        <input
                          type="time"
                          aria-label={`${name} closes (range ${i + 1})`}
                          value={to === '24:00' ? '23:59' : to}
                          onChange={(e) =>
                            setDay(
                              day,
                              ranges.map((r, j) => (j === i ? [r[0], e.target.value] : r)),
                            )
                          }
                        />
                        <button
                          type="button"
                          aria-label={`Remove ${name} range ${i + 1}`}
                          onClick={() =>
                            setDay(
                              day,
                              ranges.filter((_, j) => j !== i),
                            )
                          }
                        >
                          ×
                        </button>
                      </span>
                    ))}
                    <button type="button" onClick={() => setDay(day, [...ranges, ['09:00', '17:00']])}>
                      Add hours
                    </button>
                  </td>
                </tr>
              )
            })}
          </Table>
        </>
      ) : (
        <p>The widget is open whenever an agent is online.</p>
      )}
      <button type="button" className="primary" onClick={save} disabled={action.busy}>
        Save hours
      </button>
      {saved ? <span role="status"> Saved.</span> : null}
      <ErrorNote error={action.error} />
    </section>
  )
}
