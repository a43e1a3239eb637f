import postgres from 'postgres';
import { corpusFiles, corpusText } from './test/support/events';
const sql = postgres('postgres://postgres@127.0.0.1:55433/prof', { max: 1, onnotice: () => {} });
await sql.unsafe('drop table if exists t_exp; create table t_exp (id uuid primary key, raw text compression lz4 not null)');
const texts = corpusFiles().map(corpusText);
const rows = Array.from({ length: 32 }, (_, i) => [crypto.randomUUID(), texts[i % texts.length]!]);
const N = 60;
let t = performance.now();
for (let k = 0; k < N; k++) {
  const rs = rows.map(([, r]) => [crypto.randomUUID(), r]);
  await sql.begin((tx) => tx.unsafe('insert into t_exp (id, raw) select u.id::uuid, u.raw from unnest($1::text[], $2::text[]) as u(id, raw)', [rs.map((r) => r[0]!), rs.map((r) => r[1]!)] as never[], { prepare: true }));
}
console.log('unnest text[]', ((performance.now() - t) / N).toFixed(2), 'ms per 32');
t = performance.now();
const values = Array.from({ length: 32 }, (_, i) => `($${2 * i + 1}::uuid, $${2 * i + 2})`).join(', ');
for (let k = 0; k < N; k++) {
  const rs = rows.map(([, r]) => [crypto.randomUUID(), r]);
  await sql.begin((tx) => tx.unsafe(`insert into t_exp (id, raw) values ${values}`, rs.flat() as never[], { prepare: true }));
}
console.log('values', ((performance.now() - t) / N).toFixed(2), 'ms per 32');
t = performance.now();
for (let k = 0; k < N; k++) {
  const rs = rows.map(([, r]) => [crypto.randomUUID(), r]);
  await sql.begin((tx) => tx.unsafe('insert into t_exp (id, raw) select u.id::uuid, u.raw from unnest($1::text[], $2::text[]) as u(id, raw)', [rs.map((r) => r[0]!), rs.map(() => 'x')] as never[], { prepare: true }));
}
console.log('unnest tiny raw', ((performance.now() - t) / N).toFixed(2), 'ms per 32');
await sql.end();
