import { sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import type { Db } from '../db/client';
import { sqlState } from '../db/errors';
import { select } from '../db/sql';
import { notHidden } from './hidden';

export type Period = 'DAY' | 'WEEK';

/**
 * The dashboard's buckets: DAY is the last 24 hours (UTC hours, the current one included), WEEK the last
 * 7 days in `timezone`. Marquez labels a WEEK bucket with the local date written as UTC midnight
 * (`2024-05-01T00:00:00Z`) and the web UI formats it in UTC, so we label them the same way; DAY buckets
 * are true instants.
 */
function buckets(period: Period, timezone: string) {
  const [unit, step, n, zone] = period === 'DAY' ? ['hour', '1 hour', 24, 'UTC'] : ['day', '1 day', 7, timezone];
  const first = sql`date_trunc(${unit}, now() at time zone ${zone}) - ${n - 1} * ${step}::interval`;
  return {
    cte: sql`b as (select s as start, s + ${step}::interval as stop
      from generate_series(${first}, date_trunc(${unit}, now() at time zone ${zone}), ${step}::interval) s)`,
    /** Local bucket start of a timestamptz column. */
    bucketOf: (column: string) => sql`date_trunc(${unit}, ${sql.raw(column)} at time zone ${zone})`,
    firstInstant: sql`((${first}) at time zone ${zone})`,
  };
}

const label = (column: string) => sql`to_char(${sql.raw(column)}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

export async function lineageEventStats(db: Db, period: Period, timezone: string) {
  const b = buckets(period, timezone);
  return guardTimezone(timezone, () =>
    select(
      db,
      sql`with ${b.cte},
      c as (
        select ${b.bucketOf('e.event_time')} as start,
          count(*) filter (where e.event_type = 'FAIL')::int as fail, count(*) filter (where e.event_type = 'START')::int as start_,
          count(*) filter (where e.event_type = 'COMPLETE')::int as complete, count(*) filter (where e.event_type = 'ABORT')::int as abort
        from lineage_events e where e.kind = 'run' and e.event_time >= ${b.firstInstant} group by 1)
      select ${label('b.start')} as "startInterval", ${label('b.stop')} as "endInterval",
        coalesce(c.fail, 0) as fail, coalesce(c.start_, 0) as start, coalesce(c.complete, 0) as complete, coalesce(c.abort, 0) as abort
      from b left join c on c.start = b.start order by b.start`,
    ),
  );
}

/** How many jobs, datasets or sources existed by the end of each bucket (cumulative, as Marquez counts). */
export async function entityStats(db: Db, table: 'jobs' | 'datasets' | 'sources', period: Period, timezone: string) {
  const b = buckets(period, timezone);
  const t = sql.raw(table);
  // Hidden jobs and datasets are not counted (read/hidden.ts); sources are never hidden.
  const shown = table === 'sources' ? sql`true` : notHidden('x.id');
  return guardTimezone(timezone, () =>
    select(
      db,
      sql`with ${b.cte},
      base as (select count(*)::int as n from ${t} x where x.created_at < ${b.firstInstant} and ${shown}),
      c as (select ${b.bucketOf('x.created_at')} as start, count(*)::int as n from ${t} x
            where x.created_at >= ${b.firstInstant} and ${shown} group by 1)
      select ${label('b.start')} as "startInterval", ${label('b.stop')} as "endInterval",
        ((select n from base) + sum(coalesce(c.n, 0)) over (order by b.start))::int as count
      from b left join c on c.start = b.start order by b.start`,
    ),
  );
}

/** An unknown time zone is the client's mistake (400), however Postgres words it. */
async function guardTimezone<T>(timezone: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (sqlState(error) === '22023')
      throw invalid('/timezone', `is not a known time zone: "${timezone}"`, `timezone "${timezone}" is not a known time zone`);
    throw error;
  }
}
