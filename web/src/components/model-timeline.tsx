import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'wouter';
import { href } from '../links';
import type { AuditRecord, StageName } from './model-common';
import { StageBadge } from './model-common';
import { Time } from './time';

/** One stretch of a version's life in one stage. */
export interface StageSpan {
  version: number;
  stage: StageName;
  from: AuditRecord;
  /** The entry that ended it; none while it lasts. */
  to?: AuditRecord;
}

const STAGE_NAMES: readonly string[] = ['None', 'Staging', 'Production', 'Archived'];

/** A version's stages from its audit history: registered (None), then each stage change. */
export function stageSpans(version: number, history: AuditRecord[]): StageSpan[] {
  const spans: StageSpan[] = [];
  for (const e of history) {
    if (e.version !== version) continue;
    let stage: StageName | undefined;
    if (e.action === 'version.registered') stage = 'None';
    else if (e.action === 'version.stage_changed' && typeof e.detail.to === 'string' && STAGE_NAMES.includes(e.detail.to)) {
      stage = e.detail.to as StageName;
    }
    if (!stage) continue;
    const last = spans[spans.length - 1];
    if (last) last.to = e;
    spans.push({ version, stage, from: e });
  }
  return spans;
}

const COLORS: Record<StageName, { fill: string; text: string }> = {
  None: { fill: '#e5e8ed', text: '#3f4753' },
  Staging: { fill: '#fbe7b0', text: '#7a4a04' },
  Production: { fill: '#bfe8cc', text: '#14532d' },
  Archived: { fill: '#d5d9e0', text: '#4b5563' },
};

const short = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

/**
 * The versions on a timeline of stages. The x axis is ordinal (each stage change is one step, in the order
 * the audit log recorded them): months between two changes and seconds between two others stay readable.
 * A table below says the same for assistive technology and for reading exact times.
 */
export function ModelTimeline({ name, spans, versions }: { name: string; spans: StageSpan[]; versions: number[] }) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  const [available, setAvailable] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setAvailable(el.clientWidth));
    observer.observe(el);
    setAvailable(el.clientWidth);
    return () => observer.disconnect();
  }, []);
  const events = [...new Map(spans.map((s) => [s.from.seq, s.from])).values()].sort((a, b) => a.seq - b.seq);
  const column = new Map(events.map((e, i) => [e.seq, i]));
  const steps = events.length + 1; // the last column is "now"
  const rows = [...versions].sort((a, b) => b - a);
  const left = 64;
  const right = 16;
  const width = Math.max(available, left + right + steps * 90);
  const rowHeight = 34;
  const top = 10;
  const height = top + rows.length * rowHeight + 40;
  const x = (i: number) => left + (i / steps) * (width - left - right);
  let lastLabel = '';
  return (
    <figure className="model-timeline">
      <div className="model-timeline-scroll" ref={box}>
        <svg
          viewBox={`0 0 ${width} ${height}`}
          width={width}
          height={height}
          role="img"
          aria-labelledby={titleId}
          className="model-timeline-svg"
        >
          <title id={titleId}>
            Stage timeline of {name}: {rows.length} versions
          </title>
          {rows.map((v, r) => {
            const y = top + r * rowHeight;
            return (
              <g key={v}>
                <text x={8} y={y + rowHeight / 2 + 4} className="model-timeline-version">
                  v{v}
                </text>
                <line x1={left} x2={width - right} y1={y + rowHeight / 2} y2={y + rowHeight / 2} stroke="#e5e8ed" strokeDasharray="3 3" />
              </g>
            );
          })}
          {spans.map((s) => {
            const r = rows.indexOf(s.version);
            if (r < 0) return null;
            const start = x(column.get(s.from.seq) ?? 0);
            const end = x(s.to ? (column.get(s.to.seq) ?? steps) : steps);
            const y = top + r * rowHeight + 5;
            const w = Math.max(4, end - start - 2);
            const c = COLORS[s.stage];
            return (
              <g key={`${s.version}:${s.from.seq}`}>
                <rect x={start + 1} y={y} width={w} height={rowHeight - 10} rx={4} fill={c.fill}>
                  <title>
                    v{s.version} {s.stage} from {s.from.at}
                    {s.to ? ` to ${s.to.at}` : ' until now'} ({s.from.actor})
                  </title>
                </rect>
                {w > 46 && (
                  <text x={start + 8} y={y + (rowHeight - 10) / 2 + 4} fill={c.text} className="model-timeline-stage">
                    {s.stage}
                  </text>
                )}
              </g>
            );
          })}
          {events.map((e, i) => {
            const label = short.format(new Date(e.at));
            const show = label !== lastLabel;
            lastLabel = label;
            return (
              <g key={e.seq}>
                <line x1={x(i)} x2={x(i)} y1={top} y2={height - 26} stroke="#c7cdd6" />
                {show && (
                  <text x={x(i) + 2} y={height - 12} className="model-timeline-tick">
                    {label}
                  </text>
                )}
              </g>
            );
          })}
          <text x={width - right} y={height - 12} textAnchor="end" className="model-timeline-tick">
            now
          </text>
        </svg>
      </div>
      <figcaption className="model-timeline-legend">
        {(['None', 'Staging', 'Production', 'Archived'] as const).map((s) => (
          <span key={s}>
            <span className="model-swatch" style={{ background: COLORS[s].fill }} aria-hidden="true" /> {s}
          </span>
        ))}
        <span className="muted">Each step is one change in the audit log (not to scale); hover a bar for its times.</span>
      </figcaption>
      <details className="model-timeline-table">
        <summary>The timeline as a table</summary>
        <table>
          <caption className="visually-hidden">Stages of each version of {name}</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Stage</th>
              <th scope="col">Entered</th>
              <th scope="col">By</th>
              <th scope="col">Left</th>
            </tr>
          </thead>
          <tbody>
            {rows.flatMap((v) =>
              spans
                .filter((s) => s.version === v)
                .map((s) => (
                  <tr key={`${v}:${s.from.seq}`}>
                    <td>
                      <Link href={href.modelVersion(name, v)}>v{v}</Link>
                    </td>
                    <td>
                      <StageBadge stage={s.stage} />
                    </td>
                    <td>
                      <Time iso={s.from.at} />
                    </td>
                    <td>{s.from.actor}</td>
                    <td>{s.to ? <Time iso={s.to.at} /> : <span className="muted">still</span>}</td>
                  </tr>
                )),
            )}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
