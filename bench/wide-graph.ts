/**
 * A lineage graph of about 2,000 nodes in one connected piece, as OpenLineage events: what the web UI's
 * explorer is tried on (test/ui/lineage.test.ts posts them through the batch API) and what the bench's
 * layout section lays out. 17 stages of 40 jobs: each job writes two datasets; a job of stage s reads the
 * first output of its peer in stage s - 1 and the second of the next peer (paths fork and join at every
 * stage); stage 0 reads one source dataset. 680 jobs, 1,361 datasets: 2,041 nodes, about 2,700 edges, 17 job
 * hops from the source to the last stage.
 */
export const WIDE = { namespace: 'wide', stages: 17, width: 40 } as const;

const PRODUCER = 'https://github.com/pedigree/bench';

export const wideJob = (stage: number, k: number) => `stage_${stage}.job_${k}`;
export const wideDataset = (stage: number, k: number, output: 0 | 1) => `stage_${stage}.table_${k}_${output}`;
export const WIDE_SOURCE = 'source';

export function wideGraphEvents(stages: number = WIDE.stages, width: number = WIDE.width, time = '2026-05-01T00:00:00Z'): unknown[] {
  const events: unknown[] = [];
  const ref = (name: string) => ({ namespace: WIDE.namespace, name });
  for (let s = 0; s < stages; s++) {
    for (let k = 0; k < width; k++) {
      const i = s * width + k;
      const inputs = s === 0 ? [ref(WIDE_SOURCE)] : [ref(wideDataset(s - 1, k, 0)), ref(wideDataset(s - 1, (k + 1) % width, 1))];
      events.push({
        eventType: 'COMPLETE',
        eventTime: new Date(Date.parse(time) + i * 1000).toISOString(),
        producer: PRODUCER,
        schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
        run: { runId: `0000aaaa-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}` },
        job: { namespace: WIDE.namespace, name: wideJob(s, k) },
        inputs,
        outputs: [ref(wideDataset(s, k, 0)), ref(wideDataset(s, k, 1))],
      });
    }
  }
  return events;
}
