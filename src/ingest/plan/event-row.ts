import { ids } from '../../ids';
import { indexedProducer } from '../producer';
import type { UnderstoodEvent } from '../understand';
import type { EventPlan } from './event-plan';

export type EventRow = EventPlan['event'];

/**
 * The verbatim event, with what it is about: the row acceptance stores (and the plan's). Its warnings are
 * set once they are all known (ingest.ts).
 */
export function eventRow(u: UnderstoodEvent, eventId: string, raw: string): EventRow {
  const e = u.event;
  return {
    id: eventId,
    kind: u.kind,
    eventType: u.kind === 'run' ? (u.eventType ?? 'OTHER') : null,
    eventTime: u.eventTime,
    runId: u.runId,
    jobId: u.job ? ids.job(u.job.namespace, u.job.name) : null,
    datasetId: u.dataset ? ids.dataset(u.dataset.namespace, u.dataset.name) : null,
    producer: indexedProducer(e.producer),
    schemaUrl: typeof e.schemaURL === 'string' ? e.schemaURL : null,
    warnings: null,
    raw,
  };
}
