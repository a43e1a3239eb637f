import { describe, expect, it } from 'vitest';
import { stampOf } from '../../src/ingest/plan/event-plan';
import { runStateOf } from '../../src/ingest/plan/run-state';

const stamp = stampOf('2024-05-01T10:00:00.000Z', 'event-1');
const t = stamp.time;

describe('runStateOf', () => {
  it.each([
    ['START', { state: 'START', stateTerminal: false, stateTime: t, stateEventId: 'event-1', startedAt: t, endedAt: null }],
    ['RUNNING', { state: 'RUNNING', stateTerminal: false, stateTime: t, stateEventId: 'event-1', startedAt: null, endedAt: null }],
    ['COMPLETE', { state: 'COMPLETE', stateTerminal: true, stateTime: t, stateEventId: 'event-1', startedAt: null, endedAt: t }],
    ['FAIL', { state: 'FAIL', stateTerminal: true, stateTime: t, stateEventId: 'event-1', startedAt: null, endedAt: t }],
    ['ABORT', { state: 'ABORT', stateTerminal: true, stateTime: t, stateEventId: 'event-1', startedAt: null, endedAt: t }],
  ] as const)('%s', (eventType, expected) => {
    expect(runStateOf(eventType, stamp)).toEqual(expected);
  });

  it.each([
    ['OTHER', 'OTHER'],
    ['no type', null],
  ] as const)('%s says nothing of the state', (_, eventType) => {
    expect(runStateOf(eventType, stamp)).toEqual({
      state: null,
      stateTerminal: null,
      stateTime: null,
      stateEventId: null,
      startedAt: null,
      endedAt: null,
    });
  });
});
