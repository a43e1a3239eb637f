import { Hono } from 'hono';
import { UUID } from '../../core/uuid';
import { listEvents } from '../../read/events';
import { search } from '../../read/search';
import { entityStats, lineageEventStats, type Period } from '../../read/stats';
import type { AppEnv } from '../context';
import { invalid, pageOf, params } from '../params';

/** What the web UI's dashboard, events page and search box read. */
export const browseRoutes = new Hono<AppEnv>();

/**
 * `before`/`after` are instants; the web UI sends its local wall time with a literal `.000Z`, which is read
 * as written (UTC), as Marquez does.
 */
browseRoutes.get('/events/lineage', async (c) => {
  const p = params(c);
  const runId = p.string('runId');
  if (runId !== undefined && !UUID.test(runId)) throw invalid('runId', 'must be a UUID');
  const body = await listEvents(
    c.get('deps').db,
    {
      ...optional({ before: p.time('before'), after: p.time('after'), runId: runId?.toLowerCase() }),
      direction: p.oneOf('sortDirection', ['asc', 'desc'] as const, 'desc'),
    },
    pageOf(p),
  );
  return c.body(body, 200, { 'content-type': 'application/json' });
});

browseRoutes.get('/search', async (c) => {
  const p = params(c);
  const q = p.string('q', { max: 1024 });
  if (q === undefined || q.trim() === '') throw invalid('q', 'must not be blank');
  const date = (name: string) => {
    const v = p.raw(name);
    if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw invalid(name, 'must be a date, YYYY-MM-DD');
    return p.time(name);
  };
  return c.json(
    await search(c.get('deps').db, {
      q,
      sort: p.oneOf('sort', ['NAME', 'UPDATE_AT'] as const, 'NAME'),
      limit: p.integer('limit', 10, { min: 0, max: 10_000 }),
      ...optional({
        filter: p.oneOf('filter', ['DATASET', 'JOB'] as const),
        namespace: p.string('namespace', { max: 1024 }),
        before: date('before'),
        after: date('after'),
      }),
    }),
  );
});

function statsParams(c: Parameters<typeof params>[0]): { period: Period; timezone: string } {
  const p = params(c);
  const period = p.oneOf('period', ['DAY', 'WEEK'] as const);
  if (!period) throw invalid('period', 'is required (DAY or WEEK)');
  const timezone = p.string('timezone', { max: 64 }) ?? 'UTC';
  return { period, timezone };
}

browseRoutes.get('/stats/lineage-events', async (c) => {
  const { period, timezone } = statsParams(c);
  return c.json(await lineageEventStats(c.get('deps').db, period, timezone));
});
for (const table of ['jobs', 'datasets', 'sources'] as const) {
  browseRoutes.get(`/stats/${table}`, async (c) => {
    const { period, timezone } = statsParams(c);
    return c.json(await entityStats(c.get('deps').db, table, period, timezone));
  });
}

/** Drops the keys whose value is undefined (exactOptionalPropertyTypes). */
function optional<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
