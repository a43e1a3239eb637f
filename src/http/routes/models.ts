import { Hono } from 'hono';
import { invalid } from '../../core/errors';
import { UUID } from '../../core/uuid';
import { getCard, putCard } from '../../models/cards';
import { modelsTrainedOn } from '../../models/consumers';
import { deploy, listDeployments } from '../../models/deployments';
import { diffVersions } from '../../models/diff';
import { decideLink, versionLinks } from '../../models/links';
import { approve, checkRun } from '../../models/policy';
import { modelApproval, modelLineage } from '../../models/questions';
import { resolveVersion } from '../../models/registry';
import { moveToStage } from '../../models/stage';
import { parseModelsUri, versionRef } from '../../models/uri';
import { requireScope } from '../auth';
import type { AppEnv } from '../context';
import { jsonBody } from '../json-body';
import { depthOf, params } from '../params';

/**
 * Pedigree's native model API: the questions (lineage, approval), approvals, links, cards, deployments. A
 * version in a path is a number, an alias (`champion` or `@champion`), a stage or `latest`.
 */
export const modelRoutes = new Hono<AppEnv>();

const ref = (name: string, version: string) => versionRef(name, version);

modelRoutes.get('/models/:name/versions/:version/lineage', async (c) => {
  const p = params(c);
  const { db } = c.get('deps');
  return c.json(await modelLineage(db, ref(c.req.param('name'), c.req.param('version')), depthOf(p)));
});

/** Question 2: the model versions trained on a dataset (at a version), directly or downstream. */
modelRoutes.get('/namespaces/:namespace/datasets/:dataset/models', async (c) => {
  const p = params(c);
  const { db } = c.get('deps');
  const version = p.string('version');
  return c.json(
    await modelsTrainedOn(
      db,
      { namespace: c.req.param('namespace'), name: c.req.param('dataset') },
      // Transitive means every downstream job unless a depth is asked for.
      {
        ...(version ? { version } : {}),
        transitive: p.boolean('transitive', true),
        depth: p.raw('depth') === undefined ? null : depthOf(p),
      },
    ),
  );
});

/** Question 3: the lineage of `to` against `from` (default: the previous version that reached Production). */
modelRoutes.get('/models/:name/diff', async (c) => {
  const p = params(c);
  const { db } = c.get('deps');
  const name = c.req.param('name');
  const from = p.string('from');
  return c.json(await diffVersions(db, name, versionRef(name, p.string('to') ?? 'latest'), from ? versionRef(name, from) : undefined));
});

modelRoutes.get('/models/:name/versions/:version/approval', async (c) => {
  const { db, config } = c.get('deps');
  return c.json(await modelApproval(db, config.policy, ref(c.req.param('name'), c.req.param('version'))));
});

modelRoutes.post('/models/:name/versions/:version/approvals', async (c) => {
  const actor = requireScope(c, 'approve');
  const { db } = c.get('deps');
  const body = await jsonBody(c);
  const v = await resolveVersion(db, ref(c.req.param('name'), c.req.param('version')));
  const comment = typeof body.comment === 'string' ? body.comment : undefined;
  return c.json({ approvals: await approve(db, actor.name, v, comment) }, 201);
});

/** `{"stage": "Production", "archiveExisting"?: true, "comment"?: "…"}`; Production applies the promotion policy. */
modelRoutes.post('/models/:name/versions/:version/stage', async (c) => {
  const { db, config } = c.get('deps');
  const body = await jsonBody(c);
  if (typeof body.stage !== 'string') throw invalid('/stage', 'stage is required: None, Staging, Production or Archived');
  const v = await resolveVersion(db, ref(c.req.param('name'), c.req.param('version')));
  const moved = await moveToStage(db, config.policy, c.get('actor').name, {
    name: v.name,
    version: v.version,
    stage: body.stage,
    archiveExisting: body.archiveExisting === true,
    ...(typeof body.comment === 'string' ? { comment: body.comment } : {}),
  });
  return c.json(moved);
});

/** The promotion policy's run-level rules for a training run (what `pedigree check-run` asks). */
modelRoutes.get('/runs/:runId/policy-check', async (c) => {
  const { db, config } = c.get('deps');
  const runId = c.req.param('runId');
  if (!UUID.test(runId)) throw invalid('/runId', 'a run id is a UUID');
  return c.json(await checkRun(db, config.policy, runId.toLowerCase()));
});

modelRoutes.get('/models/:name/versions/:version/links', async (c) => {
  const { db } = c.get('deps');
  const v = await resolveVersion(db, ref(c.req.param('name'), c.req.param('version')));
  return c.json({ links: await versionLinks(db, v) });
});

/** Confirms or rejects one link: `{"status": "confirmed" | "rejected", "comment"?: "…"}`. */
modelRoutes.post('/models/:name/versions/:version/links/:linkId', async (c) => {
  const actor = c.get('actor');
  const { db } = c.get('deps');
  const body = await jsonBody(c);
  if (body.status !== 'confirmed' && body.status !== 'rejected') throw invalid('/status', "status must be 'confirmed' or 'rejected'");
  const v = await resolveVersion(db, ref(c.req.param('name'), c.req.param('version')));
  const comment = typeof body.comment === 'string' ? body.comment : undefined;
  return c.json(await decideLink(db, actor.name, v, c.req.param('linkId').toLowerCase(), body.status, comment));
});

modelRoutes.get('/models/:name/versions/:version/card', async (c) => {
  const { db } = c.get('deps');
  return c.json(await getCard(db, await resolveVersion(db, ref(c.req.param('name'), c.req.param('version')))));
});

modelRoutes.put('/models/:name/versions/:version/card', async (c) => {
  const actor = c.get('actor');
  const { db } = c.get('deps');
  const body = await jsonBody(c);
  const v = await resolveVersion(db, ref(c.req.param('name'), c.req.param('version')));
  return c.json(await putCard(db, actor.name, v, body));
});

/**
 * `{endpoint, model, version?, environment?}`: `model` is a name (with `version` a number, alias or
 * stage) or a `models:/` URI.
 */
modelRoutes.post('/deployments', async (c) => {
  const actor = c.get('actor');
  const { db } = c.get('deps');
  const body = await jsonBody(c);
  if (typeof body.model !== 'string' || !body.model) throw invalid('/model', 'model is required (a name or a models:/ URI)');
  const version = typeof body.version === 'number' ? String(body.version) : typeof body.version === 'string' ? body.version : undefined;
  const target = parseModelsUri(body.model) ?? (version ? versionRef(body.model, version) : undefined);
  if (!target) throw invalid('/version', 'version is required with a model name');
  const v = await resolveVersion(db, target);
  return c.json(await deploy(db, actor.name, v, body), 201);
});

modelRoutes.get('/deployments', async (c) => {
  const p = params(c);
  const { db } = c.get('deps');
  const model = p.string('model');
  const version = p.raw('version') === undefined ? undefined : p.integer('version', 0, { min: 1 });
  return c.json({
    deployments: await listDeployments(db, {
      ...(p.string('endpoint') ? { endpoint: p.string('endpoint')! } : {}),
      ...(p.string('environment') ? { environment: p.string('environment')! } : {}),
      ...(model ? { model } : {}),
      ...(version !== undefined ? { version } : {}),
    }),
  });
});
