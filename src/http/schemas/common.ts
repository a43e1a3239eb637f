import { z } from '@hono/zod-openapi';

/** The answers every route shares: problems, deviations, graphs. */

export const Deviation = z
  .object({
    pointer: z.string().openapi({ description: 'JSON pointer into the body, or /query/<name>, /path/<name>' }),
    message: z.string(),
  })
  .openapi('Deviation');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(Deviation).optional(),
    code: z.number().int().openapi({ description: "Marquez's error code (= status)" }),
    message: z.string().openapi({ description: "Marquez's error message (= detail)" }),
  })
  .openapi('Problem');

export const MlflowError = z
  .object({ error_code: z.string(), message: z.string(), details: z.array(Deviation).optional() })
  .openapi('MlflowError');

/** A problem+json answer. */
export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });
/** MLflow's error answer. */
export const mlflowError = (description: string) => ({ description, content: { 'application/json': { schema: MlflowError } } });

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The errors every read may answer. */
export const readErrors = {
  400: problem('a parameter is invalid; `errors` names it (`/query/<name>`, `/path/<name>`)'),
  404: problem('what the path names does not exist'),
};

/** A JSON object whose members are described elsewhere (Marquez's shapes; opaque facets). */
export const anyObject = z.record(z.string(), z.unknown());

export const Edge = z.object({ origin: z.string(), destination: z.string() }).openapi('Edge');

export const LineageGraph = z
  .object({
    graph: z.array(
      z.object({
        id: z.string(),
        type: z.enum(['DATASET', 'JOB', 'DATASET_FIELD', 'MODEL', 'DEPLOYMENT', 'RUN']),
        data: anyObject.nullable().openapi({ description: "Marquez's DatasetData, JobData or column node data" }),
        inEdges: z.array(Edge),
        outEdges: z.array(Edge),
      }),
    ),
  })
  .openapi('Lineage');

/** Headers of an answer assembled as JSON text (stored documents spliced in), served as c.json serves. */
export const JSON_TEXT = { 'content-type': 'application/json' } as const;
