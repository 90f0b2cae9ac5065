/** Hand-rolled SVG charts. Each has a title and a description for screen readers; the numbers are in a table beside them too. */

export interface Series {
  name: string
  className: string
  values: number[]
}

const W = 640
const H = 220
const PAD = { left: 40, right: 8, top: 12, bottom: 28 }

function niceMax(n: number): number {
  if (n <= 0) return 1
  const step = 10 ** Math.floor(Math.log10(n))
  return Math.ceil(n / step) * step
}

/** Grouped vertical bars, one group per label (e.g. per day). */
export function BarChart({ title, labels, series }: { title: string; labels: string[]; series: Series[] }) {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)))
  const plotW = W - PAD.left - PAD.right
  const plotH = H - PAD.top - PAD.bottom
  const groupW = plotW / Math.max(1, labels.length)
  const barW = Math.max(1, (groupW * 0.8) / series.length)
  const every = Math.ceil(labels.length / 10)
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH
  const desc = series.map((s) => `${s.name}: total ${s.values.reduce((a, b) => a + b, 0)}`).join('; ')
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}. ${desc}`}>
        {[...new Set([0, Math.round(max / 2), max])].map((v) => (
          <g key={v}>
            <line className="grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text className="axis" x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        {labels.map((label, i) => (
          <g key={label}>
            {series.map((s, j) => {
              const v = s.values[i] ?? 0
              return (
                <rect
                  key={s.name}
                  className={s.className}
                  x={PAD.left + i * groupW + groupW * 0.1 + j * barW}
                  y={y(v)}
                  width={barW}
                  height={Math.max(0, PAD.top + plotH - y(v))}
                >
                  <title>{`${label} · ${s.name}: ${v}`}</title>
                </rect>
              )
            })}
            {i % every === 0 ? (
              <text className="axis" x={PAD.left + i * groupW + groupW / 2} y={H - 8} textAnchor="middle">
                {label.slice(5)}
              </text>
            ) : null}
          </g>
        ))}
      </svg>
      <Legend series={series} />
    </figure>
  )
}

/** Horizontal bars for named values (durations, averages), formatted by `format`. */
export function HBarChart({
  title,
  rows,
  format,
  className = 'bar-a',
}: {
  title: string
  rows: { label: string; value: number | null }[]
  format: (v: number | null) => string
  className?: string
}) {
  const max = Math.max(0, ...rows.map((r) => r.value ?? 0)) || 1
  const rowH = 26
  const labelW = 150
  const h = rows.length * rowH + 8
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${h}`}
        role="img"
        aria-label={`${title}. ${rows.map((r) => `${r.label}: ${format(r.value)}`).join('; ')}`}
      >
        {rows.map((r, i) => (
          <g key={r.label}>
            <text className="axis" x={labelW - 8} y={i * rowH + 18} textAnchor="end">
              {r.label.length > 22 ? `${r.label.slice(0, 21)}…` : r.label}
            </text>
            <rect
              className={className}
              x={labelW}
              y={i * rowH + 5}
              height={rowH - 10}
              width={((r.value ?? 0) / max) * (W - labelW - 90)}
            />
            <text
              className="value"
              x={labelW + ((r.value ?? 0) / max) * (W - labelW - 90) + 6}
              y={i * rowH + 18}
            >
              {format(r.value)}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  )
}

function Legend({ series }: { series: Series[] }) {
  return (
    <figcaption className="legend">
      {series.map((s) => (
        <span key={s.name}>
          <svg width="12" height="12" aria-hidden="true">
            <rect className={s.className} width="12" height="12" />
          </svg>{' '}
          {s.name}
        </span>
      ))}
    </figcaption>
  )
}
