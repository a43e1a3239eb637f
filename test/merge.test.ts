import { describe, expect, it } from 'vitest';
import { parseEventTime } from '../src/core/time';
import type { runs } from '../src/db/schema';
import { mergeRows } from '../src/db/upsert';
import { rules } from '../src/ingest/rules';
import { permutations } from './support/run-events';

const run = (state: string | null, time: string, eventId: string) => ({
  id: 'r',
  jobId: 'j',
  namespace: 'n',
  jobName: 'job',
  state: state as typeof runs.$inferInsert.state,
  stateTerminal: state === null ? null : ['COMPLETE', 'FAIL', 'ABORT'].includes(state),
  stateTime: state === null ? null : time,
  stateEventId: state === null ? null : eventId,
  startedAt: state === 'START' ? time : null,
  endedAt: state && ['COMPLETE', 'FAIL', 'ABORT'].includes(state) ? time : null,
  createdAt: time,
  updatedAt: time,
});

describe('merging rows in JS (the same rule as in SQL)', () => {
  it('gives one result whatever the order', () => {
    const rows = [
      run('START', '2024-01-01T00:00:00.000000Z', 'a'),
      run('RUNNING', '2024-01-01T00:10:00.000000Z', 'b'),
      run('COMPLETE', '2024-01-01T00:05:00.000000Z', 'c'),
      run(null, '2024-01-01T00:20:00.000000Z', 'd'),
    ];
    const results = permutations(rows).map((order) => mergeRows(rules.runs, order));
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]![0]).toMatchObject({
      state: 'COMPLETE',
      startedAt: '2024-01-01T00:00:00.000000Z',
      endedAt: '2024-01-01T00:05:00.000000Z',
      createdAt: '2024-01-01T00:00:00.000000Z',
      updatedAt: '2024-01-01T00:20:00.000000Z',
    });
  });
});

describe('merging rows of a key of several columns', () => {
  const facet = (ownerId: string, name: string, eventTime: string, valueId: string) => ({
    ownerId,
    name,
    ownerKind: 'run' as const,
    runId: null,
    eventTime,
    eventId: eventTime,
    valueId,
  });

  it('merges by the whole key, sorts by column after column and leaves the rows given untouched', () => {
    const rows = [
      facet('b', 'x', '2024-01-01T00:00:02.000000Z', 'v2'),
      facet('a', 'y', '2024-01-01T00:00:00.000000Z', 'v1'),
      facet('ab', 'a', '2024-01-01T00:00:00.000000Z', 'v1'),
      facet('b', 'x', '2024-01-01T00:00:03.000000Z', 'v3'),
      facet('a', 'x', '2024-01-01T00:00:00.000000Z', 'v1'),
      facet('b', 'x', '2024-01-01T00:00:01.000000Z', 'v1'),
    ];
    const before = structuredClone(rows);
    const merged = mergeRows(rules.facets, rows);
    expect(merged.map((r) => [r.ownerId, r.name, r.valueId])).toEqual([
      ['a', 'x', 'v1'],
      ['a', 'y', 'v1'],
      ['ab', 'a', 'v1'],
      ['b', 'x', 'v3'],
    ]);
    expect(rows).toEqual(before);
    for (const order of permutations(rows.slice(0, 5)))
      expect(mergeRows(rules.facets, order)).toEqual(mergeRows(rules.facets, rows.slice(0, 5)));
  });
});

describe('event times', () => {
  it.each([
    ['2020-12-28T19:52:00.001+10:00', '2020-12-28T09:52:00.001000Z', false],
    ['2024-10-16T16:53:33.995812345Z', '2024-10-16T16:53:33.995812Z', false],
    ['2021-01-01T00:00:00', '2021-01-01T00:00:00.000000Z', true],
    ['2020-01-01 10:00:00.5-0130', '2020-01-01T11:30:00.500000Z', false],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000000Z', false],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000000Z', false],
  ])('%s is %s', (input, iso, assumedUtc) => {
    expect(parseEventTime(input)).toEqual({ iso, assumedUtc });
  });
  // Year 0000 (1 BC), written or reached through an offset, is not a PostgreSQL timestamp (found by a
  // mutation fuzzer: it was answered 400 with no pointer, by the database); nor is year 10000.
  it.each([
    '2020-02-30T00:00:00Z',
    'yesterday',
    '1609459200',
    '',
    '2020-01-01T10:00:00+25:00',
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:30:00+01:00',
    '9999-12-31T23:00:00-05:00',
  ])('%s is refused', (input) => {
    expect(parseEventTime(input)).toBeUndefined();
  });
  it('canonical strings sort like the instants', () => {
    const a = parseEventTime('2020-01-01T10:00:00+02:00')!.iso;
    const b = parseEventTime('2020-01-01T09:00:00.5Z')!.iso;
    expect(a < b).toBe(true);
  });
});
