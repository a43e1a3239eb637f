import { Hono } from 'hono';
import { UUID } from '../../core/uuid';
import { graphAround } from '../../models/graph';
import { columnLineage } from '../../read/column-lineage';
import { resolveNodeId } from '../../read/node-id';
import { upstreamRuns } from '../../read/run-lineage';
import type { Direction } from '../../read/walk';
import type { AppEnv } from '../context';
import { depthOf, MAX_DEPTH, params } from '../params';
import { notFound } from '../problem';

/** Lineage graphs: table level, column level, and the runs upstream of a run. */
export const graphRoutes = new Hono<AppEnv>();

/**
 * Models are nodes too. Marquez clients (and its web UI, which draws only DATASET and JOB nodes) get each
 * model version a graph's jobs trained as a DATASET node of the namespace `models`; `withModels=true` asks
 * for the native form instead: MODEL nodes `model:<name>:<version>` and DEPLOYMENT nodes. Either id may
 * start a graph.
 */
graphRoutes.get('/lineage', async (c) => {
  const p = params(c);
  const asOf = p.time('asOf');
  return c.json(
    await graphAround(c.get('deps').db, p.string('nodeId', { required: true })!, {
      depth: depthOf(p),
      direction: p.oneOf<Direction>('direction', ['upstream', 'downstream', 'both'], 'both'),
      withModels: p.boolean('withModels', false),
      ...(asOf ? { asOf } : {}),
    }),
  );
});

graphRoutes.get('/column-lineage', async (c) => {
  const p = params(c);
  const { db } = c.get('deps');
  const start = await resolveNodeId(db, p.string('nodeId', { required: true })!);
  const depth = depthOf(p) ?? MAX_DEPTH;
  return c.json(await columnLineage(db, start, depth, p.boolean('withDownstream', false)));
});

graphRoutes.get('/runlineage/upstream', async (c) => {
  const p = params(c);
  const runId = p.string('runId', { required: true })!;
  if (!UUID.test(runId)) throw notFound(`Run '${runId}' not found.`);
  return c.json(await upstreamRuns(c.get('deps').db, runId.toLowerCase(), depthOf(p) ?? MAX_DEPTH));
});
