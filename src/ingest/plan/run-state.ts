import type { EventType } from '../understand';
import type { Stamp } from './event-plan';

const TERMINAL = new Set<string>(['COMPLETE', 'FAIL', 'ABORT']);

/**
 * What a RunEvent's type says of the run's state. OTHER (or no type) says nothing, so it changes nothing.
 * `stateTerminal` lets a terminal state win over a later RUNNING (see rules.ts); START is when it
 * started, a terminal state when it ended.
 */
export function runStateOf(eventType: EventType | null, stamp: Stamp) {
  const state = eventType && eventType !== 'OTHER' ? eventType : null;
  const terminal = state !== null && TERMINAL.has(state);
  return {
    state,
    stateTerminal: state ? terminal : null,
    stateTime: state ? stamp.time : null,
    stateEventId: state ? stamp.eventId : null,
    startedAt: state === 'START' ? stamp.time : null,
    endedAt: terminal ? stamp.time : null,
  };
}
