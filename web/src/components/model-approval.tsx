import { useId, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { href } from '../links';
import {
  AliasBadges,
  AuditNotice,
  AuditTable,
  PassFail,
  type Schemas,
  STAGES,
  StageBadge,
  type StageName,
  useAuditedWrite,
  WriteProblem,
} from './model-common';
import { Empty } from './state';
import { Time } from './time';
import { WriteButton } from './write-button';

const RULES: Record<string, string> = {
  required_tags: 'Required tags',
  approvals: 'Approvals',
  model_card: 'Model card',
};

/** Question 4's verdict: stage, aliases, approved or not, each rule of the policy with why. */
export function ModelVerdict({ approval }: { approval: Schemas['ModelApproval'] }) {
  const { model, policy } = approval;
  return (
    <>
      <div
        className={`model-verdict ${approval.approvedForProduction ? 'model-verdict-ok' : policy.passes ? 'model-verdict-ready' : 'model-verdict-no'}`}
      >
        <span className="model-verdict-icon" aria-hidden="true">
          {approval.approvedForProduction ? '✓' : policy.passes ? '○' : '✗'}
        </span>
        <div>
          <strong>
            {approval.approvedForProduction
              ? 'Approved for production'
              : policy.passes
                ? `Not in Production, but the policy passes: it may be promoted`
                : 'Not approved for production'}
          </strong>
          <div className="muted">
            Stage <StageBadge stage={model.stage} /> · aliases <AliasBadges aliases={model.aliases} /> · policy{' '}
            {policy.passes ? 'passes' : `fails ${policy.rules.filter((r) => !r.ok).length} of ${policy.rules.length} rules`}
          </div>
        </div>
      </div>
      <table className="model-rules">
        <caption className="visually-hidden">Promotion policy, rule by rule</caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Verdict</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {policy.rules.map((r) => (
            <tr key={r.rule}>
              <th scope="row">{RULES[r.rule] ?? r.rule}</th>
              <td>
                <PassFail ok={r.ok} />
              </td>
              <td>
                {r.detail}
                {r.missing && r.missing.length > 0 && (
                  <div className="muted">
                    missing:{' '}
                    {r.missing.map((m) => (
                      <code key={m} className="model-missing">
                        {m}
                      </code>
                    ))}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Who approved, and the approve button (scope approve; the registrant cannot: the 403 says so). */
export function ModelApprovals({ name, version, approval }: { name: string; version: string; approval: Schemas['ModelApproval'] }) {
  const [comment, setComment] = useState('');
  const audited = useAuditedWrite(name, version);
  const approve = api.useMutation('post', '/api/v1/models/{name}/versions/{version}/approvals', {
    onSuccess: async () => {
      setComment('');
      await audited.done();
    },
  });
  const id = useId();
  return (
    <>
      {approval.approvals.length === 0 ? (
        <Empty>No approvals yet.</Empty>
      ) : (
        <table className="model-approvals">
          <caption className="visually-hidden">Approvals</caption>
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">When</th>
              <th scope="col">Comment</th>
            </tr>
          </thead>
          <tbody>
            {approval.approvals.map((a) => (
              <tr key={a.actor}>
                <td>
                  <strong>{a.actor}</strong>
                </td>
                <td>
                  <Time iso={a.approvedAt} />
                </td>
                <td>{a.comment ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="model-write-form"
        onSubmit={(e) => {
          e.preventDefault();
          audited.begin('version.approved', `Approved ${name} v${version}`);
          approve.mutate({ params: { path: { name, version } }, body: comment.trim() ? { comment: comment.trim() } : {} });
        }}
      >
        <label htmlFor={id}>Approval comment</label>
        <input id={id} type="text" value={comment} onChange={(e) => setComment(e.target.value)} placeholder="optional: why" />
        <WriteButton scope="approve" type="submit" className="primary" disabled={approve.isPending}>
          {approve.isPending ? 'Approving…' : 'Approve'}
        </WriteButton>
      </form>
      <WriteProblem error={approve.error} what={`approve ${name} v${version}`} />
      {approve.isSuccess && <AuditNotice entry={audited.entry} label={audited.label} />}
    </>
  );
}

/** Moving the version to a stage (scope write): Production applies the policy, whose refusal is shown rule by rule. */
export function ModelStageForm({ name, version, current }: { name: string; version: string; current: StageName }) {
  const [stage, setStage] = useState<StageName>(current === 'Production' ? 'Archived' : current === 'Staging' ? 'Production' : 'Staging');
  const [archiveExisting, setArchiveExisting] = useState(true);
  const [comment, setComment] = useState('');
  const audited = useAuditedWrite(name, version);
  const move = api.useMutation('post', '/api/v1/models/{name}/versions/{version}/stage', {
    onSuccess: async () => {
      setComment('');
      await audited.done();
    },
  });
  const ids = { stage: useId(), comment: useId(), archive: useId() };
  return (
    <>
      <form
        className="model-write-form"
        onSubmit={(e) => {
          e.preventDefault();
          audited.begin('version.stage_changed', `Moved ${name} v${version} to ${stage}`);
          move.mutate({
            params: { path: { name, version } },
            body: { stage, archiveExisting, ...(comment.trim() ? { comment: comment.trim() } : {}) },
          });
        }}
      >
        <label htmlFor={ids.stage}>New stage</label>
        <select id={ids.stage} value={stage} onChange={(e) => setStage(e.target.value as StageName)}>
          {STAGES.map((s) => (
            <option key={s} value={s}>
              {s}
              {s === current ? ' (current)' : ''}
            </option>
          ))}
        </select>
        <label htmlFor={ids.archive} className="model-check">
          <input id={ids.archive} type="checkbox" checked={archiveExisting} onChange={(e) => setArchiveExisting(e.target.checked)} />
          archive the versions now in {stage}
        </label>
        <label htmlFor={ids.comment}>Comment</label>
        <input
          id={ids.comment}
          type="text"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder="kept in the audit log"
        />
        <WriteButton scope="write" type="submit" disabled={move.isPending}>
          {move.isPending ? 'Moving…' : 'Change stage'}
        </WriteButton>
      </form>
      {stage === 'Production' && current !== 'Production' && (
        <p className="muted model-hint">Production applies the promotion policy: every rule above must pass.</p>
      )}
      <WriteProblem error={move.error} what={`move ${name} v${version} to ${stage}`} />
      {move.isSuccess && <AuditNotice entry={audited.entry} label={audited.label} />}
    </>
  );
}

export function ModelDeploymentsTable({ deployments, showModel = false }: { deployments: Schemas['Deployment'][]; showModel?: boolean }) {
  if (deployments.length === 0) return <Empty>Not deployed.</Empty>;
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">Deployments</caption>
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col">Environment</th>
            {showModel && <th scope="col">Version</th>}
            <th scope="col">By</th>
            <th scope="col">When</th>
            <th scope="col">Now</th>
          </tr>
        </thead>
        <tbody>
          {deployments.map((d) => (
            <tr key={d.id}>
              <td>
                <Link href={href.deployment(d.environment, d.endpoint)} className="mono">
                  {d.endpoint}
                </Link>
              </td>
              <td>{d.environment}</td>
              {showModel && (
                <td>
                  <Link href={href.modelVersion(d.model, d.version)}>v{d.version}</Link>
                </td>
              )}
              <td>{d.actor}</td>
              <td>
                <Time iso={d.deployedAt} />
              </td>
              <td>{d.current ? <span className="badge badge-endpoint">serving</span> : <span className="muted">replaced</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ModelHistory({ approval, highlight }: { approval: Schemas['ModelApproval']; highlight?: number }) {
  if (approval.history.length === 0) return <Empty>No audit entries.</Empty>;
  return <AuditTable history={approval.history} highlight={highlight} />;
}
