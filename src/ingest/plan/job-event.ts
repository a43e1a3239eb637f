import type { Json } from '../../core/json';
import type { Named } from '../understand';
import { codeHash } from './code';
import { type Direction, ioDatasets, jobIoRow } from './io';
import { declaredJobVersion } from './job-version';
import type { PlanBuilder } from './plan-builder';

/**
 * A JobEvent declares the job's static definition, with no run: its datasets and edges, and a version
 * made of its code and declared IO, which becomes the job's current version.
 */
export function planJobEvent(builder: PlanBuilder, event: Json, job: Named): void {
  const { stamp } = builder;
  const jobRow = builder.addJob(job);
  const jobId = jobRow.id;
  const jobFacets = (event.job as Json).facets;
  builder.addFacets({ id: jobId, kind: 'job', runId: null, at: '/job/facets' }, jobFacets);
  const { io, warnings } = ioDatasets(event);
  builder.warn(warnings);

  const declared: { direction: Direction; datasetId: string }[] = [];
  for (const { direction, dataset, item, at } of io) {
    const datasetId = builder.addDataset(dataset);
    builder.addDatasetFacets(datasetId, item.facets);
    builder.addFacets({ id: datasetId, kind: 'dataset', runId: null, at: `${at}/facets` }, item.facets);
    builder.plan.jobIo.push(jobIoRow(jobId, direction, datasetId, null, stamp));
    declared.push({ direction, datasetId });
  }
  const version = declaredJobVersion(jobId, codeHash(jobFacets), declared, stamp);
  builder.plan.jobVersions.push(version.version);
  for (const row of version.io) builder.plan.jobVersionIo.push(row);
  jobRow.currentVersionId = version.version.id;
  jobRow.currentVersionTime = stamp.time;
}
