import { useId } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { ProducerName, producerLabel, producerName } from '../components/home-producer-name';
import { Page } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { Time } from '../components/time';
import { href } from '../links';
import { useSearchParams } from '../url-state';
import './producers.css';

/** Every producer seen: how many events it sent, how many carried warnings, how many were refused. */
export default function ProducersPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const problems = params.get('problems') === '1';
  const producers = api.useQuery('get', '/api/v1/producers', {});
  const id = useId();
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

  return (
    <Page title="Producers" kicker="Conformance of what is sent">
      <p className="muted producers-intro">
        Each tool that sends OpenLineage events names itself in <code>producer</code>. Pedigree accepts the deviations producers commonly
        make as warnings and refuses what it cannot read; open a producer for its warnings by place and its refused events.
      </p>
      <Loaded query={producers} what="the producers">
        {(data) => {
          const needle = q.trim().toLowerCase();
          const shown = data.producers.filter(
            (p) =>
              (!problems || p.eventsWithWarnings > 0 || p.rejected > 0) &&
              (!needle || p.producer.toLowerCase().includes(needle) || producerName(p.producer).name.toLowerCase().includes(needle)),
          );
          return (
            <>
              <div className="toolbar">
                <label htmlFor={`${id}-q`}>
                  Producer
                  <input id={`${id}-q`} type="text" value={q} placeholder="filter" onChange={(e) => setParam('q', e.target.value)} />
                </label>
                <label>
                  <input type="checkbox" checked={problems} onChange={(e) => setParam('problems', e.target.checked ? '1' : '')} />
                  only those with warnings or rejections
                </label>
                <span className="muted">
                  {shown.length} of {data.producers.length}
                </span>
              </div>
              {data.producers.length === 0 ? (
                <Empty>No event has been received yet.</Empty>
              ) : shown.length === 0 ? (
                <Empty>No producer matches these filters.</Empty>
              ) : (
                <div className="section table-scroll">
                  <table className="producers-table">
                    <thead>
                      <tr>
                        <th scope="col">Producer</th>
                        <th scope="col" className="num">
                          Events
                        </th>
                        <th scope="col" className="num">
                          With warnings
                        </th>
                        <th scope="col" className="num">
                          Rejected
                        </th>
                        <th scope="col">First seen</th>
                        <th scope="col">Last seen</th>
                      </tr>
                    </thead>
                    <tbody>
                      {shown.map((p) => (
                        <tr key={p.producer}>
                          <th scope="row">
                            <Link href={href.producer(p.producer)} aria-label={producerLabel(p.producer)}>
                              <ProducerName uri={p.producer} />
                            </Link>
                          </th>
                          <td className="num">{p.events}</td>
                          <td className="num">
                            {p.eventsWithWarnings > 0 ? (
                              <span className="badge state-RUNNING">{p.eventsWithWarnings}</span>
                            ) : (
                              <span className="muted">0</span>
                            )}
                          </td>
                          <td className="num">
                            {p.rejected > 0 ? <span className="badge state-FAILED">{p.rejected}</span> : <span className="muted">0</span>}
                          </td>
                          <td>
                            <Time iso={p.firstSeen} />
                          </td>
                          <td>
                            <Time iso={p.lastSeen} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
