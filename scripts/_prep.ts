import { prepareEvent } from '../src/ingest/ingest';
import { parseJson } from '../src/ingest/json';
import { understand } from '../src/ingest/understand';
import { validateEventSchema } from '../src/spec/validate';
import { corpusFiles, corpusText } from '../test/support/events';
const texts: string[] = [];
for (const f of corpusFiles()) { const t = corpusText(f); if (prepareEvent(t, {strict:false}).ok && t.includes('"runId"')) texts.push(t); }
const bench = (name: string, f: (t: string) => unknown) => {
  for (let r = 0; r < 5; r++) for (const t of texts) f(t);
  const s = performance.now(); let n = 0;
  for (let r = 0; r < 40; r++) for (const t of texts) { f(t); n++; }
  console.log(name.padEnd(20), ((performance.now() - s) / n * 1000).toFixed(1), 'µs');
};
bench('JSON.parse', (t) => JSON.parse(t));
bench('parseJson', (t) => parseJson(t));
const parsed = texts.map((t) => understand(JSON.parse(t)));
let i = 0;
bench('validate', () => { const u = parsed[i++ % parsed.length] as any; return validateEventSchema(u.event.event, u.event.kind); });
bench('prepareEvent', (t) => prepareEvent(t, { strict: false }));
