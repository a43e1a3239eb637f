import { z } from '@hono/zod-openapi';
import { graphAround } from '../../models/graph';
import { columnLineage } from '../../read/column-lineage';
import { nodeCandidates } from '../../read/node-id';
import { upstreamRuns } from '../../read/run-lineage';
import { declare, router, serve } from '../declare';
import { JSON_TEXT, json, LineageGraph, readErrors } from '../schemas/common';
import { UpstreamRuns } from '../schemas/marquez';
import { boolean, depth, MAX_DEPTH, oneOf, requiredText, time } from '../schemas/params';

/** Lineage graphs: table level, column level, and the runs upstream of a run. */
export const graphRoutes = router();

const nodeId = requiredText(
  '`dataset:<ns>:<name>`, `job:<ns>:<name>`, `datasetField:<ns>:<name>:<field>`, `model:<name>:<version>`, `deployment:<environment>:<endpoint>` or `run:<uuid>`',
);

/**
 * Models are nodes too: by default (what Marquez clients and its web UI draw) each model version trained
 * by a graph's jobs is a DATASET node of the namespace `models`; `withModels=true` gives MODEL and
 * DEPLOYMENT nodes (src/models/graph.ts). Pedigree extensions: a graph around `deployment:<env>:<endpoint>`
 * (what the endpoint serves now, or served at `asOf`, and that version's lineage) and around `run:<uuid>`
 * (its job's lineage at the run's time, with a RUN node linked to the exact versions it read and wrote).
 */
serve(
  graphRoutes,
  declare({
    method: 'get',
    path: '/lineage',
    scope: 'read',
    summary: 'Table-level lineage around a dataset, a job, a run, a model version or a deployment',
    request: {
      query: z.object({
        nodeId,
        depth: depth(),
        direction: oneOf('Pedigree extension: walk what produced the node, what consumes it, or both (default)', [
          'upstream',
          'downstream',
          'both',
        ]),
        asOf: time('Pedigree extension: the graph as it was at that time'),
        withModels: boolean(
          'Pedigree extension: model versions as MODEL nodes (model:<name>:<version>) with DEPLOYMENT nodes, instead of DATASET nodes of namespace `models`',
          false,
        ),
      }),
    },
    responses: { 200: json(LineageGraph, "Marquez's lineage graph"), ...readErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const options = { depth: q.depth, direction: q.direction ?? 'both', withModels: q.withModels };
    const graph = await graphAround(c.get('deps').db, q.nodeId, q.asOf ? { ...options, asOf: q.asOf } : options);
    return typeof graph === 'string' || graph instanceof Uint8Array ? c.body(graph, 200, JSON_TEXT) : c.json(graph);
  },
);

serve(
  graphRoutes,
  declare({
    method: 'get',
    path: '/column-lineage',
    scope: 'read',
    summary: 'Column-level lineage around a dataset or field',
    request: { query: z.object({ nodeId, depth: depth(), withDownstream: boolean('also walk downstream', false) }) },
    responses: { 200: json(LineageGraph, 'DATASET_FIELD nodes'), ...readErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const { db } = c.get('deps');
    return c.json(await columnLineage(db, nodeCandidates(q.nodeId), q.depth ?? MAX_DEPTH, q.withDownstream));
  },
);

serve(
  graphRoutes,
  declare({
    method: 'get',
    path: '/runlineage/upstream',
    scope: 'read',
    summary: 'The runs upstream of a run, through the dataset versions it read',
    request: { query: z.object({ runId: requiredText('run id (UUID)'), depth: depth() }) },
    responses: { 200: json(UpstreamRuns, '{runs: [...]}'), ...readErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.json(await upstreamRuns(c.get('deps').db, q.runId.toLowerCase(), q.depth ?? MAX_DEPTH));
  },
);
