import { randomUUID } from 'node:crypto';

const producer = 'https://example.com/pedigree-tests';

type Ref = string | { namespace: string; name: string; facets?: Record<string, unknown> };
const dataset = (d: Ref) => (typeof d === 'string' ? { namespace: 'warehouse', name: d } : d);

/** A completed run of `job` reading `inputs` and writing `outputs` at `time` (START then COMPLETE). */
export function jobRun(
  job: string,
  inputs: Ref[],
  outputs: Ref[],
  time: string,
  options: { namespace?: string; runId?: string; jobFacets?: Record<string, unknown> } = {},
) {
  const runId = options.runId ?? randomUUID();
  const event = (eventType: string, eventTime: string) => ({
    eventType,
    eventTime,
    producer,
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId, facets: {} },
    job: { namespace: options.namespace ?? 'pipelines', name: job, facets: options.jobFacets ?? {} },
    inputs: inputs.map(dataset),
    outputs: outputs.map(dataset),
  });
  const end = new Date(Date.parse(time) + 60_000).toISOString();
  return { runId, events: [event('START', time), event('COMPLETE', end)] };
}
