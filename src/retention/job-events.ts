import { sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { uuidArray } from '../db/sql';
import { planStored } from '../ingest/ingest';
import { updateVersionTimes } from '../ingest/job-versions';
import { refreshDocuments } from '../read/documents';
import type { CountsDelta } from './counts';

/**
 * JobEvents older than the cutoff that a later JobEvent of the same job supersedes go, as DatasetEvents
 * do (dataset-events.ts), but for the job version each declared (job-event.ts): which one is not in the
 * event's columns, so the job's JobEvents are planned again (planStored, as the normalizer plans them).
 * For each version only the events going declared:
 * - when it is the job's current version, those events stay (the current graph keeps what declares it);
 * - when runs have it, it stays, no longer declared, with its runs' span (what replay makes of it);
 * - else it goes, with its IO.
 * A version a remaining JobEvent declares too keeps the span those events give it.
 */
export const jobsWithDoomedJobEvents = (cutoff: string, after: string, size: number) => sql`
  select distinct e.job_id from lineage_events e
  where e.kind = 'job' and e.event_time < ${cutoff}::timestamptz and e.job_id > ${after}::uuid
    and exists (select 1 from lineage_events n where n.kind = 'job' and n.job_id = e.job_id and (n.event_time, n.id) > (e.event_time, e.id))
  order by e.job_id limit ${size}::int`;

interface Declared {
  id: string;
  time: string;
  doomed: boolean;
  version?: { id: string; createdAt: string; updatedAt: string };
}

/**
 * Deletes (or, dry, counts) the doomed JobEvents of these jobs, in the caller's transaction. Each job row
 * is locked first: a JobEvent normalized meanwhile (its upsert of the job waits) is planned here with the
 * others, or comes after and declares its version again.
 */
export async function retireJobEvents(query: Query, jobIds: readonly string[], cutoff: string, dryRun: boolean): Promise<CountsDelta> {
  const jobs = await query<{ id: string; current_version_id: string | null }>(
    sql`select id, current_version_id from jobs where id = any(${uuidArray(jobIds)}) order by id ${dryRun ? sql`` : sql`for update`}`,
  );
  const events = await query<{ id: string; job_id: string; t: string; raw: string; doomed: boolean; pending: boolean }>(sql`
    select e.id, e.job_id, e.event_time::text as t, e.raw,
      e.event_time < ${cutoff}::timestamptz and exists (select 1 from lineage_events n where n.kind = 'job' and n.job_id = e.job_id
        and (n.event_time, n.id) > (e.event_time, e.id)) as doomed,
      exists (select 1 from pending_events p where p.event_id = e.id) or exists (select 1 from normalization_failures f where f.event_id = e.id) as pending
    from lineage_events e where e.kind = 'job' and e.job_id = any(${uuidArray(jobs.map((j) => j.id))})`);
  const doomedEvents: { id: string; t: string }[] = [];
  const undeclare: string[] = [];
  const drop: string[] = [];
  const respan: { id: string; lo: string; hi: string }[] = [];
  for (const job of jobs) {
    const declared: Declared[] = events
      .filter((e) => e.job_id === job.id)
      .map((e) => {
        const planned = planStored(e.id, e.raw);
        const v = planned.ok ? planned.plan.jobVersions[0] : undefined;
        return {
          id: e.id,
          time: e.t,
          // Not normalized yet (or set aside): its rows are not what it says yet; it stays.
          doomed: e.doomed && !e.pending && planned.ok,
          ...(v && { version: { id: v.id, createdAt: v.createdAt, updatedAt: v.updatedAt } }),
        };
      });
    const staying = (d: Declared) =>
      !d.doomed || (d.version?.id === job.current_version_id && !declared.some((o) => !o.doomed && o.version?.id === d.version?.id));
    const kept = declared.filter(staying);
    for (const d of declared) if (!staying(d)) doomedEvents.push({ id: d.id, t: d.time });
    const versions = new Set(
      declared
        .filter((d) => !staying(d))
        .map((d) => d.version?.id)
        .filter((v): v is string => !!v),
    );
    for (const v of versions) {
      const still = kept.filter((d) => d.version?.id === v);
      if (still.length) {
        respan.push({
          id: v,
          lo: still.map((d) => d.version!.createdAt).sort()[0]!,
          hi: still
            .map((d) => d.version!.updatedAt)
            .sort()
            .at(-1)!,
        });
      } else undeclare.push(v);
    }
  }
  if (doomedEvents.length === 0) return {};
  // Versions declared by the events going alone: kept undeclared when runs have them, else dropped.
  const used = undeclare.length
    ? new Set(
        (
          await query<{ id: string }>(
            sql`select distinct job_version_id as id from runs where job_version_id = any(${uuidArray(undeclare)})`,
          )
        ).map((r) => r.id),
      )
    : new Set<string>();
  const dropIds = undeclare.filter((v) => !used.has(v));
  drop.push(...dropIds);
  const [io] = drop.length
    ? await query<{ n: number | string }>(sql`select count(*) as n from job_version_io where job_version_id = any(${uuidArray(drop)})`)
    : [{ n: 0 }];
  const counts: CountsDelta = { events: { job: doomedEvents.length }, jobVersions: drop.length, jobVersionIo: Number(io!.n) };
  if (dryRun) return counts;

  const ids = `{${doomedEvents.map((e) => e.id).join(',')}}`;
  const times = `{${doomedEvents.map((e) => `"${e.t}"`).join(',')}}`;
  await query(sql`delete from lineage_events e using unnest(${ids}::uuid[], ${times}::timestamptz[]) as k(id, t)
    where e.id = k.id and e.event_time = k.t`);
  const kept = undeclare.filter((v) => used.has(v));
  if (kept.length) {
    await query(sql`update job_versions set declared = false where id = any(${uuidArray(kept)})`);
    await query(updateVersionTimes(kept));
  }
  if (drop.length) {
    await query(sql`delete from job_version_io where job_version_id = any(${uuidArray(drop)})`);
    await query(sql`delete from job_versions where id = any(${uuidArray(drop)})`);
  }
  for (const r of respan)
    await query(sql`update job_versions set created_at = ${r.lo}::timestamptz, updated_at = ${r.hi}::timestamptz where id = ${r.id}`);
  await refreshDocuments(query, { jobs: jobs.map((j) => j.id) });
  return counts;
}
