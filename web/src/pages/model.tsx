import { useId, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../api/client';
import { mlflowLiteral } from '../api/mlflow-filter';
import { ModelDeploymentsTable } from '../components/model-approval';
import { AliasBadges, type Schemas, StageBadge } from '../components/model-common';
import { ModelTimeline, type StageSpan, stageSpans } from '../components/model-timeline';
import { Page, Section } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { Time } from '../components/time';
import { href, nodeId } from '../links';
import { usePathSegments } from '../url-state';
import './models.css';

/** The timeline draws the newest this many versions. */
const TIMELINE_VERSIONS = 30;

function Timeline({ name, versions }: { name: string; versions: Schemas['MlflowModelVersion'][] }) {
  const shown = versions.slice(0, TIMELINE_VERSIONS);
  // One read: the model's whole audit history, every version's stage changes in it.
  const history = api.useQuery('get', '/api/v1/models/{name}/history', { params: { path: { name }, query: { limit: 10_000 } } });
  return (
    <Loaded query={history} what="the stage history">
      {(h) => {
        const spans: StageSpan[] = shown.flatMap((v) =>
          stageSpans(
            Number(v.version),
            h.history.filter((e) => e.version === null || e.version === Number(v.version)),
          ),
        );
        return (
          <>
            <ModelTimeline name={name} spans={spans} versions={shown.map((v) => Number(v.version))} />
            {versions.length > shown.length && (
              <p className="muted">
                The newest {shown.length} of {versions.length} versions are drawn.
              </p>
            )}
            {h.totalCount > h.history.length && (
              <p className="muted">
                The first {h.history.length} of {h.totalCount} history entries are drawn.
              </p>
            )}
          </>
        );
      }}
    </Loaded>
  );
}

function DiffPicker({ name, versions }: { name: string; versions: string[] }) {
  const [, navigate] = useLocation();
  const [from, setFrom] = useState(versions[1] ?? versions[0] ?? '');
  const [to, setTo] = useState(versions[0] ?? '');
  const ids = { from: useId(), to: useId() };
  if (versions.length < 2) return <Empty>One version only: nothing to compare yet.</Empty>;
  return (
    <form
      className="toolbar"
      aria-label="Compare two versions"
      onSubmit={(e) => {
        e.preventDefault();
        navigate(href.modelDiff(name, from, to));
      }}
    >
      <label htmlFor={ids.from}>From</label>
      <select id={ids.from} value={from} onChange={(e) => setFrom(e.target.value)}>
        {versions.map((v) => (
          <option key={v} value={v}>
            v{v}
          </option>
        ))}
      </select>
      <label htmlFor={ids.to}>to</label>
      <select id={ids.to} value={to} onChange={(e) => setTo(e.target.value)}>
        {versions.map((v) => (
          <option key={v} value={v}>
            v{v}
          </option>
        ))}
      </select>
      <button type="submit" className="primary" disabled={from === to}>
        Compare
      </button>
      {from === to && <span className="muted">pick two different versions</span>}
    </form>
  );
}

function VersionsTable({ name, versions }: { name: string; versions: Schemas['MlflowModelVersion'][] }) {
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">Versions of {name}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Stage</th>
            <th scope="col">Aliases</th>
            <th scope="col">Registry run</th>
            <th scope="col">Source</th>
            <th scope="col">Registered</th>
            <th scope="col">Compare</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v, i) => {
            const previous = versions[i + 1];
            return (
              <tr key={v.version}>
                <th scope="row">
                  <Link href={href.modelVersion(name, v.version)}>v{v.version}</Link>
                </th>
                <td>
                  <StageBadge stage={v.current_stage} />
                </td>
                <td>
                  <AliasBadges aliases={v.aliases} />
                </td>
                <td className="mono">{v.run_id || <span className="muted">—</span>}</td>
                <td className="mono models-source">{v.source || <span className="muted">—</span>}</td>
                <td>
                  <Time iso={new Date(v.creation_timestamp).toISOString()} /> <span className="muted">by {v.user_id || 'unknown'}</span>
                </td>
                <td>
                  {previous ? (
                    <Link href={href.modelDiff(name, previous.version, v.version)}>
                      v{previous.version} → v{v.version}
                    </Link>
                  ) : (
                    <span className="muted">first</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A registered model: its versions on a timeline of stages, aliases, deployments, and a diff between any two versions. */
export default function ModelPage() {
  const name = usePathSegments()[1] ?? '';
  const model = api.useQuery('get', '/api/2.0/mlflow/registered-models/get', { params: { query: { name } } });
  const versions = api.useQuery('get', '/api/2.0/mlflow/model-versions/search', {
    params: { query: { filter: `name = ${mlflowLiteral(name) ?? "''"}`, order_by: ['version_number DESC'], max_results: 1000 } },
  });
  const deployments = api.useQuery('get', '/api/v1/deployments', { params: { query: { model: name } } });
  const list = versions.data?.model_versions ?? [];
  const latest = list[0];
  return (
    <Page
      title={name}
      kicker={
        <>
          <Link href={href.models()}>Models</Link> / model
        </>
      }
      actions={
        latest && (
          <Link className="model-button-link" href={href.lineage(nodeId.model(name, latest.version))}>
            Lineage of v{latest.version}
          </Link>
        )
      }
    >
      <div className="model-page">
        <Loaded query={model} what={`the model ${name}`}>
          {({ registered_model: m }) => (
            <div className="grid model-grid">
              <Section title="About">
                <dl className="facts">
                  <dt>Description</dt>
                  <dd>{m.description || <span className="muted">none</span>}</dd>
                  <dt>Tags</dt>
                  <dd>
                    {m.tags.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      <span className="model-badges">
                        {m.tags.map((t) => (
                          <span key={t.key} className="badge model-tag">
                            {t.key}={t.value}
                          </span>
                        ))}
                      </span>
                    )}
                  </dd>
                  <dt>Aliases</dt>
                  <dd>
                    {m.aliases.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      <span className="model-badges">
                        {m.aliases.map((a) => (
                          <span key={a.alias}>
                            <AliasBadges aliases={[a.alias]} /> → <Link href={href.modelVersion(name, a.version)}>v{a.version}</Link>
                          </span>
                        ))}
                      </span>
                    )}
                  </dd>
                  <dt>Created</dt>
                  <dd>
                    <Time iso={new Date(m.creation_timestamp).toISOString()} /> by {m.user_id || 'unknown'}
                  </dd>
                </dl>
              </Section>
              <Section title="Compare versions">
                <Loaded query={versions} what="the versions">
                  {(v) => <DiffPicker name={name} versions={v.model_versions.map((x) => x.version)} />}
                </Loaded>
              </Section>
            </div>
          )}
        </Loaded>
        <Section title="Stage timeline">
          <Loaded query={versions} what="the versions">
            {(v) =>
              v.model_versions.length === 0 ? (
                <Empty>No version registered yet.</Empty>
              ) : (
                <Timeline name={name} versions={v.model_versions} />
              )
            }
          </Loaded>
        </Section>
        <Section title="Versions">
          <Loaded query={versions} what="the versions">
            {(v) =>
              v.model_versions.length === 0 ? (
                <Empty>No version registered yet.</Empty>
              ) : (
                <VersionsTable name={name} versions={v.model_versions} />
              )
            }
          </Loaded>
        </Section>
        <Section title="Deployments">
          <Loaded query={deployments} what="the deployments">
            {(d) => <ModelDeploymentsTable deployments={d.deployments} showModel />}
          </Loaded>
        </Section>
      </div>
    </Page>
  );
}
