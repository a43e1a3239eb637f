import { Hono } from 'hono';
import { UUID } from '../../ingest/understand';
import { modelGraph, withModelNodes } from '../../models/graph';
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

/**
 * Models are nodes too: `nodeId=model:<name>:<version>` starts from a model version, and `withModels=true`
 * adds the versions the graph's jobs trained (and their deployments) to any graph. Off by default: the
 * Marquez web UI and Marquez clients know only DATASET and JOB nodes.
 */
graphRoutes.get('/lineage', async (c) => {
  const p = params(c);
  const { db } = c.get('deps');
  const raw = p.string('nodeId', { required: true })!;
  const direction = p.oneOf<Direction>('direction', ['upstream', 'downstream', 'both'], 'both');
  const asOf = p.time('asOf');
  const options = { depth: depthOf(p), direction, ...(asOf ? { asOf } : {}) };
  const fromModel = await modelGraph(db, raw, options);
  if (fromModel) return c.json(fromModel);
  const start = await resolveNodeId(db, raw);
  if (start.type === 'datasetField') throw invalid('nodeId', 'must be a dataset or job node (datasetField: use /column-lineage)');
  const lineage = await lineageGraph(db, start, options);
  return c.json(p.boolean('withModels', false) ? { graph: await withModelNodes(db, lineage.graph) } : lineage);
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
