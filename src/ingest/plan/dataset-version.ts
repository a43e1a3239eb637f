import { isObject } from '../../core/json';
import { ids } from '../../ids';
import type { Row, Stamp } from './event-plan';

/**
 * The version facet's `datasetVersion`, as text: producers send strings (Iceberg snapshots, Delta
 * versions) and, against the spec, numbers. Null when it says nothing usable.
 */
export function explicitVersion(versionFacet: unknown): string | null {
  if (!isObject(versionFacet)) return null;
  const v = versionFacet.datasetVersion;
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

/**
 * The version of an output a run wrote: one per dataset and run, named by the version facet when sent,
 * else by the run id. `versionExplicit` lets a later event's explicit version replace a derived one.
 */
export function datasetVersionRow(datasetId: string, runId: string, explicit: string | null, stamp: Stamp): Row<'datasetVersions'> {
  const version = explicit ?? runId;
  return {
    id: ids.datasetVersion(datasetId, runId),
    datasetId,
    runId,
    version,
    versionKey: ids.versionKey(datasetId, version),
    ...stamp.span,
    versionExplicit: explicit !== null,
    ...stamp.latest,
  };
}
