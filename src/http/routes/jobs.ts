import { z } from '@hono/zod-openapi';
import {
  getJob,
  getJobVersion,
  getRun,
  getRunFacets,
  listChildRuns,
  listJobs,
  listJobVersions,
  listRuns,
  RUN_STATES,
} from '../../read/jobs';
import { tagJob } from '../../read/tags';
import { declare, router, serve } from '../declare';
import { pageFrom } from '../paging';
import { JSON_TEXT, json, readErrors } from '../schemas/common';
import { ChildRuns, Job, Jobs, JobVersion, JobVersions, Run, RunFacets, Runs } from '../schemas/marquez';
import { listOf, paging, requiredOneOf, segment } from '../schemas/params';

/** Jobs, their versions and runs; runs by id. */
export const jobRoutes = router();

const namespace = segment('namespace name (URL-encoded)');
const job = segment('job name (URL-encoded)');
const runId = segment('run id (UUID)');
const listing = z.object({
  ...paging(),
  lastRunStates: listOf('only jobs whose latest run is in one of these states (repeatable)', RUN_STATES),
});

serve(
  jobRoutes,
  declare({
    method: 'get',
    path: '/jobs',
    scope: 'read',
    summary: 'List jobs of every namespace, most recently updated first (the web UI dashboard)',
    request: { query: listing },
    responses: { 200: json(Jobs, 'totalCount, jobs, and nextCursor'), ...readErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    // The jobs' documents are stored JSON text: the answer is assembled around them (see pageBody).
    return c.body(await listJobs(c.get('deps').db, { lastRunStates: q.lastRunStates }, pageFrom(q)), 200, JSON_TEXT);
  },
);

serve(
  jobRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}/jobs',
    scope: 'read',
    summary: 'List jobs, most recently updated first',
    request: { params: z.object({ namespace }), query: listing },
    responses: { 200: json(Jobs, 'totalCount, jobs, and nextCursor'), ...readErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    return c.body(
      await listJobs(c.get('deps').db, { namespace: c.req.valid('param').namespace, lastRunStates: q.lastRunStates }, pageFrom(q)),
      200,
      JSON_TEXT,
    );
  },
);

serve(
  jobRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}/jobs/{job}',
    scope: 'read',
    summary: 'Get a job',
    request: { params: z.object({ namespace, job }) },
    responses: { 200: json(Job, 'the job, with its latest run'), ...readErrors },
  }),
  async (c) => {
    const p = c.req.valid('param');
    return c.json(await getJob(c.get('deps').db, p.namespace, p.job));
  },
);

serve(
  jobRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}/jobs/{job}/versions',
    scope: 'read',
    summary: 'List job versions',
    request: { params: z.object({ namespace, job }), query: z.object(paging()) },
    responses: { 200: json(JobVersions, 'the versions'), ...readErrors },
  }),
  async (c) => {
    const p = c.req.valid('param');
    return c.json(await listJobVersions(c.get('deps').db, p.namespace, p.job, pageFrom(c.req.valid('query'))));
  },
);

serve(
  jobRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}/jobs/{job}/versions/{version}',
    scope: 'read',
    summary: 'Get a job version',
    request: { params: z.object({ namespace, job, version: segment('version (UUID)') }) },
    responses: { 200: json(JobVersion, 'the version'), ...readErrors },
  }),
  async (c) => {
    const p = c.req.valid('param');
    return c.json(await getJobVersion(c.get('deps').db, p.namespace, p.job, p.version));
  },
);

serve(
  jobRoutes,
  declare({
    method: 'get',
    path: '/namespaces/{namespace}/jobs/{job}/runs',
    scope: 'read',
    summary: 'List runs of a job, newest first',
    request: { params: z.object({ namespace, job }), query: z.object(paging()) },
    responses: { 200: json(Runs, 'the runs'), ...readErrors },
  }),
  async (c) => {
    const p = c.req.valid('param');
    return c.json(await listRuns(c.get('deps').db, p.namespace, p.job, pageFrom(c.req.valid('query'))));
  },
);

for (const [method, on] of [
  ['post', true],
  ['delete', false],
] as const) {
  serve(
    jobRoutes,
    declare({
      method,
      path: '/namespaces/{namespace}/jobs/{job}/tags/{tag}',
      scope: 'write',
      summary: `Job tag: ${on ? 'add' : 'remove'}`,
      request: { params: z.object({ namespace, job, tag: segment('tag name') }) },
      responses: { 200: json(Job, 'the job'), ...readErrors },
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json(await tagJob(c.get('deps').db, p.namespace, p.job, p.tag, on));
    },
  );
}

serve(
  jobRoutes,
  declare({
    method: 'get',
    path: '/jobs/runs/{id}',
    scope: 'read',
    summary: 'Get a run',
    request: { params: z.object({ id: runId }) },
    responses: { 200: json(Run, 'the run'), ...readErrors },
  }),
  async (c) => c.json(await getRun(c.get('deps').db, c.req.valid('param').id)),
);

serve(
  jobRoutes,
  declare({
    method: 'get',
    path: '/jobs/runs/{id}/facets',
    scope: 'read',
    summary: "A run's facets, or the job facets it sent",
    request: { params: z.object({ id: runId }), query: z.object({ type: requiredOneOf('which facets', ['run', 'job']) }) },
    responses: { 200: json(RunFacets, '{runId, facets}'), ...readErrors },
  }),
  async (c) => c.json(await getRunFacets(c.get('deps').db, c.req.valid('param').id, c.req.valid('query').type)),
);

serve(
  jobRoutes,
  declare({
    method: 'get',
    path: '/jobs/runs/{id}/children',
    scope: 'read',
    summary: 'Pedigree extension: the runs whose parent run facet names this run (task runs of a DAG run), in the order they started',
    request: { params: z.object({ id: runId }), query: z.object(paging()) },
    responses: { 200: json(ChildRuns, '{totalCount, runs}, each run with its job'), ...readErrors },
  }),
  async (c) => c.json(await listChildRuns(c.get('deps').db, c.req.valid('param').id, pageFrom(c.req.valid('query')))),
);
