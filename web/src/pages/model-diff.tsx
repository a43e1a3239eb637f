import { useId } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../api/client';
import { mlflowLiteral } from '../api/mlflow-filter';
import { type Schemas, StageBadge } from '../components/model-common';
import { Page, Section } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { href, nodeId } from '../links';
import { usePathSegments, useSearchParams } from '../url-state';
import './models.css';

type Diff = Schemas['ModelDiff'];
type Input = Diff['inputs'][number];

const KINDS: Record<Diff['causes'][number]['kind'], string> = {
  schema: 'Schema',
  input_version: 'Data version',
  input_set: 'Inputs',
  code: 'Code',
  parameters: 'Parameters',
  upstream_job: 'Upstream job',
  environment: 'Environment',
};

function Pickers({ name, from, to }: { name: string; from: string; to: string }) {
  const [, navigate] = useLocation();
  const versions = api.useQuery('get', '/api/2.0/mlflow/model-versions/search', {
    params: { query: { filter: `name = ${mlflowLiteral(name) ?? "''"}`, order_by: ['version_number DESC'], max_results: 1000 } },
  });
  const ids = { from: useId(), to: useId() };
  const list = versions.data?.model_versions.map((v) => v.version) ?? [];
  const options = (current: string) => (list.includes(current) || !current ? list : [current, ...list]);
  return (
    <form className="toolbar" aria-label="Versions compared" onSubmit={(e) => e.preventDefault()}>
      <label htmlFor={ids.from}>From</label>
      <select id={ids.from} value={from} onChange={(e) => navigate(href.modelDiff(name, e.target.value || undefined, to || undefined))}>
        <option value="">last in Production (default)</option>
        {options(from).map((v) => (
          <option key={v} value={v}>
            v{v}
          </option>
        ))}
      </select>
      <label htmlFor={ids.to}>to</label>
      <select id={ids.to} value={to} onChange={(e) => navigate(href.modelDiff(name, from || undefined, e.target.value || undefined))}>
        <option value="">latest (default)</option>
        {options(to).map((v) => (
          <option key={v} value={v}>
            v{v}
          </option>
        ))}
      </select>
      {versions.isError && <span className="muted">the version list could not be read; edit the URL's from and to</span>}
    </form>
  );
}

function Side({ side, label }: { side: Diff['from']; label: string }) {
  return (
    <div className="diff-side">
      <div className="kicker">{label}</div>
      <div className="diff-side-title">
        <Link href={href.modelVersion(side.name, side.version)}>
          {side.name} v{side.version}
        </Link>{' '}
        <StageBadge stage={side.stage} />
      </div>
      <div className="muted">
        {side.trainingRunIds.length === 0
          ? 'no confirmed training run'
          : side.trainingRunIds.map((r) => (
              <span key={r}>
                trained by{' '}
                <Link href={href.run(r)} className="mono">
                  {r.slice(0, 8)}
                </Link>{' '}
              </span>
            ))}
      </div>
    </div>
  );
}

function Causes({ diff }: { diff: Diff }) {
  if (diff.causes.length === 0) return <Empty>Nothing in the lineage differs: the same data, code and parameters.</Empty>;
  const causes = [...diff.causes].sort((a, b) => b.weight - a.weight);
  return (
    <ol className="diff-causes">
      {causes.map((c, i) => (
        <li key={`${c.kind}:${c.summary}`}>
          <span className="diff-rank" aria-hidden="true">
            {i + 1}
          </span>
          <span className={`badge diff-kind diff-kind-${c.kind}`}>{KINDS[c.kind]}</span>
          <span className="diff-summary">{c.summary}</span>
          <span className="diff-weight" title="how likely this explains a regression (a heuristic)">
            <span className="diff-weight-bar" aria-hidden="true">
              <span style={{ width: `${Math.round(c.weight * 100)}%` }} />
            </span>
            <span className="visually-hidden">likelihood </span>
            {c.weight.toFixed(2)}
          </span>
        </li>
      ))}
    </ol>
  );
}

function SchemaChanges({ input }: { input: Input }) {
  const s = input.schema;
  if (!s || (s.added.length === 0 && s.removed.length === 0 && s.retyped.length === 0)) return <span className="muted">same columns</span>;
  return (
    <ul className="diff-columns">
      {s.removed.map((f) => (
        <li key={`-${f.name}`}>
          <span className="dropped mono" title="dropped">
            {f.name}
          </span>{' '}
          <span className="muted">dropped{f.type ? ` (${f.type})` : ''}</span>
        </li>
      ))}
      {s.added.map((f) => (
        <li key={`+${f.name}`}>
          <span className="added mono">{f.name}</span> <span className="muted">added{f.type ? ` (${f.type})` : ''}</span>
        </li>
      ))}
      {s.retyped.map((f) => (
        <li key={`~${f.name}`}>
          <span className="changed mono">{f.name}</span>{' '}
          <span className="muted">
            {f.from} → {f.to}
          </span>
        </li>
      ))}
    </ul>
  );
}

const CHANGE: Record<Input['change'], string> = {
  added: 'new input',
  removed: 'no longer read',
  version_changed: 'version changed',
  unchanged: 'unchanged',
};

function Inputs({ diff }: { diff: Diff }) {
  if (diff.inputs.length === 0) return <Empty>Neither version has a known input.</Empty>;
  return (
    <div className="table-scroll">
      <table className="diff-table">
        <caption className="visually-hidden">
          Input datasets, v{diff.from.version} against v{diff.to.version}
        </caption>
        <thead>
          <tr>
            <th scope="col">Dataset</th>
            <th scope="col">v{diff.from.version} read</th>
            <th scope="col">v{diff.to.version} read</th>
            <th scope="col">Change</th>
            <th scope="col">Columns</th>
          </tr>
        </thead>
        <tbody>
          {diff.inputs.map((i) => {
            const changed = i.change !== 'unchanged';
            return (
              <tr key={`${i.namespace}:${i.name}`} className={changed ? 'diff-row-changed' : undefined}>
                <th scope="row">
                  <Link href={href.dataset(i.namespace, i.name)}>{i.name}</Link>
                  <div className="mono muted diff-namespace">{i.namespace}</div>
                </th>
                <td>
                  {i.from === null ? (
                    <span className="muted">—</span>
                  ) : (
                    <span className={`badge ${changed ? 'diff-old' : ''}`}>{i.from}</span>
                  )}
                </td>
                <td>
                  {i.to === null ? (
                    <span className="muted">—</span>
                  ) : (
                    <span className={`badge ${changed ? 'changed diff-new' : ''}`}>{i.to}</span>
                  )}
                </td>
                <td>
                  <span className={i.change === 'added' ? 'added' : i.change === 'removed' ? 'dropped' : changed ? 'changed' : 'muted'}>
                    {CHANGE[i.change]}
                  </span>
                </td>
                <td>
                  <SchemaChanges input={i} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function CodeCell({ code }: { code: Diff['code']['from'] }) {
  if (!code) return <span className="muted">unknown</span>;
  return (
    <>
      {code.url ? (
        <a href={code.url} className="mono" target="_blank" rel="noreferrer noopener">
          {code.gitCommit ?? code.url}
        </a>
      ) : (
        <code>{code.gitCommit ?? '—'}</code>
      )}
      {code.repoUrl && <div className="muted diff-namespace">{code.repoUrl}</div>}
      {code.branch && <div className="muted">branch {code.branch}</div>}
    </>
  );
}

function Changes({ rows, from, to, caption, what }: { rows: Diff['parameters']; from: number; to: number; caption: string; what: string }) {
  if (rows.length === 0) return <Empty>No {what} changed.</Empty>;
  return (
    <table className="diff-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">v{from}</th>
          <th scope="col">v{to}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <th scope="row" className="mono">
              {r.name}
            </th>
            <td className="mono">{r.from ?? <span className="muted">unset</span>}</td>
            <td className="mono">
              {r.to === null ? (
                <span className="dropped">unset</span>
              ) : (
                <span className={r.from === null ? 'added' : 'changed'}>{r.to}</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Metrics({ diff }: { diff: Diff }) {
  if (diff.metrics.length === 0) return <Empty>Neither card records metrics.</Empty>;
  return (
    <table className="diff-table">
      <caption className="visually-hidden">Metrics from the model cards</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col" className="num">
            v{diff.from.version}
          </th>
          <th scope="col" className="num">
            v{diff.to.version}
          </th>
          <th scope="col" className="num">
            Δ
          </th>
        </tr>
      </thead>
      <tbody>
        {diff.metrics.map((m) => (
          <tr key={m.name}>
            <th scope="row" className="mono">
              {m.name}
            </th>
            <td className="num">{m.from ?? <span className="muted">—</span>}</td>
            <td className="num">{m.to ?? <span className="muted">—</span>}</td>
            <td className="num">{m.delta === null ? <span className="muted">—</span> : m.delta > 0 ? `+${m.delta}` : m.delta}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Question 3: why might a version behave differently? Two versions side by side, causes ranked. */
export default function ModelDiffPage() {
  const name = usePathSegments()[1] ?? '';
  const [params] = useSearchParams();
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const diff = api.useQuery('get', '/api/v1/models/{name}/diff', {
    params: { path: { name }, query: { ...(from ? { from } : {}), ...(to ? { to } : {}) } },
  });
  const d = diff.data;
  return (
    <Page
      title={d ? `${name}: v${d.from.version} → v${d.to.version}` : `${name}: diff`}
      kicker={
        <>
          <Link href={href.models()}>Models</Link> / <Link href={href.model(name)}>{name}</Link> / diff
        </>
      }
      actions={
        d && (
          <Link className="model-button-link" href={href.lineage(nodeId.model(name, d.to.version))}>
            Lineage of v{d.to.version}
          </Link>
        )
      }
    >
      <div className="model-page">
        <Pickers name={name} from={from} to={to} />
        <Loaded query={diff} what={`the diff of ${name}`}>
          {(d) => (
            <>
              <div className="diff-sides">
                <Side side={d.from} label={d.baseline === 'last_production' ? 'Baseline: last in Production' : 'From'} />
                <span className="diff-arrow" aria-hidden="true">
                  →
                </span>
                <Side side={d.to} label="To" />
              </div>
              <Section title="Likely causes, most likely first">
                <Causes diff={d} />
              </Section>
              <Section title="Training data">
                <Inputs diff={d} />
              </Section>
              <div className="grid">
                <Section title="Code">
                  <table className="diff-table">
                    <caption className="visually-hidden">Code</caption>
                    <thead>
                      <tr>
                        <th scope="col">v{d.from.version}</th>
                        <th scope="col">v{d.to.version}</th>
                      </tr>
                    </thead>
                    <tbody>
                      <tr className={d.code.changed ? 'diff-row-changed' : undefined}>
                        <td>
                          <CodeCell code={d.code.from} />
                        </td>
                        <td className={d.code.changed ? 'diff-cell-changed' : undefined}>
                          <CodeCell code={d.code.to} />
                        </td>
                      </tr>
                    </tbody>
                  </table>
                  <p className={d.code.changed ? 'changed diff-note' : 'muted'}>{d.code.changed ? 'The code changed.' : 'Same code.'}</p>
                </Section>
                <Section title="Parameters">
                  <Changes rows={d.parameters} from={d.from.version} to={d.to.version} caption="Parameters changed" what="parameter" />
                </Section>
                <Section title="Run tags">
                  <Changes rows={d.tags} from={d.from.version} to={d.to.version} caption="Run tags changed" what="tag" />
                </Section>
                <Section title="Metrics (from the cards)">
                  <Metrics diff={d} />
                </Section>
              </div>
            </>
          )}
        </Loaded>
      </div>
    </Page>
  );
}
