import type { Deviation } from '../../core/errors';
import { type Json, pointer } from '../../core/json';
import { ids } from '../../ids';
import type { Named } from '../understand';
import type { Row, Stamp } from './event-plan';
import { asNamed } from './named';

export type Direction = 'in' | 'out';

/** One input or output of a Run or JobEvent that names its dataset. */
export interface IoDataset {
  direction: Direction;
  dataset: Named;
  /** The input or output as sent: its facets, inputFacets, outputFacets. */
  item: Json;
  /** Its JSON pointer (`/inputs/0`). */
  at: string;
}

/**
 * The inputs, then the outputs, that name a dataset. The others cannot be keyed: they are left out with a
 * warning (the raw event keeps them).
 */
export function ioDatasets(event: Json): { io: IoDataset[]; warnings: Deviation[] } {
  const io: IoDataset[] = [];
  const warnings: Deviation[] = [];
  for (const [direction, key] of [
    ['in', 'inputs'],
    ['out', 'outputs'],
  ] as const) {
    const list = event[key];
    if (!Array.isArray(list)) continue;
    list.forEach((item, index) => {
      const dataset = asNamed(item);
      if (dataset) io.push({ direction, dataset, item: item as Json, at: pointer(key, index) });
      else warnings.push({ pointer: pointer(key, index), message: 'dataset without a namespace and name; ignored' });
    });
  }
  return { io, warnings };
}

/** A job's edge to a dataset; `lastRunId` is the run that last used it (null for a JobEvent's declared IO). */
export function jobIoRow(jobId: string, direction: Direction, datasetId: string, lastRunId: string | null, stamp: Stamp): Row<'jobIo'> {
  return { id: ids.jobIo(jobId, direction, datasetId), jobId, datasetId, direction, ...stamp.span, lastRunId, ...stamp.latest };
}

/**
 * A run's edge to the exact version it read or wrote: the version facet's value when sent (`explicit`),
 * and for an output the dataset version the run made.
 */
export function runIoRow(
  runId: string,
  direction: Direction,
  datasetId: string,
  explicit: string | null,
  datasetVersionId: string | null,
  stamp: Stamp,
): Row<'runIo'> {
  return {
    id: ids.runIo(runId, direction, datasetId),
    runId,
    datasetId,
    direction,
    version: explicit,
    versionKey: explicit === null ? null : ids.versionKey(datasetId, explicit),
    datasetVersionId,
    ...stamp.span,
    versionExplicit: explicit !== null,
    ...stamp.latest,
  };
}
