import { describe, expect, it } from 'vitest';
import type { Deviation } from '../src/core/errors';
import { prepareEvent } from '../src/ingest/ingest';
import { planEvent } from '../src/ingest/plan';
import { planDeviations } from '../src/ingest/plan/deviations';
import { MAX_FACET_KEY } from '../src/ingest/plan/facets';
import { MAX_PRODUCER } from '../src/ingest/producer';
import { understand } from '../src/ingest/understand';
import { corpusFiles, corpusText } from './support/events';
import { runStory } from './support/run-events';

/**
 * Acceptance answers an event's warnings before the normalizer plans it (planDeviations); planning finds
 * what it leaves out as it goes (planEvent). Both must say the same of every event.
 */
const key = (d: Deviation) => `${d.pointer} ${d.message}`;
const distinct = (list: Deviation[]) => [...new Set(list.map(key))].sort();

function both(event: unknown): { accepted: string[]; planned: string[] } {
  const u = understand(event);
  if (!u.ok) throw new Error(`not understood: ${JSON.stringify(u.errors)}`);
  const planned: Deviation[] = [];
  planEvent(u.event, '00000000-0000-8000-8000-000000000000', JSON.stringify(event), planned);
  return { accepted: distinct(planDeviations(u.event)), planned: distinct(planned) };
}

/** The parts of a run event these tests change. */
interface RunEvent {
  producer: string;
  run: { runId: string; facets: Record<string, unknown> };
  job: { facets?: Record<string, unknown> };
  inputs?: unknown[];
  outputs?: unknown[];
}
const aRunEvent = (event: unknown) => structuredClone(event) as RunEvent;

const long = 'k'.repeat(MAX_FACET_KEY + 1);
const facet = { _producer: 'p', _schemaURL: 'https://example.com/f.json' };

describe('what planning leaves out, found at acceptance', () => {
  it('is what planning finds, for every event of the corpus', () => {
    let checked = 0;
    for (const file of corpusFiles()) {
      const text = corpusText(file);
      const u = understand(JSON.parse(text));
      if (!u.ok) continue;
      const { accepted, planned } = both(JSON.parse(text));
      expect(accepted, file).toEqual(planned);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('is what planning finds for each thing it leaves out, in run, job and dataset events', () => {
    const story = runStory();
    const run = aRunEvent(story.events[2]);
    run.producer = `https://example.com/${'p'.repeat(MAX_PRODUCER)}`;
    run.run.facets = { ...run.run.facets, [long]: facet, parent: { run: { runId: 'not-a-uuid' }, job: { namespace: 'n', name: 'j' } } };
    run.job.facets = { [long]: facet };
    run.inputs = [
      ...(run.inputs ?? []),
      { name: 'no-namespace' },
      { namespace: 'n', name: 'in', facets: { [long]: facet }, inputFacets: { [long]: facet }, outputFacets: { [long]: facet } },
    ];
    run.outputs = [
      { namespace: 'n', name: 'out', facets: { [long]: facet }, outputFacets: { [long]: facet }, inputFacets: { [long]: facet } },
    ];
    const runResult = both(run);
    expect(runResult.accepted).toEqual(runResult.planned);
    // Each case above is found: the producer, four facet places of the run, the parent, the unnamed input.
    expect(runResult.accepted.length).toBeGreaterThanOrEqual(9);

    const selfParent = aRunEvent(story.events[2]);
    selfParent.run.facets = { parent: { run: { runId: selfParent.run.runId }, job: { namespace: 'n', name: 'j' } } };
    const selfResult = both(selfParent);
    expect(selfResult.accepted).toEqual(selfResult.planned);
    expect(selfResult.accepted).toHaveLength(1);

    const job = {
      eventTime: '2026-01-01T00:00:00Z',
      producer: 'p',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent',
      job: { namespace: 'n', name: 'j', facets: { [long]: facet } },
      inputs: [{ namespace: 'n', name: 'a', facets: { [long]: facet }, inputFacets: { [long]: facet } }, { name: 'x' }],
      outputs: [],
    };
    const jobResult = both(job);
    expect(jobResult.accepted).toEqual(jobResult.planned);
    expect(jobResult.accepted).toHaveLength(3);

    const dataset = {
      eventTime: '2026-01-01T00:00:00Z',
      producer: 'p',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent',
      dataset: { namespace: 'n', name: 'd', facets: { [long]: facet } },
    };
    const datasetResult = both(dataset);
    expect(datasetResult.accepted).toEqual(datasetResult.planned);
    expect(datasetResult.accepted).toHaveLength(1);
  });

  it('is answered and kept with the event at acceptance', () => {
    const event = aRunEvent(runStory().events[0]);
    event.run.facets = { ...event.run.facets, [long]: facet };
    const prepared = prepareEvent(JSON.stringify(event), { strict: false });
    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    expect(prepared.warnings.map((w) => w.pointer)).toContain(`/run/facets/${long}`);
    expect(prepared.event.warnings?.map((w) => w.pointer)).toContain(`/run/facets/${long}`);
    expect(prepareEvent(JSON.stringify(event), { strict: true }).ok).toBe(false);
  });
});
