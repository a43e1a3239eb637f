import { randomUUID } from 'node:crypto';
import { openPostgres } from './src/db/postgres';
import { migrate } from './src/db/migrate';
import { readMigrations } from './src/db/migrations-fs';
import { prepareEvent } from './src/ingest/ingest';
import { EventWriter } from './src/ingest/writer';
import { corpusFiles, corpusText } from './test/support/events';
const db = process.env.PGL ? await (await import('./src/db/pglite')).openPglite(process.env.PGL) : openPostgres('postgres://postgres@127.0.0.1:55433/prof');
await migrate(db, await readMigrations());
const texts = corpusFiles().map(corpusText).filter((t) => prepareEvent(t, { strict: false }).ok && /"runId"/.test(t));
const w = new EventWriter(db, { concurrency: Number(process.env.WC ?? 2) });
const N = Number(process.env.N ?? 1000);
const bodies: string[] = [];
while (bodies.length < N) { const m = new Map<string,string>(); for (const t of texts) bodies.push(t.replace(/"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/gi, (_, id) => { let v = m.get(id); if (!v) m.set(id, v = randomUUID()); return `"${v}"`; })); }
let tPrep = 0, tWrite = 0;
const C = Number(process.env.C ?? 1);
const t0 = performance.now();
let i = 0;
await Promise.all(Array.from({ length: C }, async () => {
  while (i < N) {
    const b = bodies[i++]!;
    const a = performance.now(); const p = prepareEvent(b, { strict: false }); tPrep += performance.now() - a;
    if (!p.ok) continue;
    const c = performance.now(); await w.write([p.plan]); tWrite += performance.now() - c;
  }
}));
const dt = performance.now() - t0;
console.log(`N=${N} C=${C} ${(N / dt * 1000).toFixed(0)} ev/s; prepare ${(tPrep / N).toFixed(2)} ms/ev; write wait ${(tWrite / N).toFixed(2)} ms/ev`);
await db.close();
