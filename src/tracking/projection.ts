import type { MlflowConfig } from '../config';
import { notFound } from '../core/errors';
import type { Query } from '../db/client';
import type { RunEventType } from '../emitter/events';
import { prepareAndPlan } from '../ingest/ingest';
import { storePlans } from '../ingest/store';
import { mlflowRunEvent } from './run-event';
import { eventStored, lastEventText, lockRun, type MlflowStatus, type RunSnapshot, readRunSnapshot } from './run-snapshot';

export { MLFLOW_PRODUCER, olRunId } from './run-event';

/**
 * Every MLflow run is an OpenLineage run in the same store: each change of a run that matters to lineage
 * stores one RunEvent describing the whole run as it is now, through the ingest path (prepareAndPlan, then
 * storePlans in the caller's transaction). So the graph, the four questions and the UI know MLflow runs as
 * they know any producer's, and replay rebuilds them from the stored events like the rest.
 *
 * What a change makes:
 * | cause       | event                                                                               |
 * | `created`   | START at the run's start time                                                       |
 * | `status`    | RUNNING; COMPLETE, FAIL, ABORT (FINISHED, FAILED, KILLED) at its end time; SCHEDULED: OTHER |
 * | `data`      | OTHER (params, tags, inputs, outputs changed)                                       |
 * | `lifecycle` | OTHER (deleted, restored: the `mlflow` facet's lifecycle_stage)                     |
 * | `metrics`   | nothing while the run runs; OTHER once it ended                                     |
 *
 * The event is normalized in the mutation's transaction (storePlans), not queued behind it as ingest over
 * HTTP is (src/ingest/normalizer.ts): MLflow's clients read their writes back at once, and the registry's
 * links to a run are computed from its normalized rows in the registry's own transactions (a version
 * registered right after its run was logged must find the run). An MLflow change makes one event, so a batch
 * would gain nothing; its events count as normalized when the change commits.
 *
 * SCHEDULED is OTHER: OpenLineage has no state for a run that is queued and not started (START would give it
 * a start it has not had, RUNNING would say it runs); the `mlflow` facet says SCHEDULED. Metrics make no event
 * while the run runs because a training loop logs a value per step, thousands of them: an event each would
 * flood the store with snapshots no one reads. The next event (at the latest, the one ending the run) carries
 * every metric's latest value.
 */
export type ProjectionCause = 'created' | 'status' | 'data' | 'metrics' | 'lifecycle';

/**
 * Stores the event the change `cause` of the MLflow run `runUuid` makes (see ProjectionCause), after the
 * change, in its transaction. `atMs` is when the change happened (epoch milliseconds): the time of events
 * MLflow's run has no time for.
 *
 * Facets merge by event time, so the latest snapshot must carry the latest time: an event whose time is not
 * after the run's latest stored event (a client clock behind the server's, a run imported with its past
 * times) takes that time plus a millisecond, unless it is that very event again (its id hashes its text,
 * so it is stored once). An OTHER event identical to the latest one but for its time is not stored.
 *
 * `_config`: the bridge's settings. The run's job was fixed from them when it was created (its namespace);
 * nothing else here depends on them.
 */
export async function projectRun(
  query: Query,
  _config: MlflowConfig,
  runUuid: string,
  cause: ProjectionCause,
  atMs: number,
): Promise<void> {
  await lockRun(query, runUuid);
  const run = await readRunSnapshot(query, runUuid);
  if (!run) throw notFound(`Run '${runUuid}' not found.`);
  const planned = eventFor(run, cause, atMs);
  if (!planned) return;
  let event = prepare(run, planned.type, planned.ms);
  if (run.lastEventMs !== null && planned.ms <= run.lastEventMs) {
    if (await eventStored(query, event.id)) return;
    event = prepare(run, planned.type, run.lastEventMs + 1);
  }
  if (planned.type === 'OTHER' && sameState(await lastEventText(query, runUuid), event.text)) return;
  await storePlans(query, [event.plan]);
}

const TERMINAL: Partial<Record<MlflowStatus, RunEventType>> = { FINISHED: 'COMPLETE', FAILED: 'FAIL', KILLED: 'ABORT' };

function eventFor(run: RunSnapshot, cause: ProjectionCause, atMs: number): { type: RunEventType; ms: number } | undefined {
  const ended = TERMINAL[run.status];
  switch (cause) {
    case 'created':
      return { type: 'START', ms: run.startTime };
    case 'status':
      if (ended) return { type: ended, ms: run.endTime ?? atMs };
      return { type: run.status === 'RUNNING' ? 'RUNNING' : 'OTHER', ms: atMs };
    case 'metrics':
      return ended ? { type: 'OTHER', ms: atMs } : undefined;
    case 'data':
    case 'lifecycle':
      return { type: 'OTHER', ms: atMs };
  }
}

type Ready = Extract<ReturnType<typeof prepareAndPlan>, { ok: true }> & { text: string };

function prepare(run: RunSnapshot, type: RunEventType, ms: number): Ready {
  const text = JSON.stringify(mlflowRunEvent(run, type, ms));
  // Not strict: should the bridge ever deviate from the spec, the change is not refused for it; the event is
  // stored with its warnings, which the producers' conformance report shows (producer urn:pedigree:mlflow).
  const prepared = prepareAndPlan(text, { strict: false });
  if (!prepared.ok) {
    throw new Error(`the OpenLineage event of MLflow run ${run.runUuid} cannot be stored: ${JSON.stringify(prepared.errors.slice(0, 3))}`);
  }
  return { ...prepared, text };
}

/** Whether two events describe the same state (all but their type and time). */
function sameState(stored: string | undefined, text: string): boolean {
  if (stored === undefined) return false;
  const state = (t: string) => {
    const { eventTime: _t, eventType: _e, ...rest } = JSON.parse(t) as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  return state(stored) === state(text);
}
