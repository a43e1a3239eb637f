import { idOf } from '../src/ids';
import { validateEventSchema } from '../src/spec/validate';
import { trimJson } from '../src/ingest/export';
import { parseJson } from '../src/ingest/json';
import { planEvent } from '../src/ingest/plan';
import { repairUnstorable } from '../src/ingest/repair';
import { understand } from '../src/ingest/understand';
import { prepareEvent } from '../src/ingest/ingest';
import { corpusFiles, corpusText } from '../test/support/events';
const texts: string[] = [];
for (const f of corpusFiles()) { const t = corpusText(f); if (prepareEvent(t, {strict:false}).ok && t.includes('"runId"')) texts.push(t); }
console.log('bodies', texts.length, 'avg bytes', Math.round(texts.reduce((n,t)=>n+t.length,0)/texts.length));
const N = Number(process.env.N ?? 20);
const t: Record<string, number> = {};
const time = (k: string, f: () => unknown) => { const s = performance.now(); const r = f(); t[k] = (t[k] ?? 0) + performance.now() - s; return r; };
for (let round = 0; round < N + 3; round++) {
  if (round === 3) for (const k in t) t[k] = 0;
  for (const text of texts) {
    const p = time('parse', () => parseJson(text)) as any;
    const rep = time('repair', () => repairUnstorable(p.value, text)) as any;
    const u = time('understand', () => understand(p.value)) as any;
    const v = time('validate', () => validateEventSchema(u.event.event, u.event.kind)) as any;
    const id = time('id', () => idOf('event', trimJson(text))) as string;
    time('plan', () => planEvent(u.event, id, text, [...u.event.warnings, ...rep, ...v]));
    time('prepareEvent', () => prepareEvent(text, { strict: false }));
  }
}
const n = N * texts.length;
for (const k in t) console.log(k.padEnd(14), (t[k]! / n * 1000).toFixed(1), 'µs/event');
