import { sql } from 'drizzle-orm';
import { type Db, type Query, rows } from '../db/client';
import * as s from '../db/schema';
import { textArray } from '../db/sql';
import { insertStatements, mergeRule } from '../db/upsert';
import { storableText } from './repair';

/**
 * The queue of accepted events and the events set aside, as SQL (the design: normalizer.ts). Every
 * statement has a fixed text (arrays as parameters), so each is prepared once per connection.
 */

/** The verbatim events: stored once per id (DO NOTHING); only the ones stored now are queued. */
const acceptRule = mergeRule({ table: s.lineageEvents, key: ['id', 'eventTime'] });

const acceptTexts = new Map<string, string>();

/**
 * Most events one accepting statement takes at its own size rather than in power-of-two chunks. Under
 * load the writer's batches are about the concurrency over its transactions in flight (32 posters, two
 * transactions on PostgreSQL: 16 or so); as one statement such a batch commits on PostgreSQL without BEGIN
 * and COMMIT (store.ts), and both databases store the rows of one statement for much less than those of
 * several. Each size is prepared once per connection: once a PostgreSQL connection has seen all 32, they
 * hold 8.8 MB of its memory, against 1.6 MB for the powers of two up to 32 (measured); on PGlite they are
 * among the 256 statements it keeps prepared (db/pglite-prepared.ts).
 */
const WHOLE_BATCH = 32;

/**
 * The statements that store the verbatim events and queue those not stored before (a data-modifying CTE:
 * the queue rows are exactly the events inserted; each returns the ids it stored): one for a batch of up
 * to WHOLE_BATCH events, else one per chunk. The rows are inserted in id order (a stable lock order
 * between concurrent writers); the queue's order among the events of one statement is the server's,
 * which nothing depends on (merges are order-independent).
 */
export function storeAndQueue(events: (typeof s.lineageEvents.$inferInsert)[], maxRows?: number): [string, unknown[]][] {
  return insertStatements(acceptRule, events, maxRows, WHOLE_BATCH).map(([text, params]) => [accepting(text), params]);
}

function accepting(insert: string): string {
  let text = acceptTexts.get(insert);
  if (!text) {
    text = `with stored as (${insert} returning id, octet_length(raw) as size)
      insert into pending_events (event_id, size) select id, size from stored returning event_id`;
    acceptTexts.set(insert, text);
  }
  return text;
}

/** A queued event claimed by a normalizer: its row is deleted in the claiming transaction. */
export interface Claimed {
  seq: number;
  id: string;
  /** The event's text, in bytes. */
  size: number;
  /** When it was accepted (ms since the epoch): the normalization lag runs from there. */
  acceptedAt: number;
}

export interface ClaimLimits {
  /** Most events one claim takes. */
  events: number;
  /** Most bytes of event text one claim takes (one larger event still goes alone). */
  bytes: number;
}

/**
 * Claims the oldest queued events no other transaction holds, within the limits, by deleting their queue
 * rows: the claim lasts as long as the transaction, and commits with the normalized rows. SKIP LOCKED lets
 * several normalizers (instances) claim side by side, each its own events, without waiting for each other.
 */
export async function claimNext(query: Query, limits: ClaimLimits): Promise<Claimed[]> {
  // Unprepared: the queue is empty, then thousands of events long; a plan kept from an empty queue joined
  // every queued event to every one claimed.
  const claimed = await query.unprepared<ClaimedRow>(sql`
    with locked as (
      select seq, size from pending_events order by seq limit ${limits.events}::int for update skip locked
    ), upto as (
      select seq, sum(size) over (order by seq) - size as before from locked
    )
    delete from pending_events p using upto where p.seq = upto.seq and upto.before < ${limits.bytes}::bigint
    returning p.seq, p.event_id, p.size, extract(epoch from p.accepted_at) * 1000 as accepted_at`);
  return claimedRows(claimed);
}

/** Claims these queued events again (a batch being bisected), those still queued and not held by another. */
export async function claimAgain(query: Query, seqs: readonly number[]): Promise<Claimed[]> {
  const claimed = await query<ClaimedRow>(sql`
    delete from pending_events p using (
      select seq from pending_events where seq = any(${textArray(seqs.map(String))}::bigint[]) for update skip locked
    ) locked where p.seq = locked.seq
    returning p.seq, p.event_id, p.size, extract(epoch from p.accepted_at) * 1000 as accepted_at`);
  return claimedRows(claimed);
}

interface ClaimedRow {
  seq: string | number;
  event_id: string;
  size: number;
  accepted_at: string | number;
}

const claimedRows = (rows: ClaimedRow[]): Claimed[] =>
  rows
    .map((r) => ({ seq: Number(r.seq), id: r.event_id, size: Number(r.size), acceptedAt: Number(r.accepted_at) }))
    .sort((a, b) => a.seq - b.seq);

/** The verbatim texts of stored events. */
export async function storedTexts(query: Query, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const found = await query<{ id: string; raw: string }>(sql`select id, raw from lineage_events where id = any(${textArray(ids)}::uuid[])`);
  return new Map(found.map((r) => [r.id, r.raw]));
}

/**
 * Which of these events are stored (as this transaction's statement sees them now). Each is looked up by
 * its key, id and event time: the time picks its partition (pruned as the join runs), where the id alone
 * probes every partition's key, one more probe an event for each month kept. Those not found so are
 * looked up by id alone, as an event stored under another time would be (one understood by an older
 * version): usually none.
 */
export async function storedIds(query: Query, events: readonly { id: string; eventTime: string }[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const found = await query<{ id: string }>(sql`select e.id from unnest(
      ${textArray(events.map((e) => e.id))}::uuid[], ${textArray(events.map((e) => e.eventTime))}::timestamptz[]) k(id, t)
    join lineage_events e on e.id = k.id and e.event_time = k.t`);
  const stored = new Set(found.map((r) => r.id));
  const unseen = events.filter((e) => !stored.has(e.id)).map((e) => e.id);
  if (unseen.length === 0) return stored;
  const byId = await query<{ id: string }>(sql`select id from lineage_events where id = any(${textArray(unseen)}::uuid[])`);
  for (const r of byId) stored.add(r.id);
  return stored;
}

/** Sets events aside with their errors; an event set aside before counts one more attempt. */
export async function setAside(query: Query, failures: readonly { id: string; error: string }[]): Promise<void> {
  if (failures.length === 0) return;
  const sorted = [...failures].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await query(sql`
    insert into normalization_failures (event_id, error)
    select * from unnest(${textArray(sorted.map((f) => f.id))}::uuid[], ${textArray(sorted.map((f) => storableText(f.error)))})
    on conflict (event_id) do update
      set error = excluded.error, failed_at = now(), attempts = normalization_failures.attempts + 1`);
}

/** Events normalized at last: no longer set aside (a retry that worked). */
export async function clearFailures(query: Query, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await query(sql`delete from normalization_failures where event_id = any(${textArray(ids)}::uuid[])`);
}

export type EventState = { state: 'pending' } | { state: 'normalized' } | { state: 'failed'; error: string };

/**
 * Where each of these stored events is: queued (or being normalized, uncommitted), set aside, or
 * normalized. A queued event set aside before (re-queued by replay) is pending.
 */
export async function stateOf(db: Db, ids: readonly string[]): Promise<Map<string, EventState>> {
  if (ids.length === 0) return new Map();
  const found = await rows<{ id: string; pending: boolean; error: string | null }>(
    db.orm,
    sql`select i.id::text as id, exists (select 1 from pending_events p where p.event_id = i.id) as pending, f.error
      from unnest(${textArray(ids)}::uuid[]) as i(id) left join normalization_failures f on f.event_id = i.id`,
  );
  return new Map(
    found.map((r): [string, EventState] => [
      r.id,
      r.pending ? { state: 'pending' } : r.error !== null ? { state: 'failed', error: r.error } : { state: 'normalized' },
    ]),
  );
}

/**
 * Queues stored events again: `all` of them (replay), or those set aside (`failed`). Each stays set aside
 * until it is normalized; an event already queued is not queued twice.
 */
export async function requeue(db: Db, which: 'all' | 'failed'): Promise<number> {
  const source =
    which === 'all'
      ? sql`select e.id, octet_length(e.raw) from lineage_events e order by e.id`
      : sql`select e.id, octet_length(e.raw) from normalization_failures f join lineage_events e on e.id = f.event_id order by e.id`;
  const [row] = await rows<{ n: number | string }>(
    db.orm,
    sql`with queued as (insert into pending_events (event_id, size) ${source} on conflict (event_id) do nothing returning 1)
      select count(*) as n from queued`,
  );
  return Number(row!.n);
}

/**
 * Queued events counted one by one up to this many; beyond, the backlog is the queue's span of sequence
 * numbers. Counting every row costs as much as the backlog is long (PostgreSQL, measured: 45 ms a million,
 * 145 ms four million), and /healthcheck reads it: a probe with a timeout would fail the service just when
 * its backlog is what the probe should report.
 */
const COUNTED_BACKLOG = 100_000;

/**
 * How many events wait, since when the oldest does (ms since the epoch), and how many are set aside (their
 * normalization failed: counted to `counted`, the most a probe reads of them). Up to `counted` events
 * (COUNTED_BACKLOG) the number is exact; beyond, it is the span from the oldest queued sequence number to
 * the newest, read from the ends of the queue's index, as are both times. Gaps in that span are events
 * claimed out of turn (another instance's batch in flight) and numbers a conflicting requeue consumed: a
 * backlog this long is counted a little high, never low. The oldest is the first queued: accepted at the
 * start of its transaction, it may be a transaction's length younger than one queued just after it.
 */
export async function backlog(db: Db, counted = COUNTED_BACKLOG): Promise<{ events: number; oldestAcceptedAt?: number; failed: number }> {
  const [row] = await rows<{
    counted: number | string;
    span: number | string | null;
    oldest: number | string | null;
    failed: number | string;
  }>(
    db.orm,
    sql`select (select count(*) from (select from pending_events limit ${counted + 1}::int) head) as counted,
      (select max(seq) - min(seq) + 1 from pending_events) as span,
      (select extract(epoch from accepted_at) * 1000 from pending_events order by seq limit 1) as oldest,
      (select count(*) from (select from normalization_failures limit ${counted}::int) f) as failed`,
  );
  const exact = Number(row!.counted);
  const events = exact <= counted ? exact : Math.max(exact, Number(row!.span));
  return { events, ...(row!.oldest !== null && { oldestAcceptedAt: Number(row!.oldest) }), failed: Number(row!.failed) };
}
