import { ids, jobVersionOf } from '../../ids';
import type { Row, Stamp } from './event-plan';
import type { Direction } from './io';

/**
 * The version a JobEvent declares: the job's static definition, its code and declared IO (jobVersionOf,
 * the formula runs' versions are computed with in SQL, see job-versions.ts). It becomes the job's
 * current version until a run starts after it.
 */
export function declaredJobVersion(
  jobId: string,
  code: string | null,
  io: { direction: Direction; datasetId: string }[],
  stamp: Stamp,
): { version: Row<'jobVersions'>; io: Row<'jobVersionIo'>[] } {
  const version = jobVersionOf(
    jobId,
    code,
    io.map((d) => `${d.direction}:${d.datasetId}`),
  );
  const id = ids.jobVersion(jobId, version);
  return {
    version: { id, jobId, version, declared: true, ...stamp.span },
    io: io.map((d) => ({ jobVersionId: id, datasetId: d.datasetId, direction: d.direction })),
  };
}
