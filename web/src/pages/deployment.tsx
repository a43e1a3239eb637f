import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import type { components } from '../api/schema';
import { RunStateBadge, ShortId, StageBadge, VerdictBadge } from '../components/home-badges';
import { Page, Section } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { between, Time } from '../components/time';
import { href, nodeId } from '../links';
import { usePathSegments } from '../url-state';
import './deployments.css';

type Deployment = components['schemas']['Deployment'];
type ModelLineage = components['schemas']['ModelLineage'];
type ModelApproval = components['schemas']['ModelApproval'];
type TrainingRun = components['schemas']['TrainingRun'];
type DatasetAtVersion = components['schemas']['DatasetAtVersion'];

/**
 * One endpoint's whole ancestry on one page, the product's promise: the endpoint → the model version it
 * serves (stage, approval, who promoted it) → the run that trained it (code, parameters) → the datasets
 * it read, at the exact versions read. Then the endpoint's deployment history.
 */
export default function DeploymentPage() {
  const [, environment = '', endpoint = ''] = usePathSegments();
  const deployments = api.useQuery('get', '/api/v1/deployments', { params: { query: { environment, endpoint } } });
  const explore = (
    <Link href={href.lineage(nodeId.deployment(environment, endpoint))} className="button-link">
      Open in the lineage explorer
    </Link>
  );
  return (
    <Page title={endpoint} kicker={<>Endpoint · {environment}</>} actions={explore}>
      <Loaded query={deployments} what="the endpoint's deployments">
        {(data) => {
          // Newest first: the current one, else (should the flag be missing) the latest.
          const records = data.deployments;
          const serving = records.find((d) => d.current) ?? records[0];
          if (!serving)
            return (
              <Empty>
                No deployment is recorded at <code>{endpoint}</code> in {environment}. See{' '}
                <Link href={href.deployments()}>all deployments</Link>.
              </Empty>
            );
          return (
            <>
              <Ancestry deployment={serving} />
              <History records={records} />
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}

function Step({ n, title, id, children }: { n: number; title: string; id: string; children: ReactNode }) {
  return (
    <li className="ancestry-step">
      <span className="ancestry-number" aria-hidden="true">
        {n}
      </span>
      <Section title={title} id={id}>
        {children}
      </Section>
    </li>
  );
}

function Ancestry({ deployment }: { deployment: Deployment }) {
  const path = { params: { path: { name: deployment.model, version: String(deployment.version) } } };
  const lineage = api.useQuery('get', '/api/v1/models/{name}/versions/{version}/lineage', path);
  const approval = api.useQuery('get', '/api/v1/models/{name}/versions/{version}/approval', path);
  return (
    <>
      {lineage.data && <Lead deployment={deployment} lineage={lineage.data} />}
      <ol className="ancestry" aria-label="Where this endpoint's model came from">
        <Step n={1} title="Endpoint" id="step-endpoint">
          <dl className="facts">
            <dt>Endpoint</dt>
            <dd className="mono">{deployment.endpoint}</dd>
            <dt>Environment</dt>
            <dd>{deployment.environment}</dd>
            <dt>Serves</dt>
            <dd>
              <Link href={href.modelVersion(deployment.model, deployment.version)}>
                {deployment.model} version {deployment.version}
              </Link>
              {!deployment.current && <span className="muted"> (no longer current)</span>}
            </dd>
            <dt>Since</dt>
            <dd>
              <Time iso={deployment.deployedAt} />
            </dd>
            <dt>Deployed by</dt>
            <dd>{deployment.actor}</dd>
          </dl>
        </Step>
        <Step n={2} title="Model version" id="step-model">
          <Loaded query={approval} what="the model version's approval">
            {(a) => <ModelVersion approval={a} />}
          </Loaded>
        </Step>
        <Step n={3} title="Training run" id="step-run">
          <Loaded query={lineage} what="the model version's lineage">
            {(l) => <TrainingRuns lineage={l} />}
          </Loaded>
        </Step>
        <Step n={4} title="Training data, at the versions read" id="step-data">
          <Loaded query={lineage} what="the model version's lineage">
            {(l) => <Datasets lineage={l} />}
          </Loaded>
        </Step>
      </ol>
    </>
  );
}

/** The whole story in one sentence. */
function Lead({ deployment, lineage }: { deployment: Deployment; lineage: ModelLineage }) {
  const run = lineage.trainingRuns[0];
  const inputs = lineage.trainingRuns.flatMap((r) => r.inputs);
  const mlflowRunId = run?.tags['mlflow.run_id'] ?? lineage.model.runId;
  return (
    <p className="ancestry-lead">
      <code>{deployment.endpoint}</code> {deployment.current ? 'serves' : 'served'}{' '}
      <strong>
        {deployment.model} version {deployment.version}
      </strong>
      {run ? (
        <>
          , trained by run <strong>{mlflowRunId ?? run.runId.slice(0, 8)}</strong> of {run.job.name}
          {inputs.length > 0 && (
            <>
              {' '}
              on{' '}
              {inputs.map((d, i) => (
                <span key={`${d.namespace}\u0000${d.name}`}>
                  {i > 0 && (i === inputs.length - 1 ? ' and ' : ', ')}
                  <strong>{d.name}</strong> {d.version ?? 'at an unnamed version'}
                </span>
              ))}
            </>
          )}
          .
        </>
      ) : (
        '; no confirmed training run is known.'
      )}
    </p>
  );
}

/** The audit entry that put the version in Production last, if any. */
function promotion(a: ModelApproval) {
  return a.history
    .filter((h) => h.action === 'version.stage_changed' && h.version === a.model.version && h.detail.to === 'Production')
    .at(-1);
}

function ModelVersion({ approval: a }: { approval: ModelApproval }) {
  const promoted = promotion(a);
  const m = a.model;
  return (
    <>
      <dl className="facts">
        <dt>Model version</dt>
        <dd>
          <Link href={href.modelVersion(m.name, m.version)}>
            {m.name} version {m.version}
          </Link>{' '}
          <Link href={href.model(m.name)} className="muted">
            (all versions of {m.name})
          </Link>
        </dd>
        <dt>Stage</dt>
        <dd>
          <StageBadge stage={m.stage} />
          {m.aliases.length > 0 && <span className="muted"> aliases {m.aliases.map((x) => `@${x}`).join(', ')}</span>}
        </dd>
        <dt>Approved for production</dt>
        <dd>
          <VerdictBadge ok={a.approvedForProduction} yes="yes" no="no" />{' '}
          <span className="muted">
            {a.approvedForProduction
              ? 'in Production and the policy passes'
              : m.stage !== 'Production'
                ? `not in Production (${m.stage})`
                : 'the policy does not pass'}
          </span>
        </dd>
        <dt>Promoted to Production</dt>
        <dd>
          {promoted ? (
            <>
              by <strong>{promoted.actor}</strong> <Time iso={promoted.at} />
            </>
          ) : (
            <span className="muted">never</span>
          )}
        </dd>
        <dt>Approvals</dt>
        <dd>
          {a.approvals.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            a.approvals.map((x, i) => (
              <span key={`${x.actor}:${x.approvedAt}`}>
                {i > 0 && ', '}
                <strong>{x.actor}</strong> <Time iso={x.approvedAt} />
                {x.comment && <span className="muted"> “{x.comment}”</span>}
              </span>
            ))
          )}
        </dd>
        <dt>Registered</dt>
        <dd>
          by {m.registeredBy ?? <span className="muted">unknown</span>} <Time iso={m.registeredAt} />
          {m.source && (
            <>
              {' '}
              from <code>{m.source}</code>
            </>
          )}
        </dd>
      </dl>
      <h3>Policy</h3>
      <ul className="policy-rules">
        {a.policy.rules.map((r) => (
          <li key={r.rule}>
            <VerdictBadge ok={r.ok} yes="passes" no="fails" /> <code>{r.rule}</code> <span className="muted">{r.detail}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

function TrainingRuns({ lineage }: { lineage: ModelLineage }) {
  const m = lineage.model;
  if (lineage.trainingRuns.length === 0) {
    const candidates = lineage.links.filter((l) => l.kind === 'run' && l.status === 'candidate').length;
    return (
      <Empty>
        No confirmed training run{m.runId ? ` (the registry names MLflow run ${m.runId})` : ''}.{' '}
        {candidates > 0 ? `${candidates} candidate link${candidates === 1 ? '' : 's'} to review on ` : 'See '}
        <Link href={href.modelVersion(m.name, m.version)}>
          {m.name} version {m.version}
        </Link>
        .
      </Empty>
    );
  }
  return (
    <>
      {lineage.trainingRuns.map((run) => (
        <Run key={run.runId} run={run} registryRunId={m.runId} />
      ))}
    </>
  );
}

function Run({ run, registryRunId }: { run: TrainingRun; registryRunId: string | null }) {
  const mlflowRunId = run.tags['mlflow.run_id'] ?? registryRunId;
  const params = Object.entries(run.parameters).sort(([a], [b]) => a.localeCompare(b));
  const code = run.code;
  return (
    <div className="training-run">
      <dl className="facts">
        <dt>Run</dt>
        <dd>
          <Link href={href.run(run.runId)} aria-label={`training run ${run.runId}`}>
            <code>{run.runId}</code>
          </Link>{' '}
          <RunStateBadge state={run.state} />
        </dd>
        <dt>Job</dt>
        <dd>
          <Link href={href.job(run.job.namespace, run.job.name)}>{run.job.name}</Link> <span className="muted">in {run.job.namespace}</span>
        </dd>
        <dt>MLflow run</dt>
        <dd>{mlflowRunId ? <code>{mlflowRunId}</code> : <span className="muted">not named</span>}</dd>
        <dt>When</dt>
        <dd>
          <Time iso={run.startedAt} /> <span className="muted">for {between(run.startedAt, run.endedAt)}</span>
        </dd>
        <dt>Commit</dt>
        <dd>
          {code?.gitCommit ? (
            code.url ? (
              <a href={code.url} target="_blank" rel="noreferrer noopener" className="mono">
                {code.gitCommit}
              </a>
            ) : (
              <code>{code.gitCommit}</code>
            )
          ) : (
            <span className="muted">not recorded</span>
          )}
          {code?.repoUrl && <span className="muted"> in {code.repoUrl}</span>}
          {code?.path && <span className="muted"> · {code.path}</span>}
          {code?.branch && <span className="muted"> · branch {code.branch}</span>}
        </dd>
      </dl>
      <h3>Parameters</h3>
      {params.length === 0 ? (
        <Empty>No parameters were recorded.</Empty>
      ) : (
        <table className="params-table">
          <thead>
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {params.map(([key, value]) => (
              <tr key={key}>
                <th scope="row" className="mono">
                  {key}
                </th>
                <td className="mono">{value ?? <span className="muted">null</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function datasetLink(d: DatasetAtVersion) {
  // The producer's version when it sent one (what the dataset page's version picker names), else the id.
  return href.dataset(d.namespace, d.name, d.version ?? d.versionId ?? undefined);
}

function Datasets({ lineage }: { lineage: ModelLineage }) {
  const rows = lineage.trainingRuns.flatMap((run) => run.inputs.map((d) => ({ run, d })));
  if (rows.length === 0) {
    const tagged = lineage.links.filter((l) => l.kind === 'dataset_version' && l.dataset && l.status !== 'rejected');
    if (tagged.length === 0) return <Empty>No training data is known for this version.</Empty>;
    return (
      <>
        <p className="muted">No confirmed training run read them; the version's tags name:</p>
        <ul>
          {tagged.map((l) => (
            <li key={l.id}>
              <Link href={href.dataset(l.dataset!.namespace, l.dataset!.name, l.dataset!.version)}>
                {l.dataset!.name} at {l.dataset!.version}
              </Link>{' '}
              <span className="muted">({l.status})</span>
            </li>
          ))}
        </ul>
      </>
    );
  }
  const several = lineage.trainingRuns.length > 1;
  return (
    <div className="table-scroll">
      <table className="datasets-table">
        <thead>
          <tr>
            <th scope="col">Dataset</th>
            <th scope="col">Version read</th>
            <th scope="col">Namespace</th>
            <th scope="col">Fields the run saw</th>
            {several && <th scope="col">Run</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ run, d }) => (
            <tr key={`${run.runId}\u0000${d.namespace}\u0000${d.name}`}>
              <th scope="row">
                <Link href={href.dataset(d.namespace, d.name)}>{d.name}</Link>
              </th>
              <td>
                {d.version || d.versionId ? (
                  <Link href={datasetLink(d)} aria-label={`${d.name} at version ${d.version ?? d.versionId}`}>
                    {d.version ?? <ShortId id={d.versionId!} />}
                  </Link>
                ) : (
                  <span className="muted">unknown</span>
                )}
              </td>
              <td className="muted dataset-namespace">{d.namespace}</td>
              <td>
                {d.fields === null ? (
                  <span className="muted">no schema sent</span>
                ) : (
                  <span className="field-list">
                    {d.fields.map((f) => (
                      <code key={f.name} title={f.type ?? undefined}>
                        {f.name}
                      </code>
                    ))}
                  </span>
                )}
              </td>
              {several && (
                <td>
                  <Link href={href.run(run.runId)}>
                    <ShortId id={run.runId} />
                  </Link>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function History({ records }: { records: Deployment[] }) {
  return (
    <Section title="Deployment history" id="deployment-history">
      <table>
        <thead>
          <tr>
            <th scope="col">Deployed</th>
            <th scope="col">Model version</th>
            <th scope="col">By</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <tr key={r.id}>
              <td>
                <Time iso={r.deployedAt} />
              </td>
              <td>
                <Link href={href.modelVersion(r.model, r.version)}>
                  {r.model} v{r.version}
                </Link>
              </td>
              <td>{r.actor}</td>
              <td>{r.current ? <span className="badge verdict-pass">serving now</span> : <span className="muted">replaced</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
