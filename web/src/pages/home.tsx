import { Link } from 'wouter';
import { api } from '../api/client';
import { RunStateBadge, ShortId, StageBadge } from '../components/home-badges';
import { EventsChart } from '../components/home-events-chart';
import { Page, Section } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { Time } from '../components/time';
import { href } from '../links';
import { useSearchParams } from '../url-state';
import './home.css';

const zone = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
})();

/**
 * The front page: what ran lately and what is failing, how many events arrived each day this week, which
 * models are in production and where they are served, each one click from its page. Loaded with the
 * shell, so it stays light (no graph code).
 */
export function Home() {
  const [params, setParams] = useSearchParams();
  const asTable = params.get('events') === 'table';
  return (
    <Page title="Pedigree" kicker="Lineage and model provenance">
      <p className="home-hint muted">
        Press <kbd>/</kbd> to search datasets, jobs, models and endpoints from any page.
      </p>
      <Counts />
      <div className="grid home-grid">
        <ModelsInProduction />
        <Section title="Lineage events, last 7 days" id="home-events">
          <EventsPerDay
            asTable={asTable}
            onAsTable={(table) =>
              setParams(
                (prev) => {
                  const next = new URLSearchParams(prev);
                  if (table) next.set('events', 'table');
                  else next.delete('events');
                  return next;
                },
                { replace: true },
              )
            }
          />
        </Section>
        <Section title="Recent runs" id="home-recent">
          <Jobs />
        </Section>
        <Section title="Failing runs" id="home-failing">
          <Jobs failing />
        </Section>
      </div>
    </Page>
  );
}

function Counts() {
  const namespaces = api.useQuery('get', '/api/v1/namespaces', { params: { query: { limit: 1000 } } });
  const datasets = api.useQuery('get', '/api/v1/stats/datasets', { params: { query: { period: 'DAY' } } });
  const jobs = api.useQuery('get', '/api/v1/jobs', { params: { query: { limit: 8 } } });
  const models = api.useQuery('get', '/api/2.0/mlflow/registered-models/search', { params: { query: { max_results: 1000 } } });
  const deployments = api.useQuery('get', '/api/v1/deployments', {});
  const n = (value: number | undefined, capped = false) => (value === undefined ? '…' : capped ? `${value}+` : String(value));
  const lastDatasets = datasets.data?.[datasets.data.length - 1]?.count;
  const modelCount = models.data?.registered_models.length;
  const endpoints = deployments.data?.deployments.filter((d) => d.current).length;
  // Hidden (soft-deleted) namespaces are still listed, as Marquez lists them: not counted, as its web UI does.
  const shown = namespaces.data?.namespaces.filter((ns) => !ns.isHidden).length;
  const tiles: { label: string; value: string; to?: string }[] = [
    { label: 'Namespaces', value: n(shown, namespaces.data?.namespaces.length === 1000) },
    { label: 'Datasets', value: n(lastDatasets) },
    { label: 'Jobs', value: n(jobs.data?.totalCount) },
    { label: 'Models', value: n(modelCount, models.data?.next_page_token !== undefined), to: href.models() },
    { label: 'Endpoints', value: n(endpoints), to: href.deployments() },
  ];
  return (
    <dl className="home-counts" aria-label="Counts">
      {tiles.map((t) => (
        <div key={t.label} className="home-count">
          <dt>{t.to ? <Link href={t.to}>{t.label}</Link> : t.label}</dt>
          <dd>{t.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function EventsPerDay({ asTable, onAsTable }: { asTable: boolean; onAsTable: (table: boolean) => void }) {
  const stats = api.useQuery('get', '/api/v1/stats/lineage-events', { params: { query: { period: 'WEEK', timezone: zone } } });
  return (
    <Loaded query={stats} what="the events per day">
      {(buckets) => <EventsChart buckets={buckets} asTable={asTable} onAsTable={onAsTable} />}
    </Loaded>
  );
}

function Jobs({ failing = false }: { failing?: boolean }) {
  const jobs = api.useQuery('get', '/api/v1/jobs', {
    params: { query: failing ? { limit: 8, lastRunStates: ['FAILED', 'ABORTED'] } : { limit: 8 } },
  });
  return (
    <Loaded query={jobs} what={failing ? 'the failing runs' : 'the recent runs'}>
      {(data) =>
        data.jobs.length === 0 ? (
          <Empty>{failing ? 'No job’s latest run failed or was aborted.' : 'No job has run yet.'}</Empty>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Latest run</th>
                  <th scope="col">State</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {data.jobs.map((job) => (
                  <tr key={`${job.namespace}\u0000${job.name}`}>
                    <td className="home-name">
                      <Link href={href.job(job.namespace, job.name)}>{job.name}</Link>{' '}
                      <span className="muted home-namespace">{job.namespace}</span>
                    </td>
                    <td>
                      {job.latestRun ? (
                        <Link href={href.run(job.latestRun.id)} aria-label={`run ${job.latestRun.id} of ${job.name}`}>
                          <ShortId id={job.latestRun.id} />
                        </Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      <RunStateBadge state={job.latestRun?.state} />
                    </td>
                    <td>
                      <Time iso={typeof job.updatedAt === 'string' ? job.updatedAt : job.latestRun?.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {data.totalCount > data.jobs.length && (
              <p className="muted home-more">
                {data.jobs.length} of {data.totalCount} {failing ? 'failing jobs' : 'jobs'}, most recently updated first.
              </p>
            )}
          </div>
        )
      }
    </Loaded>
  );
}

function ModelsInProduction() {
  const models = api.useQuery('get', '/api/2.0/mlflow/registered-models/search', { params: { query: { max_results: 1000 } } });
  const deployments = api.useQuery('get', '/api/v1/deployments', {});
  return (
    <Section title="Models in production" id="home-production">
      <Loaded query={models} what="the models">
        {(m) => (
          <Loaded query={deployments} what="the deployments">
            {(d) => {
              const current = d.deployments.filter((x) => x.current);
              const production = m.registered_models.flatMap((model) =>
                model.latest_versions.filter((v) => v.current_stage === 'Production'),
              );
              const served = new Set(production.map((v) => `${v.name}\u0000${v.version}`));
              const others = current.filter((x) => !served.has(`${x.model}\u0000${x.version}`));
              if (production.length === 0 && current.length === 0)
                return <Empty>No model version is in Production and no endpoint serves one yet.</Empty>;
              return (
                <>
                  {production.length === 0 ? (
                    <Empty>No model version is in Production.</Empty>
                  ) : (
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Model version</th>
                          <th scope="col">Stage</th>
                          <th scope="col">Served at</th>
                        </tr>
                      </thead>
                      <tbody>
                        {production.map((v) => {
                          const endpoints = current.filter((x) => x.model === v.name && String(x.version) === v.version);
                          return (
                            <tr key={`${v.name}\u0000${v.version}`}>
                              <td>
                                <Link href={href.modelVersion(v.name, v.version)}>
                                  {v.name} <span className="muted">v{v.version}</span>
                                </Link>
                              </td>
                              <td>
                                <StageBadge stage={v.current_stage} />
                              </td>
                              <td>
                                {endpoints.length === 0 ? (
                                  <span className="muted">no endpoint</span>
                                ) : (
                                  <ul className="home-endpoints">
                                    {endpoints.map((x) => (
                                      <li key={x.id}>
                                        <Link href={href.deployment(x.environment, x.endpoint)} className="mono">
                                          {x.endpoint}
                                        </Link>{' '}
                                        <span className="muted">
                                          {x.environment}, since <Time iso={x.deployedAt} />
                                        </span>
                                      </li>
                                    ))}
                                  </ul>
                                )}
                              </td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  )}
                  {others.length > 0 && (
                    <>
                      <h3>Other endpoints</h3>
                      <ul className="home-endpoints">
                        {others.map((x) => (
                          <li key={x.id}>
                            <Link href={href.deployment(x.environment, x.endpoint)} className="mono">
                              {x.endpoint}
                            </Link>{' '}
                            <span className="muted">({x.environment}) serves</span>{' '}
                            <Link href={href.modelVersion(x.model, x.version)}>
                              {x.model} v{x.version}
                            </Link>
                          </li>
                        ))}
                      </ul>
                    </>
                  )}
                </>
              );
            }}
          </Loaded>
        )}
      </Loaded>
    </Section>
  );
}
