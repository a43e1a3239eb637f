import { beforeAll, describe, expect, it } from 'vitest';
import { databases, useDatabase } from './support/databases';
import { DeclaredAnswers } from './support/declared';
import { type Exchange, IdThread, type Json, readRecording } from './support/mlflow-replay';

/**
 * The real MLflow Python client's requests, replayed through the app on both databases. Recorded on
 * 2026-12-01 with MLflow 3.6.1.dev0 built from public source (opendatahub-io/mlflow@046e2116, see
 * test/fixtures/mlflow/README.md) against Pedigree, through scripts/mlflow-record.ts: the registry flow
 * (scripts/registry.py), the tracking flow with a logged model and pyfunc's log_model
 * (scripts/tracking.py), and issue 12's seed workflow (scripts/seed.py), in that order on one server, as
 * here. Each answer must match the recorded one: the status, MLflow's error code, and the shape and
 * stable values of the body (ids, times and generated names are threaded, see support/mlflow-replay.ts),
 * and every answer of a declared route must match its OpenAPI declaration.
 * What the client did with each answer is in test/fixtures/mlflow/scripts/output/*.txt.
 */
const FLOWS = ['registry', 'tracking', 'seed'] as const;

describe.each(databases)("the real MLflow client's recorded calls on $name", (database) => {
  const ctx = useDatabase(database, { PEDIGREE_MLFLOW_ARTIFACT_ROOT: 'file:///tmp/rec-artifacts' });
  const thread = new IdThread();
  let declared: DeclaredAnswers;
  beforeAll(async () => {
    declared = await DeclaredAnswers.of(ctx().app);
  });

  async function replay(x: Exchange): Promise<{ status: number; body: Json }> {
    const { path, query, body } = thread.request(x);
    const url = new URL(`http://x${path}`);
    for (const [k, v] of Object.entries(query)) for (const item of [v].flat()) url.searchParams.append(k, item);
    const res = await ctx().app.request(url.pathname + url.search, {
      method: x.method,
      headers: { 'content-type': 'application/json', 'user-agent': 'mlflow-python-client/3.6.1.dev0' },
      ...(body === undefined || body === null ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const answer = text ? JSON.parse(text) : undefined;
    if (declared.operation(x.method, url.pathname)) {
      const media = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
      expect(declared.deviations(x.method, url.pathname, res.status, media, answer), `${x.method} ${url.pathname} as declared`).toEqual([]);
    }
    return { status: res.status, body: answer ?? {} };
  }

  for (const flow of FLOWS) {
    it(`answers the ${flow} flow as recorded`, async () => {
      const exchanges = readRecording(flow);
      expect(exchanges.every((x) => x.answeredBy === 'pedigree')).toBe(true);
      for (const x of exchanges) {
        const live = await replay(x);
        const where = `#${x.seq} ${x.step}: ${x.method} ${x.path}`;
        expect(live.status, `${where}: ${JSON.stringify(live.body).slice(0, 400)}`).toBe(x.status);
        if (x.status >= 400) {
          expect(live.body.error_code, where).toBe(x.responseBody.error_code);
          continue;
        }
        thread.learn(x.responseBody, live.body);
        expect(thread.differences(x.responseBody, live.body), where).toEqual([]);
      }
    });
  }
});
