import { Link } from 'wouter';
import { api } from '../api/client';
import { type FieldEvent, fieldHistory, type VersionFields } from '../components/data-history';
import { arr, obj, objects, ref, runSummary, str } from '../components/data-json';
import { DatasetLink, FacetList, JobLink, Pager, RunLink, StateBadge, TagList } from '../components/data-ui';
import { Page, Section } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { Time } from '../components/time';
import { href, nodeId } from '../links';
import { useOffsetParam, usePathSegments, useQueryState } from '../url-state';
import './data-pages.css';

const HISTORY_VERSIONS = 100;
const PAGE = 10;

/** A dataset version's label: the producer's version (`2.1`) when it sent one, else the version id. */
function versionLabel(v: unknown): string {
  const o = obj(v);
  return str(o.datasetVersion) ?? str(o.version) ?? '?';
}

function versionFields(v: unknown): VersionFields {
  const list = arr(obj(v).fields);
  return {
    label: versionLabel(v),
    fields:
      list.length === 0 ? null : objects(list).flatMap((f) => (str(f.name) ? [{ name: str(f.name)!, type: str(f.type) ?? null }] : [])),
  };
}

/** Whether `selected` (from `?version=`) names this version, by the producer's version or the id. */
const isVersion = (v: unknown, selected: string | null) =>
  selected !== null && (str(obj(v).datasetVersion) === selected || str(obj(v).version) === selected);

/** `/datasets/:namespace/:name`: schema and its history, versions and their runs, lineage, models. */
export default function DatasetPage() {
  const [, namespaceSegment, nameSegment] = usePathSegments();
  const namespace = namespaceSegment ?? '';
  const name = nameSegment ?? '';
  const [query, setQuery] = useQueryState();
  const selected = query.get('version');
  const path = { namespace, dataset: name };
  const dataset = api.useQuery('get', '/api/v1/namespaces/{namespace}/datasets/{dataset}', { params: { path } });
  const history = api.useQuery('get', '/api/v1/namespaces/{namespace}/datasets/{dataset}/versions', {
    params: { path, query: { limit: HISTORY_VERSIONS } },
  });
  const versions = history.data?.versions ?? [];

  return (
    <Page
      title={name}
      kicker={
        <>
          Dataset · <span className="mono data-kicker-id">{namespace}</span>
        </>
      }
      actions={<Link href={href.lineage(nodeId.dataset(namespace, name))}>Open in the lineage explorer</Link>}
    >
      <Loaded query={dataset} what="the dataset">
        {(d) => (
          <>
            <div className="grid data-grid">
              <Section title="About">
                <dl className="facts">
                  <dt>Namespace</dt>
                  <dd className="mono">{d.namespace}</dd>
                  <dt>Source</dt>
                  <dd>{str(d.sourceName) ?? '—'}</dd>
                  {str(d.description) && (
                    <>
                      <dt>Description</dt>
                      <dd>{str(d.description)}</dd>
                    </>
                  )}
                  <dt>Updated</dt>
                  <dd>
                    <Time iso={str(d.updatedAt)} />
                  </dd>
                  <dt>Latest version</dt>
                  <dd>{versions[0] ? versionLabel(versions[0]) : <span className="muted">none</span>}</dd>
                  <dt>Tags</dt>
                  <dd>
                    <TagList tags={d.tags} />
                  </dd>
                </dl>
                <div className="toolbar data-version-select">
                  <label>
                    Version
                    <select
                      value={selected ?? ''}
                      onChange={(e) => setQuery({ version: e.target.value || undefined })}
                      disabled={versions.length === 0}
                    >
                      <option value="">any version</option>
                      {versions.map((v) => (
                        <option key={v.version} value={versionLabel(v)}>
                          {versionLabel(v)}
                        </option>
                      ))}
                      {selected && !versions.some((v) => isVersion(v, selected)) && <option value={selected}>{selected}</option>}
                    </select>
                  </label>
                </div>
              </Section>
              <Neighbours namespace={namespace} name={name} />
            </div>
            <Section title="Schema">
              <Loaded query={history} what="the versions">
                {() => (
                  <Schema
                    current={d.fields}
                    versions={versions.map(versionFields)}
                    truncated={(history.data?.totalCount ?? 0) > versions.length}
                  />
                )}
              </Loaded>
            </Section>
            <VersionsSection namespace={namespace} name={name} selected={selected} />
            <ModelsSection namespace={namespace} name={name} version={selected} />
            <ColumnLineage namespace={namespace} name={name} />
            <Section title="Facets">
              <FacetList facets={obj(d.facets)} what="dataset" />
            </Section>
          </>
        )}
      </Loaded>
    </Page>
  );
}

function describe(e: FieldEvent): string {
  if (e.kind === 'added') return `added in ${e.version}`;
  if (e.kind === 'dropped') return `dropped in ${e.version}`;
  return `type ${e.from ?? '?'} → ${e.to ?? '?'} in ${e.version}`;
}

function Schema({
  current,
  versions,
  truncated,
}: {
  current: { name: string; type?: string | null }[];
  versions: VersionFields[];
  truncated: boolean;
}) {
  const history = fieldHistory(versions);
  // The dataset's current fields, with those history knows and the current schema lacks (dropped).
  const known = new Set(history.map((h) => h.name));
  const rows = [
    ...history,
    ...current.filter((f) => !known.has(f.name)).map((f) => ({ name: f.name, type: f.type ?? null, current: true, events: [] })),
  ];
  const descriptions = new Map(current.map((f) => [f.name, str(obj(f).description)]));
  if (rows.length === 0) return <Empty>No schema was sent for this dataset.</Empty>;
  return (
    <>
      <div className="table-scroll">
        <table className="data-schema">
          <caption className="visually-hidden">Fields and their history</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Type</th>
              <th scope="col">Description</th>
              <th scope="col">History</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f.name} className={f.current ? undefined : 'data-dropped-row'}>
                <th scope="row" className="mono">
                  {f.name}
                  {!f.current && <span className="badge dropped-badge">dropped</span>}
                </th>
                <td className="mono">{f.type ?? '—'}</td>
                <td>{descriptions.get(f.name) ?? <span className="muted">—</span>}</td>
                <td>
                  <ul className="data-history">
                    {f.events.map((e) => (
                      <li
                        key={`${e.kind}:${e.version}`}
                        className={e.kind === 'dropped' ? 'dropped' : e.kind === 'type' ? 'changed' : 'added'}
                      >
                        {describe(e)}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {truncated && <p className="muted">History computed over the latest {HISTORY_VERSIONS} versions.</p>}
    </>
  );
}

function VersionsSection({ namespace, name, selected }: { namespace: string; name: string; selected: string | null }) {
  const [offset, setOffset] = useOffsetParam('versionsFrom');
  const page = api.useQuery('get', '/api/v1/namespaces/{namespace}/datasets/{dataset}/versions', {
    params: { path: { namespace, dataset: name }, query: { limit: PAGE, offset } },
  });
  return (
    <Section title="Versions">
      <Loaded query={page} what="the versions">
        {(data) =>
          data.versions.length === 0 ? (
            <Empty>No versions.</Empty>
          ) : (
            <>
              <div className="table-scroll">
                <table>
                  <caption className="visually-hidden">Versions, newest first, with the run that wrote each</caption>
                  <thead>
                    <tr>
                      <th scope="col">Version</th>
                      <th scope="col">Created</th>
                      <th scope="col">Written by</th>
                      <th scope="col">Run</th>
                      <th scope="col">State</th>
                      <th scope="col" className="num">
                        Fields
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.versions.map((v) => {
                      const run = runSummary(v.createdByRun);
                      const job = ref(obj(obj(v.createdByRun).jobVersion));
                      const current = isVersion(v, selected);
                      return (
                        <tr key={v.version} className={current ? 'data-selected' : undefined} aria-current={current ? 'true' : undefined}>
                          <th scope="row">
                            <DatasetLink namespace={namespace} name={name} version={versionLabel(v)}>
                              {versionLabel(v)}
                            </DatasetLink>
                            {current && <span className="visually-hidden"> (selected)</span>}
                          </th>
                          <td>
                            <Time iso={str(v.createdAt)} />
                          </td>
                          <td>{job ? <JobLink {...job} /> : <span className="muted">—</span>}</td>
                          <td>{run ? <RunLink id={run.id} /> : <span className="muted">no run</span>}</td>
                          <td>{run && <StateBadge state={run.state} />}</td>
                          <td className="num">{arr(v.fields).length}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <Pager label="Versions" offset={offset} limit={PAGE} total={data.totalCount} onChange={setOffset} />
            </>
          )
        }
      </Loaded>
    </Section>
  );
}

/** Producers and consumers: the jobs one hop away in the lineage graph. */
function Neighbours({ namespace, name }: { namespace: string; name: string }) {
  const id = nodeId.dataset(namespace, name);
  const graph = api.useQuery('get', '/api/v1/lineage', { params: { query: { nodeId: id, depth: 1 } } });
  return (
    <Section title="Producers and consumers">
      <Loaded query={graph} what="the lineage">
        {(data) => {
          const jobs = new Map(data.graph.filter((n) => n.type === 'JOB').map((n) => [n.id, ref(n.data)]));
          const self = data.graph.find((n) => n.id === id);
          const producers = (self?.inEdges ?? []).map((e) => jobs.get(e.origin)).filter((j) => j !== undefined);
          const consumers = (self?.outEdges ?? []).map((e) => jobs.get(e.destination)).filter((j) => j !== undefined);
          return (
            <div className="data-two">
              <div>
                <h3>Written by</h3>
                <JobList jobs={producers} none="No job writes it." label="Producers" />
              </div>
              <div>
                <h3>Read by</h3>
                <JobList jobs={consumers} none="No job reads it." label="Consumers" />
              </div>
            </div>
          );
        }}
      </Loaded>
    </Section>
  );
}

function JobList({ jobs, none, label }: { jobs: { namespace: string; name: string }[]; none: string; label: string }) {
  if (jobs.length === 0) return <Empty>{none}</Empty>;
  return (
    <ul className="data-list" aria-label={label}>
      {jobs.map((j) => (
        <li key={`${j.namespace}:${j.name}`}>
          <span className="badge badge-job">job</span> <JobLink {...j} /> <span className="muted mono">{j.namespace}</span>
        </li>
      ))}
    </ul>
  );
}

function ModelsSection({ namespace, name, version }: { namespace: string; name: string; version: string | null }) {
  const models = api.useQuery('get', '/api/v1/namespaces/{namespace}/datasets/{dataset}/models', {
    params: { path: { namespace, dataset: name }, query: version ? { version } : {} },
  });
  return (
    <Section title={version ? `Models trained on version ${version}` : 'Models trained on it'} id="section-models">
      <Loaded query={models} what="the models trained on it">
        {(data) =>
          data.models.length === 0 ? (
            <Empty>No model version was trained on {version ? `version ${version}` : 'it'}, directly or downstream.</Empty>
          ) : (
            <>
              <div className="table-scroll">
                <table>
                  <caption className="visually-hidden">Model versions trained on the dataset</caption>
                  <thead>
                    <tr>
                      <th scope="col">Model version</th>
                      <th scope="col">Stage</th>
                      <th scope="col">Aliases</th>
                      <th scope="col">Deployed at</th>
                      <th scope="col">Read version</th>
                      <th scope="col">Training run</th>
                      <th scope="col">How</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.models.map((m) => {
                      const read = m.path.find((p) => p.kind === 'dataset');
                      return (
                        <tr key={`${m.model}:${m.version}`}>
                          <th scope="row">
                            <Link href={href.modelVersion(m.model, m.version)}>
                              {m.model} v{m.version}
                            </Link>
                          </th>
                          <td>
                            <span className={`badge stage-${m.stage}`}>{m.stage}</span>
                          </td>
                          <td>{m.aliases.length ? m.aliases.map((a) => <code key={a}>@{a} </code>) : <span className="muted">—</span>}</td>
                          <td>
                            {m.deployments.filter((x) => x.current).length === 0 ? (
                              <span className="muted">not deployed</span>
                            ) : (
                              m.deployments
                                .filter((x) => x.current)
                                .map((x) => (
                                  <div key={x.id}>
                                    <Link href={href.deployment(x.environment, x.endpoint)}>{x.endpoint}</Link>{' '}
                                    <span className="muted">({x.environment})</span>
                                  </div>
                                ))
                            )}
                          </td>
                          <td>{read?.kind === 'dataset' ? (read.version ?? <span className="muted">unknown</span>) : '—'}</td>
                          <td>
                            <RunLink id={m.trainingRunId} />
                          </td>
                          <td>{m.direct ? 'trained on it' : `downstream, ${m.path.filter((p) => p.kind === 'job').length} jobs away`}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              {data.truncated && <p className="muted">The walk downstream was cut short: there may be more.</p>}
            </>
          )
        }
      </Loaded>
    </Section>
  );
}

/** Each field of the dataset with the input fields it is computed from. */
function ColumnLineage({ namespace, name }: { namespace: string; name: string }) {
  const lineage = api.useQuery('get', '/api/v1/column-lineage', {
    params: { query: { nodeId: nodeId.dataset(namespace, name), depth: 1 } },
  });
  return (
    <Section title="Column lineage">
      <Loaded query={lineage} what="the column lineage">
        {(data) => {
          const rows = data.graph
            .map((n) => obj(n.data))
            .filter((d) => str(d.namespace) === namespace && str(d.dataset) === name && arr(d.inputFields).length > 0)
            .flatMap((d) =>
              objects(d.inputFields).map((input) => ({
                field: str(d.field) ?? '?',
                input,
              })),
            );
          if (rows.length === 0) return <Empty>No column lineage was sent for this dataset.</Empty>;
          return (
            <div className="table-scroll">
              <table>
                <caption className="visually-hidden">Each field and the input fields it comes from</caption>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col" aria-label="comes from" />
                    <th scope="col">Input dataset</th>
                    <th scope="col">Input field</th>
                    <th scope="col">Transformation</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map(({ field, input }, i) => {
                    const ns = str(input.namespace) ?? '';
                    const ds = str(input.dataset) ?? '';
                    const how = [str(input.transformationType), str(input.transformationDescription)].filter(Boolean).join(': ');
                    return (
                      // biome-ignore lint/suspicious/noArrayIndexKey: one row per (field, input), which may repeat.
                      <tr key={`${field}:${ns}:${ds}:${str(input.field)}:${i}`}>
                        <th scope="row" className="mono">
                          {field}
                        </th>
                        <td aria-hidden="true">←</td>
                        <td>
                          <DatasetLink namespace={ns} name={ds} /> <span className="muted mono">{ns}</span>
                        </td>
                        <td className="mono">{str(input.field) ?? '—'}</td>
                        <td>{how || <span className="muted">—</span>}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          );
        }}
      </Loaded>
    </Section>
  );
}
