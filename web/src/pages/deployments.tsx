import { useId } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import type { components } from '../api/schema';
import { StageBadge } from '../components/home-badges';
import { useModelStages } from '../components/home-model-stages';
import { Page, Section } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { Time } from '../components/time';
import { href } from '../links';
import { useSearchParams } from '../url-state';
import './deployments.css';

type Deployment = components['schemas']['Deployment'];

interface Endpoint {
  environment: string;
  endpoint: string;
  /** newest first */
  records: Deployment[];
  current: Deployment | undefined;
}

/** Every endpoint per environment: what it serves now, since when and by whom, and what it served before. */
export default function DeploymentsPage() {
  const [params, setParams] = useSearchParams();
  const environment = params.get('environment') ?? '';
  const q = params.get('q') ?? '';
  const deployments = api.useQuery('get', '/api/v1/deployments', {});
  const setParam = (name: string, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  const ids = useId();

  return (
    <Page title="Deployments" kicker="Where model versions are served">
      <Loaded query={deployments} what="the deployments">
        {(data) => {
          const all = data.deployments;
          const environments = [...new Set(all.map((d) => d.environment))].sort();
          const needle = q.trim().toLowerCase();
          const shown = all.filter(
            (d) =>
              (!environment || d.environment === environment) &&
              (!needle || d.endpoint.toLowerCase().includes(needle) || d.model.toLowerCase().includes(needle)),
          );
          return (
            <>
              <div className="toolbar">
                <label htmlFor={`${ids}-env`}>
                  Environment
                  <select id={`${ids}-env`} value={environment} onChange={(e) => setParam('environment', e.target.value)}>
                    <option value="">all ({environments.length})</option>
                    {environments.map((env) => (
                      <option key={env} value={env}>
                        {env}
                      </option>
                    ))}
                  </select>
                </label>
                <label htmlFor={`${ids}-q`}>
                  Endpoint or model
                  <input id={`${ids}-q`} type="text" value={q} placeholder="filter" onChange={(e) => setParam('q', e.target.value)} />
                </label>
                {all.length >= 1000 && <span className="muted">the 1000 newest records are shown</span>}
              </div>
              {all.length === 0 ? (
                <Empty>
                  No deployment is recorded yet. Record one with <code>POST /api/v1/deployments</code> (or <code>pedigree deploy</code>).
                </Empty>
              ) : shown.length === 0 ? (
                <Empty>No endpoint matches these filters.</Empty>
              ) : (
                <Environments deployments={shown} />
              )}
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}

function group(deployments: Deployment[]): Map<string, Endpoint[]> {
  const byEnv = new Map<string, Map<string, Endpoint>>();
  for (const d of deployments) {
    const endpoints = byEnv.get(d.environment) ?? new Map<string, Endpoint>();
    byEnv.set(d.environment, endpoints);
    const e = endpoints.get(d.endpoint) ?? { environment: d.environment, endpoint: d.endpoint, records: [], current: undefined };
    endpoints.set(d.endpoint, e);
    e.records.push(d);
    if (d.current) e.current = d;
  }
  const sorted = new Map<string, Endpoint[]>();
  for (const env of [...byEnv.keys()].sort())
    sorted.set(
      env,
      [...byEnv.get(env)!.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint)),
    );
  return sorted;
}

function Environments({ deployments }: { deployments: Deployment[] }) {
  const { stageOf } = useModelStages(deployments.map((d) => d.model));
  const grouped = group(deployments);
  return (
    <>
      {[...grouped].map(([environment, endpoints]) => (
        <Section
          key={environment}
          title={`${environment} · ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}`}
          id={`env-${environment.replace(/[^A-Za-z0-9]+/g, '-')}`}
        >
          <div className="table-scroll">
            <table className="deployments-table">
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Serves now</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Since</th>
                  <th scope="col">Deployed by</th>
                  <th scope="col">Served before</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.map((e) => {
                  const earlier = e.records.filter((r) => r !== e.current);
                  return (
                    <tr key={e.endpoint}>
                      <th scope="row">
                        <Link href={href.deployment(e.environment, e.endpoint)} className="mono">
                          {e.endpoint}
                        </Link>
                      </th>
                      <td>
                        {e.current ? (
                          <Link href={href.modelVersion(e.current.model, e.current.version)}>
                            {e.current.model} <span className="muted">v{e.current.version}</span>
                          </Link>
                        ) : (
                          <span className="muted">nothing</span>
                        )}
                      </td>
                      <td>{e.current && <StageBadge stage={stageOf(e.current.model, e.current.version)} />}</td>
                      <td>{e.current && <Time iso={e.current.deployedAt} />}</td>
                      <td>{e.current?.actor}</td>
                      <td>
                        {earlier.length === 0 ? (
                          <span className="muted">—</span>
                        ) : (
                          <ol className="deployments-history" aria-label={`earlier deployments of ${e.endpoint}`}>
                            {earlier.map((r) => (
                              <li key={r.id}>
                                <Link href={href.modelVersion(r.model, r.version)}>
                                  {r.model} v{r.version}
                                </Link>{' '}
                                <span className="muted">
                                  <Time iso={r.deployedAt} />, by {r.actor}
                                </span>
                              </li>
                            ))}
                          </ol>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Section>
      ))}
    </>
  );
}
