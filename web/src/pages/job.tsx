import { Link } from 'wouter';
import { api } from '../api/client';
import { obj, ref, runSummary, str, strings } from '../components/data-json';
import { DatasetLink, FacetList, Facts, JobLink, Pager, RunLink, RunsTable, StateBadge, TagList } from '../components/data-ui';
import { Page, Section } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { duration, Time } from '../components/time';
import { href, nodeId } from '../links';
import { useOffsetParam, usePathSegments } from '../url-state';
import './data-pages.css';

const PAGE = 10;

/** `/jobs/:namespace/:name`: latest state, runs, versions, inputs and outputs, code, facets, tags. */
export default function JobPage() {
  const [, namespaceSegment, nameSegment] = usePathSegments();
  const namespace = namespaceSegment ?? '';
  const name = nameSegment ?? '';
  const path = { namespace, job: name };
  const job = api.useQuery('get', '/api/v1/namespaces/{namespace}/jobs/{job}', { params: { path } });
  return (
    <Page
      title={name}
      kicker={
        <>
          Job · <span className="mono data-kicker-id">{namespace}</span>
        </>
      }
      actions={<Link href={href.lineage(nodeId.job(namespace, name))}>Open in the lineage explorer</Link>}
    >
      <Loaded query={job} what="the job">
        {(j) => {
          const latest = runSummary(j.latestRun);
          const parent = str(j.parentJobName);
          const facets = obj(j.facets);
          const code = obj(facets.sourceCodeLocation);
          return (
            <>
              <div className="grid data-grid">
                <Section title="Latest state">
                  <dl className="facts">
                    <dt>State</dt>
                    <dd>{latest ? <StateBadge state={latest.state} /> : <span className="muted">never ran</span>}</dd>
                    {latest && (
                      <>
                        <dt>Latest run</dt>
                        <dd>
                          <RunLink id={latest.id} /> started <Time iso={latest.startedAt ?? latest.createdAt} />, took{' '}
                          {duration(latest.durationMs)}
                        </dd>
                      </>
                    )}
                    <dt>Type</dt>
                    <dd>{j.type}</dd>
                    {parent && (
                      <>
                        <dt>Parent job</dt>
                        <dd>
                          <JobLink namespace={namespace} name={parent} />
                        </dd>
                      </>
                    )}
                    {str(j.description) && (
                      <>
                        <dt>Description</dt>
                        <dd>{str(j.description)}</dd>
                      </>
                    )}
                    <dt>Updated</dt>
                    <dd>
                      <Time iso={str(j.updatedAt)} />
                    </dd>
                    <dt>Tags</dt>
                    <dd>
                      <TagList tags={strings(j.tags)} />
                    </dd>
                  </dl>
                </Section>
                <Section title="Source code">
                  {str(j.location) || Object.keys(code).length > 0 ? (
                    <Facts
                      facts={[
                        { label: 'Type', value: str(code.type) },
                        { label: 'Location', value: <ExternalUrl url={str(j.location) ?? str(code.url)} /> },
                        { label: 'Repository', value: str(code.repoUrl) && <ExternalUrl url={str(code.repoUrl)} /> },
                        { label: 'Path', value: str(code.path), mono: true },
                        { label: 'Version', value: str(code.version), mono: true },
                      ]}
                    />
                  ) : (
                    <Empty>No source code location was sent.</Empty>
                  )}
                </Section>
                <Section title="Inputs and outputs">
                  <div className="data-two">
                    <div>
                      <h3>Reads</h3>
                      <DatasetList datasets={j.inputs} none="No inputs." label="Inputs" />
                    </div>
                    <div>
                      <h3>Writes</h3>
                      <DatasetList datasets={j.outputs} none="No outputs." label="Outputs" />
                    </div>
                  </div>
                </Section>
              </div>
              <JobRuns namespace={namespace} name={name} />
              <JobVersions namespace={namespace} name={name} current={str(j.currentVersion)} />
              <Section title="Facets">
                <FacetList facets={facets} what="job" />
              </Section>
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}

/** A URL from an event, shown as a link only when it is http(s). */
export function ExternalUrl({ url }: { url: string | undefined }) {
  if (!url) return <span className="muted">—</span>;
  return /^https?:\/\//i.test(url) ? (
    <a href={url} target="_blank" rel="noreferrer noopener" className="mono">
      {url}
    </a>
  ) : (
    <span className="mono">{url}</span>
  );
}

function DatasetList({ datasets, none, label }: { datasets: unknown; none: string; label: string }) {
  const list = (Array.isArray(datasets) ? datasets : []).map(ref).filter((d) => d !== undefined);
  if (list.length === 0) return <Empty>{none}</Empty>;
  return (
    <ul className="data-list" aria-label={label}>
      {list.map((d) => (
        <li key={`${d.namespace}:${d.name}`}>
          <span className="badge badge-dataset">dataset</span> <DatasetLink {...d} /> <span className="muted mono">{d.namespace}</span>
        </li>
      ))}
    </ul>
  );
}

function JobRuns({ namespace, name }: { namespace: string; name: string }) {
  const [offset, setOffset] = useOffsetParam('runsFrom');
  const runs = api.useQuery('get', '/api/v1/namespaces/{namespace}/jobs/{job}/runs', {
    params: { path: { namespace, job: name }, query: { limit: PAGE, offset } },
  });
  return (
    <Section title="Runs">
      <Loaded query={runs} what="the runs">
        {(data) => (
          <>
            <RunsTable runs={data.runs.map(runSummary).filter((r) => r !== undefined)} caption="Runs, newest first" />
            <Pager
              label="Runs"
              offset={offset}
              limit={PAGE}
              total={typeof data.totalCount === 'number' ? data.totalCount : data.runs.length}
              onChange={setOffset}
            />
          </>
        )}
      </Loaded>
    </Section>
  );
}

function JobVersions({ namespace, name, current }: { namespace: string; name: string; current: string | undefined }) {
  const [offset, setOffset] = useOffsetParam('versionsFrom');
  const versions = api.useQuery('get', '/api/v1/namespaces/{namespace}/jobs/{job}/versions', {
    params: { path: { namespace, job: name }, query: { limit: PAGE, offset } },
  });
  return (
    <Section title="Versions">
      <Loaded query={versions} what="the versions">
        {(data) =>
          data.versions.length === 0 ? (
            <Empty>No versions: the job never sent its inputs, outputs or code together.</Empty>
          ) : (
            <>
              <div className="table-scroll">
                <table>
                  <caption className="visually-hidden">Job versions, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Version</th>
                      <th scope="col">Created</th>
                      <th scope="col">Inputs</th>
                      <th scope="col">Outputs</th>
                      <th scope="col">Latest run</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.versions.map((v) => {
                      const run = runSummary(v.latestRun);
                      return (
                        <tr key={v.version} className={v.version === current ? 'data-selected' : undefined}>
                          <th scope="row" className="mono" title={v.version}>
                            {v.version.slice(0, 8)}
                            {v.version === current && <span className="badge data-current">current</span>}
                          </th>
                          <td>
                            <Time iso={str(v.createdAt)} />
                          </td>
                          <td>
                            <Names list={v.inputs} />
                          </td>
                          <td>
                            <Names list={v.outputs} />
                          </td>
                          <td>
                            {run ? (
                              <>
                                <RunLink id={run.id} /> <StateBadge state={run.state} />
                              </>
                            ) : (
                              <span className="muted">—</span>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <Pager
                label="Versions"
                offset={offset}
                limit={PAGE}
                total={typeof data.totalCount === 'number' ? data.totalCount : data.versions.length}
                onChange={setOffset}
              />
            </>
          )
        }
      </Loaded>
    </Section>
  );
}

function Names({ list }: { list: unknown }) {
  const refs = (Array.isArray(list) ? list : []).map(ref).filter((d) => d !== undefined);
  if (refs.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {refs.map((d, i) => (
        <span key={`${d.namespace}:${d.name}`}>
          {i > 0 && ', '}
          <DatasetLink {...d} />
        </span>
      ))}
    </>
  );
}
