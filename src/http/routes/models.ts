import { z } from '@hono/zod-openapi';
import { UUID } from '../../core/uuid';
import { modelHistory } from '../../models/audit';
import { getCard, putCard } from '../../models/cards';
import { modelsTrainedOn } from '../../models/consumers';
import { diffVersions } from '../../models/diff';
import { decideLink, versionLinks } from '../../models/links';
import { approve, checkRun } from '../../models/policy';
import { modelApproval, modelLineage } from '../../models/questions';
import { resolveVersion } from '../../models/registry';
import { moveToStage } from '../../models/stage';
import { versionRef } from '../../models/uri';
import { declare, router, serve } from '../declare';
import { json, problem, readErrors } from '../schemas/common';
import {
  Approvals,
  bodyText,
  CardFields,
  Link,
  Links,
  ModelApproval,
  ModelCard,
  ModelDiff,
  ModelHistory,
  ModelLineage,
  ModelsTrainedOn,
  ModelVersion,
  RunCheck,
  stage,
} from '../schemas/models';
import { boolean, depth, integer, segment, text } from '../schemas/params';
import { deploymentRoutes } from './deployments';

/**
 * Pedigree's native model API: the questions (lineage, models trained on a dataset, diff, approval),
 * approvals, stages, links, cards and the policy check of a run; deployments in deployments.ts. A version
 * in a path is a number, an alias (`champion` or `@champion`), a stage or `latest`.
 */
export const modelRoutes = router();

const VERSION = z.object({
  name: segment('registered model name'),
  version: segment('a number, an alias (`champion` or `@champion`), a stage (`Production`) or `latest`'),
});
const ref = (p: z.infer<typeof VERSION>) => versionRef(p.name, p.version);

const body = <T extends z.ZodType>(schema: T, required = true) => ({ required, content: { 'application/json': { schema } } });

serve(
  modelRoutes,
  declare({
    method: 'get',
    path: '/models/{name}/versions/{version}/lineage',
    scope: 'read',
    summary: 'Question 1: the training runs, exact input versions, code, parameters, upstream lineage and links',
    request: { params: VERSION, query: z.object({ depth: depth() }) },
    responses: { 200: json(ModelLineage, 'the lineage of the version'), ...readErrors },
  }),
  async (c) => c.json(await modelLineage(c.get('deps').db, ref(c.req.valid('param')), c.req.valid('query').depth)),
);

serve(
  modelRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}/datasets/{dataset}/models',
    scope: 'read',
    summary:
      'Question 2: the model versions trained on the dataset (at a version), directly or through downstream jobs, with stage, aliases, deployments and the path',
    request: {
      params: z.object({ namespace: segment('namespace name'), dataset: segment('dataset name') }),
      query: z.object({
        version: text('the dataset version (producer version or version id); default: any'),
        transitive: boolean('follow the runs downstream of the dataset', true),
        // Transitive means every downstream job unless a depth is asked for.
        depth: depth(null),
      }),
    },
    responses: { 200: json(ModelsTrainedOn, 'the models'), ...readErrors },
  }),
  async (c) => {
    const { namespace, dataset: name } = c.req.valid('param');
    return c.json(await modelsTrainedOn(c.get('deps').db, { namespace, name }, c.req.valid('query')));
  },
);

serve(
  modelRoutes,
  declare({
    method: 'get',
    path: '/models/{name}/diff',
    scope: 'read',
    summary: 'Question 3: why might a version behave differently? Its lineage against another version, causes ranked',
    request: {
      params: z.object({ name: segment('registered model name') }),
      query: z.object({
        from: text('the version compared against; default: the previous version that reached Production'),
        to: text('the version examined; default: latest'),
      }),
    },
    responses: { 200: json(ModelDiff, 'the diff'), ...readErrors },
  }),
  async (c) => {
    const { name } = c.req.valid('param');
    const { from, to } = c.req.valid('query');
    const diff = await diffVersions(c.get('deps').db, name, versionRef(name, to ?? 'latest'), from ? versionRef(name, from) : undefined);
    return c.json(diff);
  },
);

serve(
  modelRoutes,
  declare({
    method: 'get',
    path: '/models/{name}/history',
    scope: 'read',
    summary: "The audit history of a model and all its versions, oldest first: every version's stage timeline in one read",
    request: {
      params: z.object({ name: segment('registered model name') }),
      query: z.object({ limit: integer('entries', 1000, 1, 10_000), offset: integer('entries skipped', 0, 0) }),
    },
    responses: { 200: json(ModelHistory, 'the history'), ...readErrors },
  }),
  async (c) => c.json(await modelHistory(c.get('deps').db, c.req.valid('param').name, c.req.valid('query'))),
);

serve(
  modelRoutes,
  declare({
    method: 'get',
    path: '/models/{name}/versions/{version}/approval',
    scope: 'read',
    summary: 'Question 4: stage, aliases, the policy verdict rule by rule, approvals, the full history with actors, deployments',
    request: { params: VERSION },
    responses: { 200: json(ModelApproval, 'the approval record'), ...readErrors },
  }),
  async (c) => {
    const { db, config } = c.get('deps');
    return c.json(await modelApproval(db, config.policy, ref(c.req.valid('param'))));
  },
);

serve(
  modelRoutes,
  declare({
    method: 'post',
    path: '/models/{name}/versions/{version}/approvals',
    scope: 'approve',
    summary: 'Approve the version (never by its registrant); approving twice is one approval',
    request: { params: VERSION, body: body(z.object({ comment: bodyText('why').optional() }), false) },
    responses: {
      201: json(Approvals, 'the approvals so far'),
      ...readErrors,
      403: problem('the caller lacks the approve scope, or registered the version'),
    },
  }),
  async (c) => {
    const { db } = c.get('deps');
    const v = await resolveVersion(db, ref(c.req.valid('param')));
    return c.json({ approvals: await approve(db, c.get('actor').name, v, c.req.valid('json').comment) }, 201);
  },
);

serve(
  modelRoutes,
  declare({
    method: 'post',
    path: '/models/{name}/versions/{version}/stage',
    scope: 'write',
    summary: 'Move the version to a stage; Production applies the promotion policy',
    request: {
      params: VERSION,
      body: body(
        z.object({
          stage,
          archiveExisting: z
            .boolean({ error: 'must be true or false' })
            .default(false)
            .openapi({ description: 'move the other versions in that stage to Archived' }),
          comment: bodyText('why, kept in the audit log').optional(),
        }),
      ),
    },
    responses: {
      200: json(ModelVersion, 'the version'),
      ...readErrors,
      409: problem('the promotion policy refuses: `errors` names each unmet rule (`/policy/<rule>`)'),
    },
  }),
  async (c) => {
    const { db, config } = c.get('deps');
    const b = c.req.valid('json');
    const v = await resolveVersion(db, ref(c.req.valid('param')));
    const moved = await moveToStage(db, config.policy, c.get('actor').name, {
      name: v.name,
      version: v.version,
      stage: b.stage,
      archiveExisting: b.archiveExisting,
      comment: b.comment,
    });
    return c.json(moved);
  },
);

serve(
  modelRoutes,
  declare({
    method: 'get',
    path: '/runs/{runId}/policy-check',
    scope: 'read',
    summary: "A training run against the policy's run-level rules (known, completed, required tags): what `pedigree check-run` asks",
    request: {
      params: z.object({
        runId: z
          .string()
          .regex(UUID, 'must be a UUID')
          .transform((id) => id.toLowerCase())
          .openapi({ format: 'uuid', description: 'OpenLineage run id' }),
      }),
    },
    responses: { 200: json(RunCheck, 'the check'), 400: readErrors[400] },
  }),
  async (c) => {
    const { db, config } = c.get('deps');
    return c.json(await checkRun(db, config.policy, c.req.valid('param').runId));
  },
);

serve(
  modelRoutes,
  declare({
    method: 'get',
    path: '/models/{name}/versions/{version}/links',
    scope: 'read',
    summary: 'The links to OpenLineage runs and dataset versions, with method, confidence, status and evidence',
    request: { params: VERSION },
    responses: { 200: json(Links, 'the links, strongest first'), ...readErrors },
  }),
  async (c) => {
    const { db } = c.get('deps');
    return c.json({ links: await versionLinks(db, await resolveVersion(db, ref(c.req.valid('param')))) });
  },
);

serve(
  modelRoutes,
  declare({
    method: 'post',
    path: '/models/{name}/versions/{version}/links/{linkId}',
    scope: 'write',
    summary: 'Confirm or reject a link; the decision sticks to the link',
    request: {
      // Link ids are UUIDs, compared in lower case.
      params: VERSION.extend({ linkId: segment('link id').transform((id) => id.toLowerCase()) }),
      body: body(
        z.object({
          status: z.enum(['confirmed', 'rejected'], { error: "must be 'confirmed' or 'rejected'" }),
          comment: bodyText('why, kept with the decision').optional(),
        }),
      ),
    },
    responses: { 200: json(Link, 'the link'), ...readErrors },
  }),
  async (c) => {
    const { db } = c.get('deps');
    const p = c.req.valid('param');
    const { status, comment } = c.req.valid('json');
    const v = await resolveVersion(db, ref(p));
    return c.json(await decideLink(db, c.get('actor').name, v, p.linkId, status, comment));
  },
);

serve(
  modelRoutes,
  declare({
    method: 'get',
    path: '/models/{name}/versions/{version}/card',
    scope: 'read',
    summary: 'The model card, with its training-data section generated from lineage',
    request: { params: VERSION },
    responses: { 200: json(ModelCard, 'the card'), ...readErrors },
  }),
  async (c) => {
    const { db } = c.get('deps');
    return c.json(await getCard(db, await resolveVersion(db, ref(c.req.valid('param')))));
  },
);

serve(
  modelRoutes,
  declare({
    method: 'put',
    path: '/models/{name}/versions/{version}/card',
    scope: 'write',
    summary: 'Write the model card: markdown and structured fields',
    request: { params: VERSION, body: body(z.object({ markdown: bodyText('the card, in Markdown'), fields: CardFields.optional() })) },
    responses: { 200: json(ModelCard, 'the card'), ...readErrors },
  }),
  async (c) => {
    const { db } = c.get('deps');
    const v = await resolveVersion(db, ref(c.req.valid('param')));
    return c.json(await putCard(db, c.get('actor').name, v, c.req.valid('json')));
  },
);

modelRoutes.route('/', deploymentRoutes);
