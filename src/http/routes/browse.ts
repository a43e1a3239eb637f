import { z } from '@hono/zod-openapi';
import { listEvents } from '../../read/events';
import { search } from '../../read/search';
import { entityStats, lineageEventStats } from '../../read/stats';
import { declare, router, serve } from '../declare';
import { pageFrom } from '../paging';
import { json, readErrors } from '../schemas/common';
import { LineageEventBuckets, LineageEvents, SearchResults, StatsBuckets } from '../schemas/marquez';
import { integer, oneOf, paging, requiredOneOf, requiredText, text, time, uuid } from '../schemas/params';

/** What the web UI's dashboard, events page and search box read. */
export const browseRoutes = router();

/**
 * `before`/`after` are instants; the web UI sends its local wall time with a literal `.000Z`, which is read
 * as written (UTC), as Marquez does.
 */
serve(
  browseRoutes,
  declare({
    method: 'get',
    path: '/events/lineage',
    scope: 'read',
    summary: 'The stored RunEvents, verbatim',
    request: {
      query: z.object({
        before: time('event time, exclusive'),
        after: time('event time, inclusive'),
        sortDirection: oneOf('by event time (default desc)', ['asc', 'desc']),
        runId: uuid('Pedigree extension: the events of one run'),
        ...paging(),
      }),
    },
    responses: { 200: json(LineageEvents, '{events, totalCount}'), ...readErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const filter = { ...optional({ before: q.before, after: q.after, runId: q.runId }), direction: q.sortDirection ?? 'desc' };
    // The events are the exact text received: the answer is assembled as text, never parsed.
    return c.body(await listEvents(c.get('deps').db, filter, pageFrom(q)), 200, { 'content-type': 'application/json' });
  },
);

serve(
  browseRoutes,
  declare({
    method: 'get',
    path: '/search',
    scope: 'read',
    summary: 'Jobs and datasets whose name contains q (case-insensitive)',
    request: {
      query: z.object({
        q: requiredText('substring; `%` and `_` are wildcards as in Marquez', 1024).refine((s) => s.trim() !== '', 'must not be blank'),
        filter: oneOf('one kind only', ['DATASET', 'JOB']),
        sort: oneOf('order (default NAME)', ['NAME', 'UPDATE_AT']),
        limit: integer('results', 10, 0, 10_000),
        namespace: text('one namespace only', 1024),
        before: time('updated before', true),
        after: time('updated after', true),
      }),
    },
    responses: { 200: json(SearchResults, 'the matches'), ...readErrors },
  }),
  async (c) => {
    const { q, filter, sort, limit, namespace, before, after } = c.req.valid('query');
    return c.json(await search(c.get('deps').db, { q, sort: sort ?? 'NAME', limit, ...optional({ filter, namespace, before, after }) }));
  },
);

const statsQuery = z.object({
  period: requiredOneOf('the window: the last 24 hours by hour, or the last 7 days by day', ['DAY', 'WEEK']),
  timezone: text('IANA zone of the WEEK buckets (default UTC)', 64),
});

serve(
  browseRoutes,
  declare({
    method: 'get',
    path: '/stats/lineage-events',
    scope: 'read',
    summary: 'Counts of lineage events per hour (DAY) or day (WEEK)',
    request: { query: statsQuery },
    responses: { 200: json(LineageEventBuckets, 'one bucket per interval'), ...readErrors },
  }),
  async (c) => {
    const { period, timezone } = c.req.valid('query');
    return c.json(await lineageEventStats(c.get('deps').db, period, timezone ?? 'UTC'));
  },
);

for (const table of ['jobs', 'datasets', 'sources'] as const) {
  serve(
    browseRoutes,
    declare({
      method: 'get',
      path: `/stats/${table}`,
      scope: 'read',
      summary: `Counts of new ${table} per hour (DAY) or day (WEEK)`,
      request: { query: statsQuery },
      responses: { 200: json(StatsBuckets, 'one bucket per interval'), ...readErrors },
    }),
    async (c) => {
      const { period, timezone } = c.req.valid('query');
      return c.json(await entityStats(c.get('deps').db, table, period, timezone ?? 'UTC'));
    },
  );
}

/** Drops the keys whose value is undefined (exactOptionalPropertyTypes). */
function optional<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
