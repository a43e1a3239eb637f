import { prepareEvent } from '../src/ingest/ingest';
import { understand } from '../src/ingest/understand';
import { validateEventSchema } from '../src/spec/validate';
import { corpusFiles, corpusText } from '../test/support/events';
const texts: string[] = [];
for (const f of corpusFiles()) { const t = corpusText(f); if (prepareEvent(t, {strict:false}).ok && t.includes('"runId"')) texts.push(t); }
const parsed = texts.map((t) => understand(JSON.parse(t)) as any);
const s = performance.now(); let n = 0;
for (let r = 0; r < 400; r++) for (const u of parsed) { validateEventSchema(u.event.event, u.event.kind); n++; }
console.log(((performance.now() - s) / n * 1000).toFixed(1), 'µs');
