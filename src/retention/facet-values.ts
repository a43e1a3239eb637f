import { sql } from 'drizzle-orm';
import type { Query } from '../db/client';
import { LOCKS } from '../db/locks';
import { stillDoomed } from './doomed';

/**
 * Facet values are written ON CONFLICT DO NOTHING, which takes no lock on a value already stored: a
 * normalizer may find a value, then reference it from a facet row it commits later. Deleting an
 * unreferenced value in between would leave that facet pointing at nothing. So every transaction that
 * writes facets holds their advisory lock (LOCKS.facetValues) shared (store.ts normalizePlans: shared holders never wait for
 * each other), and the collection below takes it exclusively for each of its short chunks.
 */

/** Taken by every transaction that writes facets, before it writes them. */
export const shareFacetValues = () => sql`select pg_advisory_xact_lock_shared(${LOCKS.facetValues}::bigint)`;

/**
 * Deletes the values in (after, upto] that no facet references (facets_value_idx answers each), in the
 * caller's transaction; returns how many went.
 */
export async function collectFacetValues(query: Query, after: string, upto: string): Promise<number> {
  await query(sql`select pg_advisory_xact_lock(${LOCKS.facetValues}::bigint)`);
  const [row] = await query<{ n: number | string }>(sql`
    with d as (delete from facet_values v where v.id > ${after}::uuid and v.id <= ${upto}::uuid
      and not exists (select 1 from facets f where f.value_id = v.id) returning 1)
    select count(*) as n from d`);
  return Number(row!.n);
}

/**
 * How many values no facet would reference once the doomed runs' facets are gone (a dry run): those no
 * facet references now, and those only facets of doomed runs do.
 */
export const countFacetValues = (cutoff: string) => sql`
  with d as materialized (
    select r.id from runs r join retention_doomed_runs x on x.run_id = r.id where ${stillDoomed('r', cutoff)}
  )
  select count(*) as n from facet_values v
  where not exists (select 1 from facets f where f.value_id = v.id
    and not (f.owner_kind <> 'job' and f.run_id is not null and f.run_id in (select id from d)))`;
