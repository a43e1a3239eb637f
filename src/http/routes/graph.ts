import { Hono } from 'hono';
import { UUID } from '../../ingest/understand';
import { MODEL_CANDIDATES, modelGraph, parseModelDatasetId, parseModelNodeId, withModelNodes } from '../../models/graph';
import type { ModelVersion } from '../../models/registry';
import { columnLineage } from '../../read/column-lineage';
import { lineageGraph } from '../../read/lineage';
import { type NodeRef, resolveNodeId } from '../../read/node-id';
import { upstreamRuns } from '../../read/run-lineage';
import type { Direction } from '../../read/walk';
import type { AppEnv } from '../context';
import { depthOf, invalid, MAX_DEPTH, params } from '../params';
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
  const { db } = c.get('deps');
  const raw = p.string('nodeId', { required: true })!;
  const direction = p.oneOf<Direction>('direction', ['upstream', 'downstream', 'both'], 'both');
  const asOf = p.time('asOf');
  const options = { depth: depthOf(p), direction, ...(asOf ? { asOf } : {}) };
  if (parseModelNodeId(raw)) return c.json(await modelGraph(db, raw, options));
  let start: NodeRef;
  try {
    start = await resolveNodeId(db, raw);
  } catch (error) {
    // A real dataset of that name wins; only then is it read as a model version.
    const model = parseModelDatasetId(raw) ? await modelGraph(db, raw, options) : undefined;
    if (model) return c.json(model);
    throw error;
  }
  if (start.type === 'datasetField') throw invalid('nodeId', 'must be a dataset or job node (datasetField: use /column-lineage)');
  const lineage = await lineageGraph<ModelVersion[]>(db, start, options, MODEL_CANDIDATES);
  return c.json({
    graph: await withModelNodes(db, lineage.graph, lineage.alongside, p.boolean('withModels', false) ? 'native' : 'marquez'),
  });
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
