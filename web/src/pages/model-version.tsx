import { Link } from 'wouter';
import { api, problemOf } from '../api/client';
import { ModelApprovals, ModelDeploymentsTable, ModelHistory, ModelStageForm, ModelVerdict } from '../components/model-approval';
import { ModelCardSection } from '../components/model-card';
import { AliasBadges, type Schemas, StageBadge, useApproval } from '../components/model-common';
import { ModelLinksSection } from '../components/model-links';
import { Page, Section } from '../components/page';
import { Empty, ErrorPanel, Loaded } from '../components/state';
import { between, Time } from '../components/time';
import { href, nodeId } from '../links';
import { usePathSegments } from '../url-state';
import './models.css';

type TrainingRun = Schemas['TrainingRun'];

function Pairs({ pairs, caption, names }: { pairs: Record<string, string | null>; caption: string; names: [string, string] }) {
  const entries = Object.entries(pairs);
  if (entries.length === 0) return <Empty>None recorded.</Empty>;
  return (
    <table className="model-pairs">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{names[0]}</th>
          <th scope="col">{names[1]}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row" className="mono">
              {k}
            </th>
            <td className="mono">{v ?? <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Code({ code }: { code: TrainingRun['code'] }) {
  if (!code) return <Empty>No source-code facet was sent.</Empty>;
  return (
    <dl className="facts">
      <dt>Commit</dt>
      <dd>
        {code.gitCommit ? (
          code.url ? (
            <a href={code.url} className="mono" rel="noreferrer noopener" target="_blank">
              {code.gitCommit}
            </a>
          ) : (
            <code>{code.gitCommit}</code>
          )
        ) : (
          <span className="muted">unknown</span>
        )}
      </dd>
      <dt>Repository</dt>
      <dd>
        {code.repoUrl ? (
          <a href={code.repoUrl} rel="noreferrer noopener" target="_blank">
            {code.repoUrl}
          </a>
        ) : (
          <span className="muted">unknown</span>
        )}
      </dd>
      {code.path && (
        <>
          <dt>Path</dt>
          <dd className="mono">{code.path}</dd>
        </>
      )}
      {code.branch && (
        <>
          <dt>Branch</dt>
          <dd className="mono">{code.branch}</dd>
        </>
      )}
    </dl>
  );
}

function Run({ run }: { run: TrainingRun }) {
  return (
    <div className="model-run">
      <div className="model-run-head">
        <span className="badge badge-job">training run</span>{' '}
        <Link href={href.run(run.runId)} className="mono">
          {run.runId}
        </Link>{' '}
        of job <Link href={href.job(run.job.namespace, run.job.name)}>{run.job.name}</Link>{' '}
        <span className={`badge state-${run.state}`}>{run.state}</span>{' '}
        <span className="muted">
          started <Time iso={run.startedAt} />, took {between(run.startedAt, run.endedAt)}
        </span>
      </div>
      <h3>Input datasets, at the exact versions read</h3>
      {run.inputs.length === 0 ? (
        <Empty>The run declared no inputs.</Empty>
      ) : (
        <table className="model-inputs">
          <caption className="visually-hidden">Input datasets</caption>
          <thead>
            <tr>
              <th scope="col">Dataset</th>
              <th scope="col">Namespace</th>
              <th scope="col">Version</th>
              <th scope="col">Fields</th>
            </tr>
          </thead>
          <tbody>
            {run.inputs.map((d) => (
              <tr key={`${d.namespace}:${d.name}`}>
                <th scope="row">
                  <Link href={href.dataset(d.namespace, d.name)}>{d.name}</Link>
                </th>
                <td className="mono muted">{d.namespace}</td>
                <td>
                  <span className="badge model-version-badge">{d.version ?? 'unknown'}</span>
                </td>
                <td>
                  {d.fields === null ? (
                    <span className="muted">no schema sent</span>
                  ) : (
                    <div className="model-fields">
                      {d.fields.map((f) => (
                        <code key={f.name} title={f.type ?? undefined}>
                          {f.name}
                        </code>
                      ))}
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="grid model-run-grid">
        <div>
          <h3>Code</h3>
          <Code code={run.code} />
        </div>
        <div>
          <h3>Parameters</h3>
          <Pairs pairs={run.parameters} caption="Parameters" names={['Parameter', 'Value']} />
        </div>
        <div>
          <h3>Run tags</h3>
          <Pairs pairs={run.tags} caption="Run tags" names={['Tag', 'Value']} />
        </div>
        {Object.keys(run.metrics ?? {}).length > 0 && (
          <div>
            <h3>Metrics</h3>
            <Pairs
              pairs={Object.fromEntries(Object.entries(run.metrics).map(([k, v]) => [k, String(v)]))}
              caption="Metrics (latest values)"
              names={['Metric', 'Latest value']}
            />
          </div>
        )}
      </div>
      {run.sameTraining?.length > 0 && (
        <p className="muted">
          The same training, also reported by{' '}
          {run.sameTraining.map((o, i) => (
            <span key={o.runId}>
              {i > 0 && ', '}
              <Link href={href.run(o.runId)}>
                a run of {o.job.namespace}/{o.job.name}
              </Link>
            </span>
          ))}
          : shown here as one run.
        </p>
      )}
    </div>
  );
}

/** Question 1 (where it came from) and question 4 (is it approved) about one version, with its card and links. */
export default function ModelVersionPage() {
  const [, name = '', , version = ''] = usePathSegments();
  const lineage = api.useQuery('get', '/api/v1/models/{name}/versions/{version}/lineage', {
    params: { path: { name, version } },
  });
  const approval = useApproval(name, version);
  const summary = approval.data?.model ?? lineage.data?.model;
  const number = summary?.version ?? (/^\d+$/.test(version) ? Number(version) : undefined);
  if (approval.isError && problemOf(approval.error).status === 404) {
    // No such version: one panel says so, not one a section.
    return (
      <Page title={`${name} v${version}`} kicker={<Link href={href.model(name)}>{name}</Link>}>
        <ErrorPanel error={approval.error} what={`${name} version ${version}`} retry={() => void approval.refetch()} />
        <p>
          <Link href={href.model(name)}>All versions of {name}</Link>
        </p>
      </Page>
    );
  }
  return (
    <Page
      title={`${name} v${number ?? version}`}
      kicker={
        <>
          <Link href={href.models()}>Models</Link> / <Link href={href.model(name)}>{name}</Link> / version
        </>
      }
      actions={
        <>
          {summary && <StageBadge stage={summary.stage} />}
          {number !== undefined && (
            <Link className="model-button-link" href={href.lineage(nodeId.model(name, number))}>
              Lineage explorer
            </Link>
          )}
          {number !== undefined && number > 1 && (
            <Link className="model-button-link" href={href.modelDiff(name, number - 1, number)}>
              Diff against v{number - 1}
            </Link>
          )}
        </>
      }
    >
      <div className="model-page">
        <Loaded query={approval} what={`${name} version ${version}`}>
          {(a) => (
            <div className="grid model-grid">
              <Section title="Version">
                <dl className="facts">
                  <dt>Stage</dt>
                  <dd>
                    <StageBadge stage={a.model.stage} />
                  </dd>
                  <dt>Aliases</dt>
                  <dd>
                    <AliasBadges aliases={a.model.aliases} />
                  </dd>
                  <dt>Registered</dt>
                  <dd>
                    <Time iso={a.model.registeredAt} /> by {a.model.registeredBy ?? 'unknown'}
                  </dd>
                  <dt>Source</dt>
                  <dd className="mono">{a.model.source ?? '—'}</dd>
                  <dt>Registry run</dt>
                  <dd className="mono">{a.model.runId ?? '—'}</dd>
                  {a.model.description && (
                    <>
                      <dt>Description</dt>
                      <dd>{a.model.description}</dd>
                    </>
                  )}
                </dl>
              </Section>
              <Section title="Deployments">
                <ModelDeploymentsTable deployments={a.deployments} />
              </Section>
            </div>
          )}
        </Loaded>

        <Section title="Where it came from" id="lineage">
          <Loaded query={lineage} what="the training lineage">
            {(l) =>
              l.trainingRuns.length === 0 ? (
                <Empty>No confirmed training run: confirm one of the links below, or send the training run's OpenLineage events.</Empty>
              ) : (
                l.trainingRuns.map((r) => <Run key={r.runId} run={r} />)
              )
            }
          </Loaded>
        </Section>

        <Section title="Is it approved?" id="approval">
          <Loaded query={approval} what="the approval record">
            {(a) => (
              <>
                <ModelVerdict approval={a} />
                <h3>Approvals</h3>
                <ModelApprovals name={name} version={version} approval={a} />
                <h3>Stage</h3>
                <ModelStageForm name={name} version={version} current={a.model.stage} />
              </>
            )}
          </Loaded>
        </Section>

        <Section title="Model card" id="card">
          <ModelCardSection name={name} version={version} />
        </Section>

        <Section title="Links" id="links">
          <p className="muted model-hint">
            How Pedigree tied this version to runs and dataset versions. Confirm or reject a link: the decision sticks.
          </p>
          <ModelLinksSection name={name} version={version} />
        </Section>

        <Section title="Audit history" id="history">
          <Loaded query={approval} what="the audit history">
            {(a) => <ModelHistory approval={a} />}
          </Loaded>
        </Section>
      </div>
    </Page>
  );
}
