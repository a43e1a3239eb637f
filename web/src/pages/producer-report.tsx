import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import type { components } from '../api/schema';
import { ShortId } from '../components/home-badges';
import { producerName } from '../components/home-producer-name';
import { Page, Section } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { Time } from '../components/time';
import { href } from '../links';
import { useSearchParams } from '../url-state';
import './producers.css';

type Rejection = components['schemas']['Rejection'];

const PAGE = 20;
/** What of a rejected event's text is shown before "show all". */
const EXCERPT = 1200;

/** One producer's conformance: its warnings grouped by place and message, and the events refused. */
export default function ProducerReportPage() {
  const [params, setParams] = useSearchParams();
  const producer = params.get('producer') ?? '';
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const report = api.useQuery(
    'get',
    '/api/v1/producers/report',
    { params: { query: { producer, limit: PAGE, offset } } },
    { enabled: producer !== '', placeholderData: (previous) => previous },
  );
  const { name, version } = producerName(producer);
  const goTo = (next: number) =>
    setParams((prev) => {
      const p = new URLSearchParams(prev);
      if (next > 0) p.set('offset', String(next));
      else p.delete('offset');
      return p;
    });

  if (!producer)
    return (
      <Page title="Producer report">
        <Empty>
          No producer named: choose one on the <Link href={href.producers()}>producers page</Link>.
        </Empty>
      </Page>
    );
  return (
    <Page title={version ? `${name} ${version}` : name} kicker={<Link href={href.producers()}>Producers</Link>}>
      <p className="producer-uri-line">
        <code>{producer}</code>
      </p>
      <Loaded query={report} what="the producer's report">
        {(r) => (
          <>
            <dl className="producer-counts" aria-label="Counts">
              <div>
                <dt>Events stored</dt>
                <dd>{r.events}</dd>
              </div>
              <div className={r.eventsWithWarnings > 0 ? 'warn' : undefined}>
                <dt>With warnings</dt>
                <dd>{r.eventsWithWarnings}</dd>
              </div>
              <div className={r.rejected > 0 ? 'bad' : undefined}>
                <dt>Rejected</dt>
                <dd>{r.rejected}</dd>
              </div>
            </dl>
            <Section title="Warnings" id="producer-warnings">
              {r.warnings.length === 0 ? (
                <Empty>None of its stored events carried a warning.</Empty>
              ) : (
                <div className="table-scroll">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Where (JSON pointer)</th>
                        <th scope="col">Warning</th>
                        <th scope="col" className="num">
                          Events
                        </th>
                        <th scope="col">Last seen</th>
                        <th scope="col">Latest event</th>
                      </tr>
                    </thead>
                    <tbody>
                      {r.warnings.map((w) => (
                        <tr key={`${w.pointer}\u0000${w.message}`}>
                          <td>
                            <code className="pointer">{w.pointer || '/'}</code>
                          </td>
                          <td>{w.message}</td>
                          <td className="num">{w.count}</td>
                          <td className="nowrap">
                            <Time iso={w.lastSeen} />
                          </td>
                          <td>
                            <ShortId id={w.exampleEventId} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {r.warnings.length >= 100 && <p className="muted">The 100 most frequent warnings are shown.</p>}
                </div>
              )}
            </Section>
            <Section title="Rejected events" id="producer-rejections">
              {r.rejected === 0 ? (
                <Empty>Pedigree refused none of its events.</Empty>
              ) : (
                <>
                  <ol className="rejections" start={offset + 1}>
                    {r.rejections.map((x) => (
                      <RejectionItem key={x.id} rejection={x} />
                    ))}
                  </ol>
                  {r.rejected > PAGE && (
                    <nav className="pager" aria-label="Rejected events pages">
                      <button type="button" disabled={offset === 0} onClick={() => goTo(Math.max(0, offset - PAGE))}>
                        Newer
                      </button>
                      <span className="muted">
                        {offset + 1}–{Math.min(offset + PAGE, r.rejected)} of {r.rejected}
                      </span>
                      <button type="button" disabled={offset + PAGE >= r.rejected} onClick={() => goTo(offset + PAGE)}>
                        Older
                      </button>
                    </nav>
                  )}
                </>
              )}
            </Section>
          </>
        )}
      </Loaded>
    </Page>
  );
}

function RejectionItem({ rejection: x }: { rejection: Rejection }) {
  const [all, setAll] = useState(false);
  const long = x.raw.length > EXCERPT;
  return (
    <li className="rejection">
      <div className="rejection-head">
        <strong>{x.eventType ?? 'unknown type'}</strong> <span className="muted">event received</span> <Time iso={x.receivedAt} />
        {x.runId && (
          <>
            {' '}
            <span className="muted">for run</span>{' '}
            <Link href={href.run(x.runId)}>
              <ShortId id={x.runId} />
            </Link>
          </>
        )}
      </div>
      <ul className="rejection-errors" aria-label="Why it was refused">
        {x.errors.map((e) => (
          <li key={`${e.pointer}\u0000${e.message}`}>
            <code className="pointer">{e.pointer || '/'}</code> {e.message}
          </li>
        ))}
      </ul>
      <div className="muted raw-label">The text received{long && !all ? ', its start' : ''}:</div>
      <pre className="raw">{long && !all ? `${x.raw.slice(0, EXCERPT)}…` : x.raw}</pre>
      {long && (
        <button type="button" className="link-button" aria-expanded={all} onClick={() => setAll((v) => !v)}>
          {all ? 'Show the start only' : `Show all ${x.raw.length.toLocaleString('en')} characters`}
        </button>
      )}
    </li>
  );
}
