import { Link } from 'wouter';
import { api } from '../api/client';
import { arr, isObject, type JsonObject, num, obj, objects, ref, str } from '../components/data-json';
import { DatasetLink, FacetList, Facts, JobLink, JsonBlock, Pager, RunLink, RunsTable, StateBadge } from '../components/data-ui';
import { Page, Section } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { between, duration, Time } from '../components/time';
import { href, nodeId } from '../links';
import { useOffsetParam, usePathSegments } from '../url-state';
import { ExternalUrl } from './job';
import './data-pages.css';

const PAGE = 20;

/** `/runs/:id`: state, job, exact inputs and outputs, parent and children, code, parameters, facets, events. */
export default function RunPage() {
  const [, idSegment] = usePathSegments();
  const id = idSegment ?? '';
  const run = api.useQuery('get', '/api/v1/jobs/runs/{id}', { params: { path: { id } } });
  const events = api.useQuery('get', '/api/v1/events/lineage', { params: { query: { runId: id, sortDirection: 'asc', limit: 200 } } });
  const jobFacets = api.useQuery('get', '/api/v1/jobs/runs/{id}/facets', { params: { path: { id }, query: { type: 'job' } } });
  // The job: the run's job version names it; a run without one is named by its events.
  const job = ref(obj(run.data?.jobVersion)) ?? ref(obj(obj(events.data?.events[0]).job));

  return (
    <Page
      title={job ? `Run of ${job.name}` : 'Run'}
      kicker={
        <>
          Run · <span className="mono data-kicker-id">{id}</span>
        </>
      }
    >
      <Loaded query={run} what="the run">
        {(r) => {
          const facets = obj(r.facets);
          const parent = obj(facets.parent);
          const parentRun = str(obj(parent.run).runId);
          const parentJob = ref(obj(parent.job));
          return (
            <>
              {job && <TrainedModels runId={r.id} job={job} />}
              <div className="grid data-grid">
                <Section title="State">
                  <dl className="facts">
                    <dt>State</dt>
                    <dd>
                      <StateBadge state={r.state} />
                    </dd>
                    <dt>Job</dt>
                    <dd>{job ? <JobLink {...job} /> : <span className="muted">unknown</span>}</dd>
                    {job && (
                      <>
                        <dt>Namespace</dt>
                        <dd className="mono">{job.namespace}</dd>
                      </>
                    )}
                    <dt>Started</dt>
                    <dd>
                      <Time iso={str(r.startedAt) ?? r.createdAt} />
                    </dd>
                    <dt>Ended</dt>
                    <dd>
                      <Time iso={str(r.endedAt)} />
                    </dd>
                    <dt>Duration</dt>
                    <dd>{num(r.durationMs) !== undefined ? duration(num(r.durationMs)) : between(str(r.startedAt), str(r.endedAt))}</dd>
                    {str(r.nominalStartTime) && (
                      <>
                        <dt>Nominal start</dt>
                        <dd>
                          <Time iso={str(r.nominalStartTime)} />
                        </dd>
                      </>
                    )}
                    <dt>Parent run</dt>
                    <dd>
                      {parentRun ? (
                        <>
                          <RunLink id={parentRun} />
                          {parentJob && (
                            <>
                              {' '}
                              of <JobLink {...parentJob} />
                            </>
                          )}
                        </>
                      ) : (
                        <span className="muted">none</span>
                      )}
                    </dd>
                  </dl>
                </Section>
                <Section title="Source code">
                  <Loaded query={jobFacets} what="the code location">
                    {(f) => <CodeLocation facets={obj(f.facets)} runFacets={facets} />}
                  </Loaded>
                </Section>
                <Section title="Parameters">
                  <Parameters facets={facets} />
                </Section>
              </div>
              <div className="grid data-grid">
                <Section title="Inputs">
                  <DatasetVersions list={r.inputDatasetVersions} what="read" />
                </Section>
                <Section title="Outputs">
                  <DatasetVersions list={r.outputDatasetVersions} what="wrote" />
                </Section>
              </div>
              <Children id={r.id} />
              <Section title="Run facets">
                <FacetList facets={facets} what="run" />
              </Section>
            </>
          );
        }}
      </Loaded>
      <Section title="Raw events">
        <Loaded query={events} what="the events">
          {(data) => <Events events={data.events} ingest={data.ingest} total={data.totalCount} />}
        </Loaded>
      </Section>
    </Page>
  );
}

/** The model versions this run trained: MODEL nodes next to its job whose training runs include it. */
function TrainedModels({ runId, job }: { runId: string; job: { namespace: string; name: string } }) {
  const graph = api.useQuery('get', '/api/v1/lineage', {
    params: { query: { nodeId: nodeId.job(job.namespace, job.name), depth: 0, direction: 'downstream', withModels: true } },
  });
  const trained = (graph.data?.graph ?? [])
    .filter((n) => n.type === 'MODEL')
    .map((n) => obj(n.data))
    .filter((d) => arr(d.trainingRunIds).includes(runId));
  if (trained.length === 0) return null;
  return (
    <div className="data-callout" role="note">
      This run trained{' '}
      {trained.map((m, i) => {
        const name = str(m.name) ?? '?';
        const version = num(m.version) ?? str(m.version) ?? '?';
        return (
          <span key={`${name}:${version}`}>
            {i > 0 && ', '}
            <Link href={href.modelVersion(name, version)}>
              model {name} version {version}
            </Link>
            {str(m.stage) && str(m.stage) !== 'None' && <span className={`badge stage-${str(m.stage)}`}>{str(m.stage)}</span>}
          </span>
        );
      })}
      .
    </div>
  );
}

function CodeLocation({ facets, runFacets }: { facets: JsonObject; runFacets: JsonObject }) {
  const code = obj(facets.sourceCodeLocation);
  const source = obj(facets.sourceCode);
  const tags = objects(obj(runFacets.tags).tags);
  const commit = str(code.version) ?? str(tags.find((t) => str(t.key) === 'git_commit')?.value);
  if (Object.keys(code).length === 0 && !commit && Object.keys(source).length === 0)
    return <Empty>No source code location was sent.</Empty>;
  return (
    <Facts
      facts={[
        { label: 'Type', value: str(code.type) },
        { label: 'Location', value: str(code.url) && <ExternalUrl url={str(code.url)} /> },
        { label: 'Repository', value: str(code.repoUrl) && <ExternalUrl url={str(code.repoUrl)} /> },
        { label: 'Path', value: str(code.path), mono: true },
        { label: 'Commit', value: commit, mono: true },
        { label: 'Branch', value: str(code.branch), mono: true },
        { label: 'Language', value: str(source.language) },
      ]}
    />
  );
}

/** Key/value pairs of a facet holding parameters: a list of `{key, value}` or an object of values. */
function pairs(value: unknown): [string, string][] {
  if (Array.isArray(value))
    return objects(value).flatMap((p) => {
      const key = str(p.key) ?? str(p.name);
      return key === undefined ? [] : [[key, typeof p.value === 'string' ? p.value : JSON.stringify(p.value)] as [string, string]];
    });
  if (isObject(value)) return Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  return [];
}

/** executionParameters (OpenLineage), MLflow's params, and the run's tags. */
function Parameters({ facets }: { facets: JsonObject }) {
  const groups: { title: string; rows: [string, string][] }[] = [
    { title: 'Execution parameters', rows: pairs(obj(facets.executionParameters).parameters) },
    { title: 'MLflow parameters', rows: pairs(obj(facets.mlflow).params ?? obj(facets.mlflow_run).params ?? obj(facets.mlflowRun).params) },
    { title: 'Tags', rows: pairs(obj(facets.tags).tags) },
    // Pedigree's MLflow bridge: each metric's latest value, at its step.
    {
      title: 'Metrics',
      rows: objects(obj(facets.mlflow_metrics).metrics).flatMap((m): [string, string][] => {
        const key = str(m.key);
        return key === undefined ? [] : [[key, `${String(m.value)}${m.step ? ` (step ${String(m.step)})` : ''}`]];
      }),
    },
  ].filter((g) => g.rows.length > 0);
  if (groups.length === 0) return <Empty>No parameters were sent.</Empty>;
  return (
    <>
      {groups.map((g) => (
        <div key={g.title}>
          <h3>{g.title}</h3>
          <table>
            <caption className="visually-hidden">{g.title}</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {g.rows.map(([key, value]) => (
                <tr key={key}>
                  <th scope="row" className="mono">
                    {key}
                  </th>
                  <td className="mono">{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  );
}

/** The dataset versions of a run, each linking to its dataset at that version. */
function DatasetVersions({ list, what }: { list: unknown; what: string }) {
  const items = objects(list).flatMap((io) => {
    const v = obj(io.datasetVersionId);
    const d = ref(v);
    // The version the producer named (dataset-version facet), shown when no stored version is that one.
    const named = str(io.datasetVersion);
    return d ? [{ ...d, version: str(v.version), named }] : [];
  });
  if (items.length === 0) return <Empty>It {what} no dataset.</Empty>;
  return (
    <table>
      <caption className="visually-hidden">Datasets it {what}, at their versions</caption>
      <thead>
        <tr>
          <th scope="col">Dataset</th>
          <th scope="col">Namespace</th>
          <th scope="col">Version</th>
        </tr>
      </thead>
      <tbody>
        {items.map((d) => (
          <VersionRow key={`${d.namespace}:${d.name}`} {...d} />
        ))}
      </tbody>
    </table>
  );
}

/** One dataset at a version: the version id is resolved to the producer's version (`2.1`) when it sent one. */
function VersionRow({ namespace, name, version, named }: { namespace: string; name: string; version: string | undefined; named?: string }) {
  const found = api.useQuery(
    'get',
    '/api/v1/namespaces/{namespace}/datasets/{dataset}/versions/{version}',
    { params: { path: { namespace, dataset: name, version: version ?? '' } } },
    { enabled: !!version },
  );
  const label = str(found.data?.datasetVersion) ?? version;
  return (
    <tr>
      <th scope="row">
        <DatasetLink namespace={namespace} name={name} version={label} />
      </th>
      <td className="mono">{namespace}</td>
      <td>
        {version ? (
          <DatasetLink namespace={namespace} name={name} version={label}>
            <span className="mono" title={version}>
              {found.isPending || label === version ? version.slice(0, 8) : label}
            </span>
          </DatasetLink>
        ) : named ? (
          <span className="mono" title="the version its producer named; no run stored here wrote it">
            {named}
          </span>
        ) : (
          <span className="muted">unknown</span>
        )}
      </td>
    </tr>
  );
}

function Children({ id }: { id: string }) {
  const [offset, setOffset] = useOffsetParam('childrenFrom');
  const children = api.useQuery('get', '/api/v1/jobs/runs/{id}/children', { params: { path: { id }, query: { limit: PAGE, offset } } });
  return (
    <Section title="Child runs">
      <Loaded query={children} what="the child runs">
        {(data) =>
          data.totalCount === 0 ? (
            <Empty>No run names this one as its parent.</Empty>
          ) : (
            <>
              <RunsTable
                caption="Child runs, in the order they started"
                runs={data.runs.map((c) => ({
                  id: c.id,
                  state: c.state,
                  createdAt: c.createdAt,
                  startedAt: c.startedAt ?? undefined,
                  endedAt: c.endedAt ?? undefined,
                  durationMs: c.durationMs ?? undefined,
                }))}
                extra={{
                  header: 'Job',
                  cell: (run) => {
                    const child = data.runs.find((c) => c.id === run.id);
                    return child ? <JobLink {...child.job} /> : null;
                  },
                }}
              />
              <Pager label="Child runs" offset={offset} limit={PAGE} total={data.totalCount} onChange={setOffset} />
            </>
          )
        }
      </Loaded>
    </Section>
  );
}

function Events({
  events,
  ingest,
  total,
}: {
  events: Record<string, unknown>[];
  ingest: { id: string; receivedAt: string; warnings: { pointer: string; message: string }[] }[];
  total: number;
}) {
  if (events.length === 0) return <Empty>No events of this run are stored.</Empty>;
  return (
    <div className="data-events">
      {events.map((event, i) => {
        const kept = ingest[i];
        const type = str(event.eventType) ?? 'no eventType';
        const warnings = kept?.warnings ?? [];
        return (
          <details key={kept?.id ?? i}>
            <summary>
              <span className={`badge state-${type}`}>{type}</span>
              <Time iso={str(event.eventTime)} />
              <span className="muted">{str(event.producer)}</span>
              {warnings.length > 0 && (
                <span className="badge stage-Staging">
                  {warnings.length} warning{warnings.length === 1 ? '' : 's'}
                </span>
              )}
            </summary>
            {kept && (
              <p className="muted">
                Received <Time iso={kept.receivedAt} />, stored as <span className="mono">{kept.id}</span>
              </p>
            )}
            {warnings.length > 0 && (
              <ul className="data-warnings" aria-label="Ingest warnings">
                {warnings.map((w) => (
                  <li key={`${w.pointer}:${w.message}`}>
                    <code>{w.pointer || '/'}</code> {w.message}
                  </li>
                ))}
              </ul>
            )}
            <JsonBlock value={event} label={`${type} event`} />
          </details>
        );
      })}
      {total > events.length && (
        <p className="muted">
          The first {events.length} of {total} events.
        </p>
      )}
    </div>
  );
}
