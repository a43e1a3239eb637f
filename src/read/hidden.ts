import { type SQL, sql } from 'drizzle-orm';

/**
 * Hidden entities (Marquez's soft deletion: src/deletion/hide.ts) are left out of every read as if they did
 * not exist: their own GET, listings and counts, search, the lineage walk and its nodes. A read asks by id
 * in hidden_entities, a table of the few entities hidden.
 *
 * Most stores hide nothing, and then the look-up was the costliest part of a listing: PostgreSQL, knowing
 * the table empty (vacuumed), joins it back once per row read (a nested loop over an empty table costs
 * 1.7 µs a row in the size it asks of the file), 7 of the 8 ms of a jobs page at offset 4,000 on the
 * 1M-edge store. So the statement first asks once whether anything is hidden at all (an InitPlan, one
 * look at the table's first row); only if something is does the row's own look-up run, hashed or by the
 * primary key as the planner finds cheaper.
 */
export const notHidden = (id: SQL | string) =>
  sql`(not exists (select 1 from hidden_entities) or not exists (select 1 from hidden_entities h where h.id = ${typeof id === 'string' ? sql.raw(id) : id}))`;

export const hidden = (id: SQL | string) =>
  sql`exists (select 1 from hidden_entities h where h.id = ${typeof id === 'string' ? sql.raw(id) : id})`;

/** How many of a namespace's datasets or jobs (all namespaces when `namespaceId` is undefined) are hidden. */
export const hiddenCount = (kind: 'dataset' | 'job', namespaceId?: string) =>
  sql`(select count(*) from hidden_entities h where h.kind = ${kind}${namespaceId === undefined ? sql`` : sql` and h.namespace_id = ${namespaceId}`}
    and exists (select 1 from ${kind === 'job' ? sql`jobs` : sql`datasets`} e where e.id = h.id))`;
