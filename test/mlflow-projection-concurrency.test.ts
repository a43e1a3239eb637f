import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { olRunId, projectRun } from '../src/tracking/projection';
import { databases, useDatabase } from './support/databases';
import { CONFIG, createExperiment, createRun, hexId } from './support/mlflow-rows';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are walked freely.
type Json = Record<string, any>;

/**
 * Two changes of one MLflow run committing together (MLflow's asynchronous logging), on a real server where
 * the transactions overlap: each projection must read the other's change once it committed, or the later
 * event would drop the earlier change.
 */
describe.runIf(databases.some((d) => d.name === 'postgres'))('MLflow run projections that overlap, on postgres', () => {
  const ctx = useDatabase(databases.find((d) => d.name === 'postgres')!);

  it('a param and a tag logged at once: the run has both', async () => {
    const { db, app } = ctx();
    const T0 = Date.parse('2026-05-04T09:00:00Z');
    const experiment = await createExperiment(db, 'async');
    const run = hexId();
    await createRun(db, { runUuid: run, experimentId: experiment, experimentName: 'async', startTime: T0 });

    let arrived = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const bothWritten = async () => {
      if (++arrived === 2) open();
      await gate;
    };
    await Promise.all([
      db.transaction(async (query) => {
        await query(sql`insert into mlflow_params (run_uuid, key, value) values (${run}, 'lr', '0.1')`);
        await bothWritten();
        await projectRun(query, CONFIG, run, 'data', T0 + 1_000);
      }),
      db.transaction(async (query) => {
        await query(sql`insert into mlflow_tags (run_uuid, key, value) values (${run}, 'team', 'growth')`);
        await bothWritten();
        await projectRun(query, CONFIG, run, 'data', T0 + 1_001);
      }),
    ]);

    const r = (await (await app.request(`/api/v1/jobs/runs/${olRunId(run)}`)).json()) as Json;
    expect(r.facets.executionParameters.parameters).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(r.facets.tags.tags).toEqual([{ key: 'team', value: 'growth', source: 'MLFLOW' }]);
  });
});
