import { Hono } from 'hono';
import { getJob, getJobVersion, getRun, getRunFacets, listJobs, listJobVersions, listRuns, RUN_STATES } from '../../read/jobs';
import { tagJob } from '../../read/tags';
import type { AppEnv } from '../context';
import { invalid, type Params, pageOf, params } from '../params';

/** Jobs, their versions and runs; runs by id. */
export const jobRoutes = new Hono<AppEnv>();
const base = '/namespaces/:namespace/jobs';

function lastRunStates(p: Params) {
  return p.list('lastRunStates').map((s) => {
    const state = RUN_STATES.find((x) => x === s.toUpperCase());
    if (!state) throw invalid('lastRunStates', `must be among ${RUN_STATES.join(', ')}; got "${s}"`);
    return state;
  });
}

jobRoutes.get('/jobs', async (c) => {
  const p = params(c);
  return c.json(await listJobs(c.get('deps').db, { lastRunStates: lastRunStates(p) }, pageOf(p)));
});
jobRoutes.get(base, async (c) => {
  const p = params(c);
  return c.json(await listJobs(c.get('deps').db, { namespace: c.req.param('namespace'), lastRunStates: lastRunStates(p) }, pageOf(p)));
});
jobRoutes.get(`${base}/:job`, async (c) => c.json(await getJob(c.get('deps').db, c.req.param('namespace'), c.req.param('job'))));
jobRoutes.get(`${base}/:job/versions`, async (c) =>
  c.json(await listJobVersions(c.get('deps').db, c.req.param('namespace'), c.req.param('job'), pageOf(params(c)))),
);
jobRoutes.get(`${base}/:job/versions/:version`, async (c) =>
  c.json(await getJobVersion(c.get('deps').db, c.req.param('namespace'), c.req.param('job'), c.req.param('version'))),
);
jobRoutes.get(`${base}/:job/runs`, async (c) =>
  c.json(await listRuns(c.get('deps').db, c.req.param('namespace'), c.req.param('job'), pageOf(params(c)))),
);
for (const [method, on] of [
  ['post', true],
  ['delete', false],
] as const) {
  jobRoutes[method](`${base}/:job/tags/:tag`, async (c) =>
    c.json(await tagJob(c.get('deps').db, c.req.param('namespace'), c.req.param('job'), c.req.param('tag'), on)),
  );
}
jobRoutes.get('/jobs/runs/:id', async (c) => c.json(await getRun(c.get('deps').db, c.req.param('id'))));
jobRoutes.get('/jobs/runs/:id/facets', async (c) => {
  const type = params(c).oneOf('type', ['run', 'job'] as const);
  if (!type) throw invalid('type', 'is required (run or job)');
  return c.json(await getRunFacets(c.get('deps').db, c.req.param('id'), type));
});
