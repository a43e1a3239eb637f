import { isObject, type Json } from '../../core/json';
import { ids } from '../../ids';
import type { UnderstoodEvent } from '../understand';
import { codeHash } from './code';
import { columnLineageRows } from './column-lineage';
import { datasetVersionRow, explicitVersion } from './dataset-version';
import type { Row } from './event-plan';
import { type IoDataset, ioDatasets, jobIoRow, runIoRow } from './io';
import { INVALID_PARENT, parentOf, parentRunRow } from './parent';
import type { PlanBuilder } from './plan-builder';
import { runStateOf } from './run-state';

/**
 * A RunEvent: the run (its state, code and parent), its job, and its edges to the exact versions of the
 * datasets it read and wrote. A run's facets and its job's facets as this run saw them are kept per run.
 */
export function planRunEvent(builder: PlanBuilder, u: UnderstoodEvent): void {
  const { stamp } = builder;
  const event = u.event;
  const jobRow = builder.addJob(u.job!);
  const jobId = jobRow.id;
  const jobFacets = (event.job as Json).facets;
  builder.addFacets({ id: jobId, kind: 'job', runId: u.runId, at: '/job/facets' }, jobFacets);
  const { io, warnings } = ioDatasets(event);
  builder.warn(warnings);

  const runId = u.runId!;
  const runFacets = (event.run as Json).facets;
  const run: Row<'runs'> = {
    id: runId,
    jobId,
    namespace: jobRow.namespace,
    jobName: jobRow.name,
    parentRunId: null,
    ...runStateOf(u.eventType, stamp),
    ...stamp.span,
  };
  const code = codeHash(jobFacets);
  if (code !== null) Object.assign(run, { codeHash: code, codeTime: stamp.time, codeEventId: stamp.eventId });
  builder.plan.runs.push(run);
  builder.addFacets({ id: runId, kind: 'run', runId, at: '/run/facets' }, runFacets);
  const runJobId = ids.runJob(runId);
  builder.addFacets({ id: runJobId, kind: 'run_job', runId, at: '/job/facets' }, jobFacets);
  builder.plan.versionRuns.push({ runId, runJobId });

  const parentFacet = isObject(runFacets) ? runFacets.parent : undefined;
  if (isObject(parentFacet)) {
    const parent = parentOf(parentFacet, runId);
    if (parent) {
      const parentJobId = builder.addJob(parent.job).id;
      // A parent run of the same job (a retry, say) must not make the job its own parent: a cycle.
      if (parentJobId !== jobId) Object.assign(jobRow, { parentJobId, ...stamp.latest });
      builder.plan.runs.push(parentRunRow(parent, stamp));
      Object.assign(run, { parentRunId: parent.runId, parentTime: stamp.time, parentEventId: stamp.eventId });
    } else builder.warn([{ pointer: '/run/facets/parent', message: INVALID_PARENT }]);
  }

  for (const dataset of io) planRunIo(builder, runId, jobId, dataset);
}

/**
 * One input or output of a run: the dataset, the job's edge, the run's edge to the version it read (the
 * version facet's, when sent) or wrote, and for an output that version and its column lineage. The
 * dataset's facets are kept as the dataset's, and as this run's input or output version's.
 */
function planRunIo(builder: PlanBuilder, runId: string, jobId: string, { direction, dataset, item, at }: IoDataset): void {
  const { stamp } = builder;
  const datasetId = builder.addDataset(dataset, direction === 'out' ? stamp.time : null);
  const facets = item.facets;
  const explicit = explicitVersion(isObject(facets) ? facets.version : undefined);
  builder.addDatasetFacets(datasetId, facets);
  builder.addFacets({ id: datasetId, kind: 'dataset', runId: null, at: `${at}/facets` }, facets);
  builder.plan.jobIo.push(jobIoRow(jobId, direction, datasetId, runId, stamp));
  if (direction === 'in') {
    const edge = runIoRow(runId, direction, datasetId, explicit, null, stamp);
    builder.addFacets({ id: ids.inputDataset(edge.id), kind: 'input_dataset', runId, at: `${at}/facets` }, facets);
    builder.addFacets({ id: edge.id, kind: 'input', runId, at: `${at}/inputFacets` }, item.inputFacets);
    builder.plan.runIo.push(edge);
    return;
  }
  const version = datasetVersionRow(datasetId, runId, explicit, stamp);
  const edge = runIoRow(runId, direction, datasetId, explicit, version.id, stamp);
  builder.plan.datasetVersions.push(version);
  builder.addFacets({ id: version.id, kind: 'dataset_version', runId, at: `${at}/facets` }, facets);
  builder.addFacets({ id: edge.id, kind: 'output', runId, at: `${at}/outputFacets` }, item.outputFacets);
  if (isObject(facets)) {
    for (const { input, row } of columnLineageRows({ datasetId, versionId: version.id, runId }, facets.columnLineage, stamp)) {
      builder.addReferencedDataset(input, row.inputDatasetId);
      builder.plan.columnLineage.push(row);
    }
  }
  builder.plan.runIo.push(edge);
}
