/**
 * A synthetic lineage graph, as OpenLineage events stored through the collector's own path
 * (`prepareAndPlan`, then `storePlans` in batched transactions: stored and normalized at once): every row a real
 * producer would cause exists (events, runs, run and job IO, job and dataset versions, facets, column
 * lineage), so the read API is measured on what it would really read.
 *
 * Shape: pipelines of 100 jobs and 200 datasets. Job i writes datasets 2i and 2i+1 and reads 8 datasets
 * written by the 20 jobs before it (fan-in 8, fan-out about 8, chains up to 100 jobs long); one job in 20
 * also reads its own output (a cycle). Each job ran once (one COMPLETE event with a git source location and
 * a nominal time); every fourth job also reads the pipeline's dimension table (fan-out 25); its first output carries a schema and column lineage (each column from the same column
 * of two inputs). 10 job-dataset edges per job: 100k jobs make 1M edges.
 */
import type { Db } from '../src/db/client';
import { prepareAndPlan } from '../src/ingest/ingest';
import { storePlans } from '../src/ingest/store';
import { fixed } from './lib';

export const PIPELINE_JOBS = 100;
export const NS = 'bench';
const BATCH = 500;
const PRODUCER = 'https://github.com/pedigree/bench';
const FACET = (name: string, version: string) => `https://openlineage.io/spec/facets/${version}/${name}.json#/$defs/${name}`;

/** mulberry32: a small seeded generator (32-bit integer arithmetic, so no precision is lost). */
export function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const datasetName = (p: number, d: number) => `pipeline_${p}.table_${d}`;
export const jobName = (p: number, j: number) => `pipeline_${p}.job_${j}`;

/** A UUID from the seeded generator, so every bench run builds the same graph. */
function uuid(random: () => number) {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

const ref = (p: number, d: number) => ({ namespace: NS, name: datasetName(p, d) });

/** The COMPLETE event of job `j` of pipeline `p`. */
function jobEvent(p: number, j: number, random: () => number): string {
  const time = new Date(Date.parse('2024-01-01T00:00:00Z') + (p * PIPELINE_JOBS + j) * 1000).toISOString();
  const ins = new Set<number>();
  if (j > 0) while (ins.size < Math.min(8, 2 * j)) ins.add(Math.max(0, 2 * j - 1 - Math.floor(random() * 40)));
  if (j % 20 === 7) ins.add(2 * j);
  // A dimension table most jobs of a pipeline join: one node with a large fan-out.
  if (j > 1 && j % 4 === 0) ins.add(1);
  const sources = [...ins].slice(0, 2);
  const columns = ['c0', 'c1'];
  const first = {
    ...ref(p, 2 * j),
    facets: {
      schema: {
        _producer: PRODUCER,
        _schemaURL: FACET('SchemaDatasetFacet', '1-1-1'),
        fields: columns.map((name) => ({ name, type: 'BIGINT' })),
      },
      ...(sources.length && {
        columnLineage: {
          _producer: PRODUCER,
          _schemaURL: FACET('ColumnLineageDatasetFacet', '1-2-0'),
          fields: Object.fromEntries(columns.map((c) => [c, { inputFields: sources.map((d) => ({ ...ref(p, d), field: c })) }])),
        },
      }),
    },
  };
  return JSON.stringify({
    eventType: 'COMPLETE',
    eventTime: time,
    producer: PRODUCER,
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: {
      runId: uuid(random),
      facets: { nominalTime: { _producer: PRODUCER, _schemaURL: FACET('NominalTimeRunFacet', '1-0-1'), nominalStartTime: time } },
    },
    job: {
      namespace: NS,
      name: jobName(p, j),
      facets: {
        sourceCodeLocation: {
          _producer: PRODUCER,
          _schemaURL: FACET('SourceCodeLocationJobFacet', '1-0-1'),
          type: 'git',
          url: `https://github.com/acme/pipelines/blob/${(p * 7919 + j).toString(16).padStart(8, '0')}/pipeline_${p}/job_${j}.py`,
        },
      },
    },
    inputs: [...ins].map((d) => ref(p, d)),
    outputs: [first, ref(p, 2 * j + 1)],
  });
}

/** Stores the graph of `jobs` jobs into `db`; answers its size. */
export async function loadSyntheticGraph(db: Db, jobs: number, log: (m: string) => void) {
  const random = rng(42);
  const pipelines = Math.ceil(jobs / PIPELINE_JOBS);
  const started = Date.now();
  let edges = 0;
  let batch: string[] = [];
  // Preparing the next batch overlaps with storing the previous one (one transaction in flight).
  let storing: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    const plans = batch.map((text) => {
      const prepared = prepareAndPlan(text, { strict: true });
      if (!prepared.ok) throw new Error(`bench event refused: ${JSON.stringify(prepared.errors)}`);
      return prepared.plan;
    });
    batch = [];
    await storing;
    storing = db.transaction((query) => storePlans(query, plans));
  };
  for (let p = 0; p < pipelines; p++) {
    for (let j = 0; j < Math.min(PIPELINE_JOBS, jobs - p * PIPELINE_JOBS); j++) {
      const text = jobEvent(p, j, random);
      const event = JSON.parse(text) as { inputs: unknown[]; outputs: unknown[] };
      edges += event.inputs.length + event.outputs.length;
      batch.push(text);
      if (batch.length === BATCH) await flush();
    }
    if (p % 100 === 0) log(`graph: ${p + 1}/${pipelines} pipelines, ${edges} edges (${fixed((Date.now() - started) / 1000)} s)`);
  }
  if (batch.length) await flush();
  await storing;
  return { pipelines, edges, seconds: (Date.now() - started) / 1000 };
}
