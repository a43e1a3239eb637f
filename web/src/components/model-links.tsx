import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { useCan } from '../api/me';
import { href } from '../links';
import { AuditNotice, type Schemas, useAuditedWrite, WriteProblem } from './model-common';
import { Empty, Loaded } from './state';
import { Time } from './time';
import { WriteButton } from './write-button';

type ModelLink = Schemas['Link'];

const METHODS: Record<ModelLink['method'], string> = {
  run_id: 'run id in the registry',
  registry_run_id: "registry run id on the run's tags",
  artifact: 'artifact written by the run',
  dataset_version_tag: 'dataset_version tag',
  model_source: 'model source URI',
};

function Target({ link }: { link: ModelLink }) {
  if (link.dataset) {
    return (
      <>
        <span className="badge badge-dataset">dataset</span>{' '}
        <Link href={href.dataset(link.dataset.namespace, link.dataset.name)}>{link.dataset.name}</Link>{' '}
        <span className="badge">{link.dataset.version}</span>
        {!link.dataset.versionId && <div className="muted">no run wrote this version yet</div>}
      </>
    );
  }
  if (link.runId) {
    return (
      <>
        <span className="badge badge-job">run</span>{' '}
        <Link href={href.run(link.runId)} className="mono">
          {link.runId}
        </Link>
      </>
    );
  }
  return <span className="muted">—</span>;
}

function Evidence({ evidence }: { evidence: ModelLink['evidence'] }) {
  const entries = Object.entries(evidence);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="model-evidence">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The version's links to runs and dataset versions, each with its evidence; confirm or reject them (scope write). */
export function ModelLinksSection({ name, version }: { name: string; version: string }) {
  const links = api.useQuery('get', '/api/v1/models/{name}/versions/{version}/links', { params: { path: { name, version } } });
  const audited = useAuditedWrite(name, version);
  const [deciding, setDeciding] = useState<string | undefined>();
  const can = useCan('write');
  const decide = api.useMutation('post', '/api/v1/models/{name}/versions/{version}/links/{linkId}', {
    onSuccess: async () => {
      await audited.done();
    },
    onSettled: () => setDeciding(undefined),
  });
  const act = (link: ModelLink, status: 'confirmed' | 'rejected') => {
    setDeciding(link.id);
    const what = link.dataset ? `${link.dataset.name} ${link.dataset.version}` : `run ${link.runId?.slice(0, 8) ?? link.id}`;
    audited.begin(`link.${status}`, `${status === 'confirmed' ? 'Confirmed' : 'Rejected'} the link to ${what}`);
    decide.mutate({ params: { path: { name, version, linkId: link.id } }, body: { status } });
  };
  return (
    <Loaded query={links} what="the links">
      {({ links: list }) =>
        list.length === 0 ? (
          <Empty>No links: nothing ties this version to a run or a dataset version yet.</Empty>
        ) : (
          <>
            {!can.allowed && <p className="muted model-hint">Deciding a link needs the write scope: {can.reason}.</p>}
            <WriteProblem error={decide.error} what="decide the link" />
            {decide.isSuccess && <AuditNotice entry={audited.entry} label={audited.label} />}
            <div className="table-scroll">
              <table className="model-links">
                <caption className="visually-hidden">Links, strongest first</caption>
                <thead>
                  <tr>
                    <th scope="col">To</th>
                    <th scope="col">Method</th>
                    <th scope="col" className="num">
                      Confidence
                    </th>
                    <th scope="col">Status</th>
                    <th scope="col">Evidence</th>
                    <th scope="col">Decide</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((l) => (
                    <tr key={l.id}>
                      <td>
                        <Target link={l} />
                      </td>
                      <td>
                        <code>{l.method}</code>
                        <div className="muted">{METHODS[l.method]}</div>
                      </td>
                      <td className="num">
                        <span className="model-confidence" title={`${Math.round(l.confidence * 100)}%`}>
                          <span
                            className="model-confidence-bar"
                            style={{ width: `${Math.round(l.confidence * 100)}%` }}
                            aria-hidden="true"
                          />
                        </span>{' '}
                        {l.confidence.toFixed(2)}
                      </td>
                      <td>
                        <span className={`badge status-${l.status === 'candidate' ? 'suggested' : l.status}`}>{l.status}</span>
                        {l.decision && (
                          <div className="muted">
                            by {l.decision.actor} <Time iso={l.decision.at} />
                            {l.decision.comment && <div>“{l.decision.comment}”</div>}
                          </div>
                        )}
                      </td>
                      <td>
                        <Evidence evidence={l.evidence} />
                      </td>
                      <td>
                        <fieldset className="model-decide">
                          <legend className="visually-hidden">{`Decide the link to ${l.dataset?.name ?? l.runId ?? l.id}`}</legend>
                          <WriteButton
                            scope="write"
                            disabled={deciding !== undefined || l.status === 'confirmed'}
                            onClick={() => act(l, 'confirmed')}
                            aria-label={`Confirm the link to ${l.dataset ? `${l.dataset.name} ${l.dataset.version}` : `run ${l.runId}`}`}
                          >
                            Confirm
                          </WriteButton>
                          <WriteButton
                            scope="write"
                            disabled={deciding !== undefined || l.status === 'rejected'}
                            onClick={() => act(l, 'rejected')}
                            aria-label={`Reject the link to ${l.dataset ? `${l.dataset.name} ${l.dataset.version}` : `run ${l.runId}`}`}
                          >
                            Reject
                          </WriteButton>
                        </fieldset>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )
      }
    </Loaded>
  );
}
