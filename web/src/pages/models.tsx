import { useId, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { likeText, mlflowLiteral } from '../api/mlflow-filter';
import { AliasBadges, type Schemas, StageBadge } from '../components/model-common';
import { Page } from '../components/page';
import { Empty, Loaded } from '../components/state';
import { Time } from '../components/time';
import { href } from '../links';
import { useSearchParams } from '../url-state';
import './models.css';

const PAGE_SIZE = 25;
const STAGE_ORDER = ['Production', 'Staging', 'None', 'Archived'];

/** MLflow's filter for a name fragment: `name LIKE '%x%'`, the wildcards in it taken as characters. */
function nameFilter(q: string): string | undefined {
  const t = q.trim();
  const literal = t ? mlflowLiteral(`%${likeText(t)}%`) : undefined;
  return literal ? `name LIKE ${literal}` : undefined;
}

function ModelRow({ model, deployments }: { model: Schemas['MlflowRegisteredModel']; deployments: Schemas['Deployment'][] }) {
  const latest = [...model.latest_versions].sort((a, b) => STAGE_ORDER.indexOf(a.current_stage) - STAGE_ORDER.indexOf(b.current_stage));
  const production = model.latest_versions.find((v) => v.current_stage === 'Production');
  const serving = deployments.filter((d) => d.model === model.name && d.current);
  return (
    <tr>
      <th scope="row">
        <Link href={href.model(model.name)} className="models-name">
          {model.name}
        </Link>
        {model.description && <div className="models-description">{model.description}</div>}
        {model.tags.length > 0 && (
          <div className="model-badges">
            {model.tags.map((t) => (
              <span key={t.key} className="badge model-tag">
                {t.key}={t.value}
              </span>
            ))}
          </div>
        )}
      </th>
      <td>
        {latest.length === 0 ? (
          <span className="muted">no versions</span>
        ) : (
          <ul className="models-latest">
            {latest.map((v) => (
              <li key={v.version}>
                <Link href={href.modelVersion(model.name, v.version)}>v{v.version}</Link> <StageBadge stage={v.current_stage} />
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        {model.aliases.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="models-latest">
            {model.aliases.map((a) => (
              <li key={a.alias}>
                <AliasBadges aliases={[a.alias]} /> → <Link href={href.modelVersion(model.name, a.version)}>v{a.version}</Link>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        {production ? (
          <Link href={href.modelVersion(model.name, production.version)} className="models-production">
            v{production.version}
          </Link>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td>
        {serving.length === 0 ? (
          <span className="muted">not served</span>
        ) : (
          <ul className="models-latest">
            {serving.map((d) => (
              <li key={d.id}>
                <Link href={href.deployment(d.environment, d.endpoint)} className="mono">
                  {d.endpoint}
                </Link>{' '}
                <span className="muted">
                  {d.environment} · v{d.version}
                </span>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        <Time iso={new Date(model.last_updated_timestamp).toISOString()} />
      </td>
    </tr>
  );
}

/** The registry: every registered model, its latest version per stage, aliases, what is in Production and where it is served. */
export default function ModelsPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const token = params.get('page') ?? undefined;
  const [draft, setDraft] = useState(q);
  const filterId = useId();
  const models = api.useQuery('get', '/api/2.0/mlflow/registered-models/search', {
    params: { query: { max_results: PAGE_SIZE, order_by: ['name ASC'], filter: nameFilter(q), page_token: token } },
  });
  const deployments = api.useQuery('get', '/api/v1/deployments', {});
  return (
    <Page title="Models" kicker="Registry">
      <div className="model-page">
        <form
          className="toolbar"
          aria-label="Filter the models"
          onSubmit={(e) => {
            e.preventDefault();
            setParams(draft.trim() ? { q: draft.trim() } : {});
          }}
        >
          <label htmlFor={filterId}>Name contains</label>
          <input id={filterId} type="text" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="e.g. clf" />
          <button type="submit">Filter</button>
          {q && (
            <Link
              href={href.models()}
              onClick={() => {
                setDraft('');
              }}
            >
              Clear
            </Link>
          )}
        </form>
        <section className="section" aria-label="Registered models">
          <Loaded query={models} what="the registered models">
            {(page) =>
              page.registered_models.length === 0 ? (
                <Empty>
                  {q ? `No model's name contains “${q}”.` : 'No model is registered yet (MLflow clients register them at /api/2.0/mlflow).'}
                </Empty>
              ) : (
                <>
                  <div className="table-scroll">
                    <table className="models-table">
                      <caption className="visually-hidden">Registered models</caption>
                      <thead>
                        <tr>
                          <th scope="col">Model</th>
                          <th scope="col">Latest per stage</th>
                          <th scope="col">Aliases</th>
                          <th scope="col">In Production</th>
                          <th scope="col">Endpoints</th>
                          <th scope="col">Changed</th>
                        </tr>
                      </thead>
                      <tbody>
                        {page.registered_models.map((m) => (
                          <ModelRow key={m.name} model={m} deployments={deployments.data?.deployments ?? []} />
                        ))}
                      </tbody>
                    </table>
                  </div>
                  {deployments.isError && <p className="muted">The deployments could not be read: endpoints are not shown.</p>}
                  <nav className="toolbar models-pager" aria-label="Pages">
                    {token && <Link href={`${href.models()}${q ? `?q=${encodeURIComponent(q)}` : ''}`}>First page</Link>}
                    {page.next_page_token && (
                      <Link
                        href={`${href.models()}?${new URLSearchParams({ ...(q ? { q } : {}), page: page.next_page_token }).toString()}`}
                      >
                        Next page
                      </Link>
                    )}
                  </nav>
                </>
              )
            }
          </Loaded>
        </section>
      </div>
    </Page>
  );
}
