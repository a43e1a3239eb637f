import { Fragment, type ReactNode } from 'react';
import { Link } from 'wouter';
import { href } from '../links';
import type { RunSummary } from './data-json';
import { Empty } from './state';
import { duration, Time } from './time';

/** A run's state as a coloured badge (COMPLETED green, FAILED red, RUNNING amber). */
export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state}`}>{state}</span>;
}

/** Previous/next over a listing paged by offset; the offset lives in the URL (see useOffsetParam). */
export function Pager({
  label,
  offset,
  limit,
  total,
  onChange,
}: {
  label: string;
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
}) {
  if (total <= limit && offset === 0) return null;
  const last = Math.min(offset + limit, total);
  return (
    <nav className="data-pager" aria-label={`${label} pages`}>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        ← Newer
      </button>
      <span className="muted">
        {total === 0 ? 0 : offset + 1}–{last} of {total}
      </span>
      <button type="button" disabled={last >= total} onClick={() => onChange(offset + limit)}>
        Older →
      </button>
    </nav>
  );
}

/** Pretty JSON, in a block that scrolls rather than overflows. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <section aria-label={label}>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable from the keyboard. */}
      <pre className="data-json" tabIndex={0}>
        {JSON.stringify(value, null, 2)}
      </pre>
    </section>
  );
}

/** Facets, each collapsible with its JSON; the summary names the facet and where its schema is. */
export function FacetList({ facets, what }: { facets: Record<string, unknown>; what: string }) {
  const names = Object.keys(facets).sort();
  if (names.length === 0) return <Empty>No {what} facets.</Empty>;
  return (
    <div className="data-facets">
      {names.map((name) => {
        const value = facets[name];
        const schema = typeof value === 'object' && value !== null && '_schemaURL' in value ? String(value._schemaURL) : undefined;
        const short = schema ? /([^/#]+)\.json/.exec(schema)?.[1] : undefined;
        return (
          <details key={name}>
            <summary>
              <code>{name}</code> {short && <span className="muted">{short}</span>}
            </summary>
            <JsonBlock value={value} label={`${what} facet ${name}`} />
          </details>
        );
      })}
    </div>
  );
}

export function DatasetLink({
  namespace,
  name,
  version,
  children,
}: {
  namespace: string;
  name: string;
  version?: string;
  children?: ReactNode;
}) {
  const to = href.dataset(namespace, name) + (version ? `?${new URLSearchParams({ version })}` : '');
  return (
    <Link href={to} title={`${namespace} / ${name}`}>
      {children ?? name}
    </Link>
  );
}

export function JobLink({ namespace, name }: { namespace: string; name: string }) {
  return (
    <Link href={href.job(namespace, name)} title={`${namespace} / ${name}`}>
      {name}
    </Link>
  );
}

/** A short run id (its first 8 characters, the whole on hover), linking to the run. */
export function RunLink({ id }: { id: string }) {
  return (
    <Link href={href.run(id)} className="mono" title={id} aria-label={`run ${id}`}>
      {id.slice(0, 8)}
    </Link>
  );
}

/** Runs: state, start, end, duration; `extra` adds columns before the state. */
export function RunsTable({
  runs,
  caption,
  extra,
}: {
  runs: RunSummary[];
  caption: string;
  extra?: { header: string; cell: (run: RunSummary) => ReactNode };
}) {
  if (runs.length === 0) return <Empty>No runs.</Empty>;
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            {extra && <th scope="col">{extra.header}</th>}
            <th scope="col">State</th>
            <th scope="col">Started</th>
            <th scope="col">Ended</th>
            <th scope="col" className="num">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <td>
                <RunLink id={run.id} />
              </td>
              {extra && <td>{extra.cell(run)}</td>}
              <td>
                <StateBadge state={run.state} />
              </td>
              <td>
                <Time iso={run.startedAt ?? run.createdAt} />
              </td>
              <td>
                <Time iso={run.endedAt} />
              </td>
              <td className="num">{duration(run.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Tags as badges, or a word saying there are none. */
export function TagList({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="data-tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag} className="badge">
          {tag}
        </li>
      ))}
    </ul>
  );
}

/** Facts as a definition list; a fact whose value is missing is left out. `mono` for code-like values. */
export function Facts({ facts }: { facts: { label: string; value: ReactNode | undefined; mono?: boolean }[] }) {
  return (
    <dl className="facts">
      {facts
        .filter((f) => f.value !== undefined && f.value !== null && f.value !== '')
        .map((f) => (
          <Fragment key={f.label}>
            <dt>{f.label}</dt>
            <dd className={f.mono ? 'mono' : undefined}>{f.value}</dd>
          </Fragment>
        ))}
    </dl>
  );
}
