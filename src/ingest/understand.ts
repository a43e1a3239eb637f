import type { Deviation } from '../core/errors';
import { isObject, type Json, pointer } from '../core/json';
import { parseEventTime } from '../core/time';
import { UUID } from '../core/uuid';

export type EventKind = 'run' | 'dataset' | 'job';
export const EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface Named {
  namespace: string;
  name: string;
}

/** An event Pedigree can store: what identifies it has been checked, everything else is as sent. */
export interface UnderstoodEvent {
  kind: EventKind;
  event: Json;
  /** Canonical UTC (see time.ts). */
  eventTime: string;
  /** RunEvents only; a missing or unknown type is read as OTHER (it changes no state). */
  eventType: EventType | null;
  runId: string | null;
  job: Named | null;
  dataset: Named | null;
  warnings: Deviation[];
}

export type Understanding = { ok: true; event: UnderstoodEvent } | { ok: false; errors: Deviation[] };

/**
 * The line between "cannot be understood" (400: the event will never be accepted) and "deviates from the
 * spec" (stored, with a warning): we must know when it happened and which run/job/dataset it is about.
 */
export function understand(value: unknown): Understanding {
  if (!isObject(value)) return fail('', 'an OpenLineage event must be a JSON object');
  const errors: Deviation[] = [];
  const warnings: Deviation[] = [];

  const kind: EventKind | undefined = 'run' in value ? 'run' : 'dataset' in value ? 'dataset' : 'job' in value ? 'job' : undefined;
  if (!kind) return fail('', 'not an OpenLineage event: expected "run" and "job" (RunEvent), "dataset" (DatasetEvent) or "job" (JobEvent)');

  let eventTime = '';
  if (!('eventTime' in value)) errors.push({ pointer: '/eventTime', message: 'eventTime is required' });
  else {
    const parsed = parseEventTime(value.eventTime);
    if (!parsed) errors.push({ pointer: '/eventTime', message: 'eventTime must be an ISO 8601 date-time in the years 0001 to 9999' });
    else {
      eventTime = parsed.iso;
      if (parsed.assumedUtc) warnings.push({ pointer: '/eventTime', message: 'eventTime has no time zone; UTC assumed' });
    }
  }

  let runId: string | null = null;
  let eventType: EventType | null = null;
  if (kind === 'run') {
    const run = value.run;
    if (!isObject(run)) errors.push({ pointer: '/run', message: 'run must be an object with a runId' });
    else if (!('runId' in run)) errors.push({ pointer: '/run/runId', message: 'run.runId is required' });
    else if (typeof run.runId !== 'string' || !UUID.test(run.runId))
      errors.push({ pointer: '/run/runId', message: 'run.runId must be a UUID' });
    else runId = run.runId.toLowerCase();
    if (!('job' in value)) errors.push({ pointer: '/job', message: 'job is required in a RunEvent' });
    const type = value.eventType;
    if (type === undefined || type === null) eventType = null;
    else if (typeof type === 'string' && (EVENT_TYPES as readonly string[]).includes(type.toUpperCase())) {
      eventType = type.toUpperCase() as EventType;
    } else warnings.push({ pointer: '/eventType', message: `unknown eventType ${JSON.stringify(type)}; read as OTHER` });
  }

  const job = kind === 'dataset' ? null : named(value.job, '/job', 'job', errors);
  const dataset = kind === 'dataset' ? named(value.dataset, '/dataset', 'dataset', errors) : null;

  if (errors.length) return { ok: false, errors };
  return { ok: true, event: { kind, event: value, eventTime, eventType, runId, job, dataset, warnings } };
}

function named(v: unknown, at: string, what: string, errors: Deviation[]): Named | null {
  if (!isObject(v)) {
    errors.push({ pointer: at, message: `${what} must be an object with a namespace and a name` });
    return null;
  }
  const before = errors.length;
  for (const key of ['namespace', 'name'] as const) {
    if (typeof v[key] !== 'string' || v[key] === '') {
      errors.push({ pointer: `${at}${pointer(key)}`, message: `${what}.${key} must be a non-empty string` });
    }
  }
  return errors.length === before ? { namespace: v.namespace as string, name: v.name as string } : null;
}

function fail(at: string, message: string): Understanding {
  return { ok: false, errors: [{ pointer: at, message }] };
}
