/**
 * The floor of HTTP ingest on this machine: the least any HTTP collector built on this stack does per event,
 * run by the ingest section as a child process beside the real server (bench/ingest.ts). Hono on
 * @hono/node-server, as the collector; the body read as text and parsed with JSON.parse; the text stored with
 * a group commit (each transaction takes every body queued, up to 256, in one multi-row VALUES insert; two in flight
 * on PostgreSQL, one on PGlite) into a table with only a primary key; 201 once committed. No validation, no
 * queue for normalization, no log line, no authentication, no metrics: what the collector adds over this is
 * its own cost, and what this takes over the bare insert is HTTP's.
 *
 * FLOOR_DATABASE_URL (PostgreSQL) or FLOOR_PGLITE_DIR (embedded, in this process as the collector's), PORT.
 */
import { PGlite } from '@electric-sql/pglite';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';

const CREATE = 'create table if not exists bench_floor (id bigserial primary key, body text not null)';
/** One parameter per body, as the collector's writer stores events (an array parameter would escape them). */
const insertOf = (n: number) => `insert into bench_floor (body) values ${Array.from({ length: n }, (_, i) => `($${i + 1})`).join(',')}`;
const MAX_BATCH = 256;

type Insert = (bodies: string[]) => Promise<unknown>;

async function open(): Promise<{ insert: Insert; inFlight: number }> {
  const dir = process.env.FLOOR_PGLITE_DIR;
  if (dir) {
    const pg = new PGlite(dir);
    await pg.exec(CREATE);
    return { insert: (bodies) => pg.query(insertOf(bodies.length), bodies), inFlight: 1 };
  }
  const sql = postgres(process.env.FLOOR_DATABASE_URL!, { max: 2, onnotice: () => {} });
  await sql.unsafe(CREATE);
  return { insert: (bodies) => sql.unsafe(insertOf(bodies.length), bodies, { prepare: true }), inFlight: 2 };
}

const { insert, inFlight } = await open();
const queue: { body: string; done: (error?: unknown) => void }[] = [];
let running = 0;
let scheduled = false;

/** On the next turn, as the collector's writer: requests whose bodies are already here join the batch. */
function schedule() {
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    while (running < inFlight && queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      running++;
      insert(batch.map((q) => q.body)).then(
        () => settle(batch),
        (error: unknown) => settle(batch, error),
      );
    }
  });
}

function settle(batch: typeof queue, error?: unknown) {
  running--;
  for (const q of batch) q.done(error);
  schedule();
}

const app = new Hono();
app.get('/healthcheck', (c) => c.json({ status: 'ok' }));
app.post('/api/v1/lineage', async (c) => {
  const body = await c.req.text();
  try {
    JSON.parse(body);
  } catch {
    return c.json({ title: 'not JSON' }, 400);
  }
  await new Promise<void>((resolve, reject) => {
    queue.push({ body, done: (error) => (error ? reject(error) : resolve()) });
    schedule();
  });
  return c.json({ id: '', warnings: [] }, 201);
});

serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
