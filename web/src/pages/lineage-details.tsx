import { type ReactNode, useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { ErrorPanel, Loading } from '../components/state';
import { Time } from '../components/time';
import type { LineageGraph, LineageNode } from '../graph/model';
import { KindIcon, kindLabel } from '../graph/nodes';
import { href } from '../links';
import { type ExplorerState, explorerUrl, type Go } from './lineage-url';

type Json = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The page of the thing a node stands for. */
export function pageOf(n: LineageNode): { to: string; label: string } | undefined {
  const d = n.data;
  switch (n.kind) {
    case 'dataset':
      return { to: href.dataset(text(d.namespace), text(d.name)), label: 'Open the dataset' };
    case 'job':
      return { to: href.job(text(d.namespace), text(d.name)), label: 'Open the job' };
    case 'model':
      return { to: href.modelVersion(text(d.name), text(d.version)), label: 'Open the model version' };
    case 'deployment':
      return { to: href.deployment(text(d.environment), text(d.endpoint)), label: 'Open the deployment' };
    case 'run':
      return { to: href.run(text(d.id)), label: 'Open the run' };
    case 'field':
      return { to: href.dataset(text(d.namespace), text(d.dataset)), label: 'Open the dataset' };
  }
}

function Facts({ rows }: { rows: Record<string, ReactNode> }) {
  const shown = Object.entries(rows).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return (
    <dl className="facts">
      {shown.map(([k, v]) => (
        <div key={k} className="lineage-fact">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

const facetNames = (facets: unknown) => Object.keys(obj(facets)).sort();
const FacetList = ({ facets }: { facets: unknown }) => {
  const names = facetNames(facets);
  return names.length ? (
    <span className="lineage-facets">
      {names.map((f) => (
        <code key={f}>{f}</code>
      ))}
    </span>
  ) : (
    <span className="muted">none</span>
  );
};

function DatasetFacts({ node }: { node: LineageNode }) {
  const d = node.data;
  const q = api.useQuery('get', '/api/v1/namespaces/{namespace}/datasets/{dataset}', {
    params: { path: { namespace: text(d.namespace), dataset: text(d.name) } },
  });
  const full = q.data ? obj(q.data) : undefined;
  return (
    <>
      <Facts
        rows={{
          Namespace: <span className="mono">{text(d.namespace)}</span>,
          Fields: String(list(d.fields).length),
          Modified: <Time iso={text(d.lastModifiedAt) || null} />,
          'Current version': full ? <span className="mono">{text(full.currentVersion) || '—'}</span> : undefined,
          Facets: full ? <FacetList facets={full.facets} /> : undefined,
          Description: text(d.description),
        }}
      />
      {q.isPending && <Loading what="the dataset's facets" />}
      {q.isError && <ErrorPanel error={q.error} what="the dataset's facets" retry={() => void q.refetch()} />}
    </>
  );
}

function JobFacts({ node }: { node: LineageNode }) {
  const d = node.data;
  const q = api.useQuery('get', '/api/v1/namespaces/{namespace}/jobs/{job}', {
    params: { path: { namespace: text(d.namespace), job: text(d.name) } },
  });
  const run = obj(q.data?.latestRun ?? d.latestRun);
  const full = q.data ? obj(q.data) : undefined;
  return (
    <>
      <Facts
        rows={{
          Namespace: <span className="mono">{text(d.namespace)}</span>,
          'Latest run': text(run.id) ? (
            <>
              <Link href={href.run(text(run.id))} className="mono">
                {text(run.id).slice(0, 8)}
              </Link>{' '}
              <span className={`badge state-${text(run.state)}`}>{text(run.state)}</span>{' '}
              <Time iso={text(run.endedAt) || text(run.createdAt) || null} />
            </>
          ) : (
            'none'
          ),
          Version: full ? <span className="mono">{text(full.currentVersion) || '—'}</span> : undefined,
          Source: text(d.location) ? <span className="mono">{text(d.location)}</span> : undefined,
          Facets: full ? <FacetList facets={full.facets} /> : undefined,
        }}
      />
      {q.isPending && <Loading what="the job's facets" />}
      {q.isError && <ErrorPanel error={q.error} what="the job's facets" retry={() => void q.refetch()} />}
    </>
  );
}

function ModelFacts({ node }: { node: LineageNode }) {
  const d = node.data;
  const runs = list(d.trainingRunIds).map(text);
  return (
    <Facts
      rows={{
        Stage: <span className={`badge stage-${text(d.stage) || 'None'}`}>{text(d.stage) || 'None'}</span>,
        Aliases: list(d.aliases).map(text).join(', ') || undefined,
        Registered: <Time iso={text(d.registeredAt) || null} />,
        Source: text(d.source) ? <span className="mono">{text(d.source)}</span> : undefined,
        'Trained by': runs.length
          ? runs.map((r, i) => (
              <span key={r}>
                {i > 0 && ', '}
                <Link href={href.run(r)} className="mono">
                  run {r.slice(0, 8)}
                </Link>
              </span>
            ))
          : 'no confirmed training run',
      }}
    />
  );
}

function DeploymentFacts({ node }: { node: LineageNode }) {
  const d = node.data;
  return (
    <Facts
      rows={{
        Environment: text(d.environment),
        Endpoint: <span className="mono">{text(d.endpoint)}</span>,
        Serves: d.model ? (
          <Link href={href.modelVersion(text(d.model), text(d.version))}>{`${text(d.model)} v${text(d.version)}`}</Link>
        ) : undefined,
        Deployed: <Time iso={text(d.deployedAt) || null} />,
        By: text(d.actor),
      }}
    />
  );
}

function Versions({ items }: { items: unknown[] }) {
  if (items.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="lineage-versions">
      {items.map((raw) => {
        const v = obj(raw);
        return (
          <li key={`${text(v.namespace)}:${text(v.name)}`}>
            <Link href={href.dataset(text(v.namespace), text(v.name))} className="mono">
              {text(v.name)}
            </Link>{' '}
            <span className="badge">{text(v.datasetVersion) ? `v${text(v.datasetVersion)}` : 'version unknown'}</span>
          </li>
        );
      })}
    </ul>
  );
}

function RunFacts({ node }: { node: LineageNode }) {
  const d = node.data;
  const job = obj(d.job);
  const upstream = api.useQuery('get', '/api/v1/runlineage/upstream', { params: { query: { runId: text(d.id), depth: 3 } } });
  const runs = (upstream.data?.runs ?? []).map(obj).filter((r) => text(obj(r.run).id) !== text(d.id));
  return (
    <>
      <Facts
        rows={{
          State: <span className={`badge state-${text(d.state)}`}>{text(d.state)}</span>,
          Job: <Link href={href.job(text(job.namespace), text(job.name))}>{text(job.name)}</Link>,
          Started: <Time iso={text(d.startedAt) || null} />,
          Ended: <Time iso={text(d.endedAt) || null} />,
          Read: <Versions items={list(d.inputs)} />,
          Wrote: <Versions items={list(d.outputs)} />,
        }}
      />
      <h3>Runs upstream</h3>
      {upstream.isPending ? (
        <Loading what="the runs upstream" />
      ) : upstream.isError ? (
        <ErrorPanel error={upstream.error} what="the runs upstream" retry={() => void upstream.refetch()} />
      ) : runs.length === 0 ? (
        <p className="muted">No known run produced what it read.</p>
      ) : (
        <ul className="lineage-versions">
          {runs.map((r) => {
            const run = obj(r.run);
            const j = obj(r.job);
            return (
              <li key={text(run.id)}>
                <Link href={href.run(text(run.id))}>{text(j.name)}</Link>{' '}
                <span className={`badge state-${text(run.status)}`}>{text(run.status)}</span> <Time iso={text(run.end) || null} />
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

function FieldFacts({ node }: { node: LineageNode }) {
  const d = node.data;
  return (
    <Facts
      rows={{
        Dataset: <Link href={href.dataset(text(d.namespace), text(d.dataset))}>{text(d.dataset)}</Link>,
        Type: text(d.fieldType),
        'Dataset version': text(d.datasetVersion) ? <span className="mono">{text(d.datasetVersion)}</span> : undefined,
        Transformation: text(d.transformationDescription) || text(d.transformationType),
      }}
    />
  );
}

/** The side panel of the selected node: its details, its page, and what to do from it. */
export function LineageDetails({
  node,
  graph,
  state,
  go,
  canExpand,
  onExpand,
}: {
  node: LineageNode;
  graph: LineageGraph;
  state: ExplorerState;
  go: Go;
  canExpand: boolean;
  onExpand: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  // The panel takes the focus when a node is chosen (from the keyboard, Enter on a node), so it is read next.
  // biome-ignore lint/correctness/useExhaustiveDependencies: again for each node chosen.
  useEffect(() => {
    heading.current?.focus();
  }, [node.id]);
  const page = pageOf(node);
  const ups = graph.edges.filter((e) => e.target === node.id).length;
  const downs = graph.edges.filter((e) => e.source === node.id).length;
  const centreOn =
    node.kind === 'field' ? `datasetField:${text(node.data.namespace)}:${text(node.data.dataset)}:${text(node.data.field)}` : node.id;
  return (
    <aside className="lineage-details section" aria-labelledby="lineage-details-title">
      <div className="lineage-details-head">
        <span className={`badge badge-${node.kind === 'field' ? 'dataset' : node.kind}`}>
          <KindIcon kind={node.kind} /> {kindLabel(node.kind)}
        </span>
        <button
          type="button"
          className="link-button"
          onClick={() => go({ selected: undefined }, { replace: true })}
          aria-label="Close the details"
        >
          ✕
        </button>
      </div>
      <h2 id="lineage-details-title" ref={heading} tabIndex={-1}>
        {node.name}
      </h2>
      <p className="muted lineage-details-sub">
        {node.place} · {ups} upstream, {downs} downstream
      </p>
      {node.kind === 'dataset' && <DatasetFacts node={node} />}
      {node.kind === 'job' && <JobFacts node={node} />}
      {node.kind === 'model' && <ModelFacts node={node} />}
      {node.kind === 'deployment' && <DeploymentFacts node={node} />}
      {node.kind === 'run' && <RunFacts node={node} />}
      {node.kind === 'field' && <FieldFacts node={node} />}
      <div className="lineage-details-actions">
        {page && (
          <Link href={page.to} className="lineage-primary-link">
            {page.label} →
          </Link>
        )}
        {centreOn !== state.node && (
          <Link
            href={explorerUrl({
              node: centreOn,
              depth: state.depth,
              direction: state.direction,
              columns: state.columns,
              asOf: state.asOf,
              view: state.view,
            })}
          >
            Centre the graph here
          </Link>
        )}
        {canExpand && (
          <button type="button" onClick={onExpand}>
            Expand around it
          </button>
        )}
        <span className="lineage-path-buttons">
          <button type="button" onClick={() => go({ from: node.id })} aria-pressed={state.from === node.id}>
            Path from here
          </button>
          <button type="button" onClick={() => go({ to: node.id })} aria-pressed={state.to === node.id}>
            Path to here
          </button>
        </span>
      </div>
    </aside>
  );
}
