import { Hono } from 'hono';
import { UUID } from '../../ingest/understand';
import { columnLineage } from '../../read/column-lineage';
import { lineageGraph } from '../../read/lineage';
import { resolveNodeId } from '../../read/node-id';
import { upstreamRuns } from '../../read/run-lineage';
import type { Direction } from '../../read/walk';
import type { AppEnv } from '../context';
import { depthOf, invalid, MAX_DEPTH, params } from '../params';
import { notFound } from '../problem';

/** Lineage graphs: table level, column level, and the runs upstream of a run. */
export const graphRoutes = new Hono<AppEnv>();

graphRoutes.get('/lineage', async (c) => {
  const p = params(c);
  const { db } = c.get('deps');
  const start = await resolveNodeId(db, p.string('nodeId', { required: true })!);
  if (start.type === 'datasetField') throw invalid('nodeId', 'must be a dataset or job node (datasetField: use /column-lineage)');
  const direction = p.oneOf<Direction>('direction', ['upstream', 'downstream', 'both'], 'both');
  const asOf = p.time('asOf');
  return c.json(await lineageGraph(db, start, { depth: depthOf(p), direction, ...(asOf ? { asOf } : {}) }));
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
