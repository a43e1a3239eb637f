import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'wouter';
import { api, problemOf } from '../api/client';
import { useMe } from '../api/me';
import type { components } from '../api/schema';
import { href } from '../links';
import { Time } from './time';

/** The answers the model pages show, as the API declares them. */
export type Schemas = components['schemas'];
export type AuditRecord = Schemas['AuditRecord'];
export type StageName = Schemas['ModelSummary']['stage'];
export const STAGES: StageName[] = ['None', 'Staging', 'Production', 'Archived'];

export function StageBadge({ stage }: { stage: string }) {
  return <span className={`badge stage-${stage}`}>{stage}</span>;
}

export function AliasBadges({ aliases }: { aliases: readonly string[] }) {
  if (aliases.length === 0) return <span className="muted">—</span>;
  return (
    <span className="model-badges">
      {aliases.map((a) => (
        <span key={a} className="badge model-alias">
          @{a}
        </span>
      ))}
    </span>
  );
}

export function PassFail({ ok, labels = ['pass', 'fail'] }: { ok: boolean; labels?: [string, string] }) {
  return (
    <span className={`badge verdict-${ok ? 'pass' : 'fail'}`}>
      <span aria-hidden="true">{ok ? '✓ ' : '✗ '}</span>
      {ok ? labels[0] : labels[1]}
    </span>
  );
}

/** A version link: `clf v1`. */
export function VersionLink({ name, version, children }: { name: string; version: number | string; children?: ReactNode }) {
  return <Link href={href.modelVersion(name, version)}>{children ?? `v${version}`}</Link>;
}

const ACTIONS: Record<string, string> = {
  'model.registered': 'registered the model',
  'model.updated': 'updated the model',
  'model.deleted': 'deleted the model',
  'model.tag_set': 'set a model tag',
  'model.tag_deleted': 'deleted a model tag',
  'version.registered': 'registered the version',
  'version.updated': 'updated the version',
  'version.deleted': 'deleted the version',
  'version.tag_set': 'set a tag',
  'version.tag_deleted': 'deleted a tag',
  'version.stage_changed': 'changed the stage',
  'version.approved': 'approved',
  'alias.set': 'set an alias',
  'alias.deleted': 'deleted an alias',
  'card.updated': 'updated the card',
  'link.confirmed': 'confirmed a link',
  'link.rejected': 'rejected a link',
  'deployment.created': 'deployed',
};

const str = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

function linkTarget(d: Record<string, unknown>): string {
  const dataset = d.dataset as { name?: string; version?: string } | null | undefined;
  if (dataset?.name) return `to ${dataset.name} ${dataset.version ?? ''} (${str(d.method)})`.replace(' )', ')');
  if (d.runId) return `to run ${str(d.runId).slice(0, 8)} (${str(d.method)})`;
  return str(d.linkId);
}

/** What an audit entry did, in words. */
export function auditSummary(e: AuditRecord): string {
  const d = e.detail;
  switch (e.action) {
    case 'version.stage_changed':
      return `${str(d.from) || '?'} → ${str(d.to)}${d.archivedBy ? ` (archived by v${str(d.archivedBy)})` : ''}${d.comment ? `: “${str(d.comment)}”` : ''}`;
    case 'version.approved':
      return d.comment ? `“${str(d.comment)}”` : '';
    case 'alias.set':
    case 'alias.deleted':
      return `@${str(d.alias)}${d.from ? ` (was v${str(d.from)})` : ''}`;
    case 'deployment.created':
      return `${str(d.endpoint)} (${str(d.environment)})`;
    case 'card.updated':
      return Array.isArray(d.fields) && d.fields.length ? `fields: ${d.fields.join(', ')}` : '';
    case 'link.confirmed':
    case 'link.rejected':
      return [linkTarget(d), d.comment ? `“${str(d.comment)}”` : ''].filter(Boolean).join(' ');
    case 'model.tag_set':
    case 'version.tag_set':
      return `${str(d.key)} = ${str(d.value)}`;
    case 'version.registered':
      return [str(d.source), d.runId ? `run ${str(d.runId)}` : ''].filter(Boolean).join(', ');
    case 'model.registered':
    case 'model.updated':
      return [
        d.description ? `“${str(d.description)}”` : '',
        ...Object.entries((d.tags ?? {}) as Record<string, unknown>).map(([k, v]) => `${k}=${str(v)}`),
      ]
        .filter(Boolean)
        .join(', ');
    default:
      return Object.keys(d).length ? JSON.stringify(d) : '';
  }
}

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

/** The audit history, oldest first (as the API gives it) or newest first. */
export function AuditTable({
  history,
  newestFirst = true,
  highlight,
}: {
  history: AuditRecord[];
  newestFirst?: boolean;
  highlight?: number;
}) {
  const rows = newestFirst ? [...history].reverse() : history;
  return (
    <div className="table-scroll">
      <table className="model-audit">
        <caption className="visually-hidden">Audit history, {newestFirst ? 'newest' : 'oldest'} first</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Scope</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.seq} className={e.seq === highlight ? 'model-just-written' : undefined}>
              <td className="num muted">{e.seq}</td>
              <td>
                <Time iso={e.at} />
              </td>
              <td>
                <strong>{e.actor}</strong>
              </td>
              <td>
                <span className={`model-action model-action-${e.action.replace(/\W/g, '-')}`}>{actionLabel(e.action)}</span>
              </td>
              <td className="muted">{e.version === null ? 'model' : `v${e.version}`}</td>
              <td className="model-detail">{auditSummary(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A write's refusal or failure, said inline with its detail and each reason (never a blank). */
export function WriteProblem({ error, what }: { error: unknown; what: string }) {
  if (!error) return null;
  const p = problemOf(error);
  const heading =
    p.status === 403
      ? `Not allowed to ${what}`
      : p.status === 409
        ? `Refused: could not ${what}`
        : `Could not ${what}${p.status ? ` (${p.status} ${p.title})` : ''}`;
  return (
    <div className="error-panel model-write-problem" role="alert">
      <strong>{heading}</strong>
      {p.detail && <p>{p.detail}</p>}
      {p.errors && p.errors.length > 0 && (
        <ul>
          {p.errors.map((e) => (
            <li key={`${e.pointer}:${e.message}`}>
              <code>{e.pointer.replace(/^\/policy\//, '') || '/'}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The approval record (question 4) of a version: its audit history is what every write shows after. */
export function useApproval(name: string, version: string) {
  return api.useQuery('get', '/api/v1/models/{name}/versions/{version}/approval', { params: { path: { name, version } } });
}

/**
 * After a write: refetches what it changed (every model answer of the version), then finds the audit
 * entry it made (the newest of that action by that actor, newer than what was known before) to show it.
 */
export function useAuditedWrite(name: string, version: string) {
  const client = useQueryClient();
  const me = useMe();
  const approval = useApproval(name, version);
  const [pending, setPending] = useState<{ action: string; after: number; label: string } | undefined>();
  const lastSeq = () => Math.max(0, ...(approval.data?.history ?? []).map((e) => e.seq));
  const entry = pending
    ? [...(approval.data?.history ?? [])]
        .reverse()
        .find((e) => e.action === pending.action && e.seq > pending.after && (!me.data || e.actor === me.data.name))
    : undefined;
  return {
    /** Call before the write: remembers what the history held. */
    begin(action: string, label: string) {
      setPending({ action, after: lastSeq(), label });
    },
    /** Call on success: everything the version shows is read again. */
    async done() {
      await Promise.all(
        [
          '/api/v1/models/{name}/versions/{version}/approval',
          '/api/v1/models/{name}/versions/{version}/lineage',
          '/api/v1/models/{name}/versions/{version}/links',
          '/api/v1/models/{name}/versions/{version}/card',
          '/api/2.0/mlflow/registered-models/search',
          '/api/2.0/mlflow/registered-models/get',
          '/api/2.0/mlflow/model-versions/search',
        ].map((path) => client.invalidateQueries({ queryKey: ['get', path] })),
      );
    },
    reset() {
      setPending(undefined);
    },
    entry,
    label: pending?.label,
  };
}

/** What a write recorded: the audit entry, once the history is read again. */
export function AuditNotice({ entry, label }: { entry: AuditRecord | undefined; label: string | undefined }) {
  if (!label || !entry) return null;
  return (
    <div className="notice model-audit-notice" role="status">
      <strong>{label}.</strong> Recorded in the audit log as #{entry.seq}: <strong>{entry.actor}</strong> {actionLabel(entry.action)}
      {auditSummary(entry) ? ` ${auditSummary(entry)}` : ''}, <Time iso={entry.at} />.
    </div>
  );
}
