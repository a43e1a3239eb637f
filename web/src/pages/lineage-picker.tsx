import { Link } from 'wouter';
import { api } from '../api/client';
import { Section } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { Time } from '../components/time';
import { KindIcon } from '../graph/nodes';
import { href, nodeId } from '../links';

/** With no node chosen: a few recent things to start from (or the search in the header). */
export function LineagePicker() {
  const jobs = api.useQuery('get', '/api/v1/jobs', { params: { query: { limit: 8 } } });
  const models = api.useQuery('get', '/api/2.0/mlflow/registered-models/search', { params: { query: { max_results: 8 } } });
  const deployments = api.useQuery('get', '/api/v1/deployments', {});
  return (
    <>
      <p className="lineage-intro">
        Choose what to centre the graph on: search for a dataset, job, model or endpoint in the header (<kbd>/</kbd>), or start from one of
        these.
      </p>
      <div className="grid">
        <Section title="Recent jobs">
          <Loaded query={jobs} what="the recent jobs">
            {(data) =>
              data.jobs.length === 0 ? (
                <Empty>No job yet.</Empty>
              ) : (
                <ul className="lineage-pick-list">
                  {data.jobs.map((j) => (
                    <li key={`${j.namespace}:${j.name}`}>
                      <Link href={href.lineage(nodeId.job(j.namespace, j.name))}>
                        <KindIcon kind="job" /> {j.name}
                      </Link>{' '}
                      <span className="muted">{j.namespace}</span> <Time iso={j.latestRun?.createdAt ?? null} />
                      {outputsOf(j).length > 0 && (
                        <div className="lineage-pick-outputs">
                          writes{' '}
                          {outputsOf(j).map((d, i) => (
                            <span key={`${d.namespace}:${d.name}`}>
                              {i > 0 && ', '}
                              <Link href={href.lineage(nodeId.dataset(d.namespace, d.name))}>
                                <KindIcon kind="dataset" /> {d.name}
                              </Link>
                            </span>
                          ))}
                        </div>
                      )}
                    </li>
                  ))}
                </ul>
              )
            }
          </Loaded>
        </Section>
        <Section title="Models">
          <Loaded query={models} what="the models">
            {(data) =>
              (data.registered_models ?? []).length === 0 ? (
                <Empty>No model registered.</Empty>
              ) : (
                <ul className="lineage-pick-list">
                  {(data.registered_models ?? []).flatMap((m) =>
                    m.latest_versions.map((v) => (
                      <li key={`${m.name}:${v.version}`}>
                        <Link href={href.lineage(nodeId.model(m.name, v.version))}>
                          <KindIcon kind="model" /> {m.name} v{v.version}
                        </Link>{' '}
                        <span className={`badge stage-${v.current_stage}`}>{v.current_stage}</span>
                      </li>
                    )),
                  )}
                </ul>
              )
            }
          </Loaded>
        </Section>
        <Section title="Deployments">
          <Loaded query={deployments} what="the deployments">
            {(data) => {
              const current = data.deployments.filter((d) => d.current);
              return current.length === 0 ? (
                <Empty>Nothing deployed.</Empty>
              ) : (
                <ul className="lineage-pick-list">
                  {current.map((d) => (
                    <li key={d.id}>
                      <Link href={href.lineage(nodeId.deployment(d.environment, d.endpoint))}>
                        <KindIcon kind="deployment" /> {d.endpoint}
                      </Link>{' '}
                      <span className="muted">
                        {d.environment} → {d.model} v{d.version}
                      </span>
                    </li>
                  ))}
                </ul>
              );
            }}
          </Loaded>
        </Section>
      </div>
    </>
  );
}

/** A job's outputs, as the jobs listing gives them (a Marquez Job's `outputs`). */
function outputsOf(job: Record<string, unknown>): { namespace: string; name: string }[] {
  const outputs = Array.isArray(job.outputs) ? job.outputs : [];
  return outputs
    .map((o) => (o && typeof o === 'object' ? (o as Record<string, unknown>) : {}))
    .filter((o): o is { namespace: string; name: string } => typeof o.namespace === 'string' && typeof o.name === 'string')
    .slice(0, 4);
}
