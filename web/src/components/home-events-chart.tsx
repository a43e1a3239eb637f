import { useId } from 'react';

export interface EventBucket {
  startInterval: string;
  endInterval: string;
  start: number;
  complete: number;
  fail: number;
  abort: number;
}

const KINDS = [
  { key: 'complete', label: 'Complete', className: 'bar-complete' },
  { key: 'start', label: 'Start', className: 'bar-start' },
  { key: 'fail', label: 'Fail', className: 'bar-fail' },
  { key: 'abort', label: 'Abort', className: 'bar-abort' },
] as const;

// WEEK buckets are labelled with the local date written as UTC midnight: read them in UTC.
const weekday = new Intl.DateTimeFormat('en', { weekday: 'short', timeZone: 'UTC' });
const dayLabel = { format: (d: Date) => `${weekday.format(d)} ${d.getUTCDate()}` };
const dayLong = new Intl.DateTimeFormat('en', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' });

const total = (b: EventBucket) => b.start + b.complete + b.fail + b.abort;

/** A rounded-up axis maximum: 1, 2, 5, 10, 20, 50… */
function niceMax(n: number): number {
  if (n <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

/**
 * Lineage events per day as stacked bars (inline SVG, no chart library). The picture has a summary for
 * screen readers, each bar a title, and the same numbers are one click away as a table.
 */
export function EventsChart({
  buckets,
  asTable,
  onAsTable,
}: {
  buckets: EventBucket[];
  asTable: boolean;
  onAsTable: (asTable: boolean) => void;
}) {
  const id = useId();
  const width = 420;
  const height = 160;
  const left = 34;
  const bottom = 22;
  const top = 8;
  const plot = height - bottom - top;
  const max = niceMax(Math.max(0, ...buckets.map(total)));
  const slot = (width - left) / Math.max(1, buckets.length);
  const barWidth = Math.min(36, slot * 0.6);
  const sum = buckets.reduce((n, b) => n + total(b), 0);
  const failures = buckets.reduce((n, b) => n + b.fail + b.abort, 0);
  const summary = `${sum} lineage event${sum === 1 ? '' : 's'} over the last ${buckets.length} days${failures ? `, ${failures} of them failures or aborts` : ''}.`;

  return (
    <figure className="events-chart">
      <figcaption id={`${id}-caption`} className="muted">
        {summary}{' '}
        <button type="button" className="link-button" aria-pressed={asTable} onClick={() => onAsTable(!asTable)}>
          {asTable ? 'Show as chart' : 'Show as table'}
        </button>
      </figcaption>
      {asTable ? (
        <table>
          <caption className="visually-hidden">Lineage events per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {KINDS.map((k) => (
                <th scope="col" className="num" key={k.key}>
                  {k.label}
                </th>
              ))}
              <th scope="col" className="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b.startInterval}>
                <th scope="row">{dayLong.format(new Date(b.startInterval))}</th>
                {KINDS.map((k) => (
                  <td className="num" key={k.key}>
                    {b[k.key]}
                  </td>
                ))}
                <td className="num">{total(b)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <>
          <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-caption`} className="events-svg">
            <title id={`${id}-title`}>Lineage events per day</title>
            {[0, max / 2, max].map((tick) => {
              const y = top + plot - (tick / max) * plot;
              return (
                <g key={tick}>
                  <line x1={left} x2={width} y1={y} y2={y} className="grid-line" />
                  <text x={left - 6} y={y + 4} textAnchor="end" className="tick">
                    {Number.isInteger(tick) ? tick : ''}
                  </text>
                </g>
              );
            })}
            {buckets.map((b, i) => {
              const x = left + i * slot + (slot - barWidth) / 2;
              let y = top + plot;
              const parts = KINDS.map((k) => {
                const h = (b[k.key] / max) * plot;
                y -= h;
                return h > 0 ? <rect key={k.key} x={x} y={y} width={barWidth} height={h} className={k.className} /> : null;
              });
              const words = KINDS.filter((k) => b[k.key] > 0)
                .map((k) => `${b[k.key]} ${k.label.toLowerCase()}`)
                .join(', ');
              return (
                <g key={b.startInterval}>
                  <title>{`${dayLong.format(new Date(b.startInterval))}: ${total(b)} events${words ? ` (${words})` : ''}`}</title>
                  {/* the whole slot answers the hover, not only the painted part */}
                  <rect x={left + i * slot} y={top} width={slot} height={plot} fill="transparent" />
                  {parts}
                  <text x={x + barWidth / 2} y={height - 6} textAnchor="middle" className="tick">
                    {dayLabel.format(new Date(b.startInterval))}
                  </text>
                </g>
              );
            })}
          </svg>
          <ul className="chart-legend" aria-label="Legend">
            {KINDS.map((k) => (
              <li key={k.key}>
                <span className={`swatch ${k.className}`} aria-hidden="true" /> {k.label}
              </li>
            ))}
          </ul>
        </>
      )}
    </figure>
  );
}
