import { isObject } from '../../core/json';
import { UUID } from '../../core/uuid';
import { ids } from '../../ids';
import type { Named } from '../understand';
import type { Row, Stamp } from './event-plan';
import { asNamed } from './named';

export interface ParentRun {
  /** Lower-cased, as run ids are stored. */
  runId: string;
  job: Named;
}

export const INVALID_PARENT = 'parent facet without a valid run.runId and job namespace/name; hierarchy not recorded';

/**
 * The run (and its job) a parent facet names: null when either is missing or invalid, or when the run
 * names itself, which would make a cycle of one.
 */
export function parentOf(parent: unknown, childRunId: string): ParentRun | null {
  if (!isObject(parent)) return null;
  const job = asNamed(parent.job);
  const runId =
    isObject(parent.run) && typeof parent.run.runId === 'string' && UUID.test(parent.run.runId) ? parent.run.runId.toLowerCase() : null;
  return job && runId && runId !== childRunId ? { runId, job } : null;
}

/**
 * The parent run as its child knows it: its id and job, nothing of its state (its own events say that).
 * The parent's job row is added by the caller, like any job.
 */
export function parentRunRow(parent: ParentRun, stamp: Stamp): Row<'runs'> {
  return {
    id: parent.runId,
    jobId: ids.job(parent.job.namespace, parent.job.name),
    namespace: parent.job.namespace,
    jobName: parent.job.name,
    parentRunId: null,
    ...stamp.span,
  };
}
