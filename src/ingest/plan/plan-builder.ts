import type { Deviation } from '../../core/errors';
import { isObject } from '../../core/json';
import { ids } from '../../ids';
import { MAX_PRODUCER, producerLeftOut } from '../producer';
import type { Named, UnderstoodEvent } from '../understand';
import { sourceRow } from './data-source';
import { type EventPlan, type Row, type Stamp, stampOf } from './event-plan';
import { eventRow } from './event-row';
import { type FacetOwner, type FacetValues, facetRows, facetValues } from './facets';
import { fieldRows } from './schema-fields';
import { symlinkRows } from './symlinks';

/**
 * The plan of one event as the planners fill it: the rows every kind of event adds the same way
 * (namespaces, datasets, jobs, facets, what a dataset's facets say), and the warnings for what has to be
 * left out.
 */
export class PlanBuilder {
  readonly plan: EventPlan;
  readonly stamp: Stamp;
  private readonly values: FacetValues = facetValues();

  constructor(
    u: UnderstoodEvent,
    eventId: string,
    raw: string,
    private readonly warnings: Deviation[],
  ) {
    this.stamp = stampOf(u.eventTime, eventId);
    this.plan = {
      event: eventRow(u, eventId, raw),
      namespaces: [],
      sources: [],
      datasets: [],
      datasetVersions: [],
      datasetFields: [],
      datasetSymlinks: [],
      columnLineage: [],
      jobs: [],
      jobVersions: [],
      jobVersionIo: [],
      jobIo: [],
      runs: [],
      runIo: [],
      facetValues: this.values.rows,
      facets: [],
      versionRuns: [],
    };
    if (typeof u.event.producer === 'string' && u.event.producer.length > MAX_PRODUCER) this.warn([producerLeftOut]);
  }

  warn(warnings: Deviation[]): void {
    for (const w of warnings) this.warnings.push(w);
  }

  addNamespace(name: string): string {
    const id = ids.namespace(name);
    this.plan.namespaces.push({ id, name, ...this.stamp.span });
    return id;
  }

  /** `lastModifiedAt`: when a run wrote it (outputs only). */
  addDataset(d: Named, lastModifiedAt: string | null = null): string {
    return this.addReferencedDataset(d, ids.dataset(d.namespace, d.name), lastModifiedAt);
  }

  /**
   * A dataset a row builder already keyed (a symlink's target, a column-lineage input): its id is not
   * looked up again, which column lineage would do for every edge.
   */
  addReferencedDataset(d: Named, id: string, lastModifiedAt: string | null = null): string {
    this.plan.datasets.push({
      id,
      namespaceId: this.addNamespace(d.namespace),
      namespace: d.namespace,
      name: d.name,
      ...this.stamp.span,
      lastModifiedAt,
    });
    return id;
  }

  /** The job's row, returned so that the planner can set what only its kind of event knows. */
  addJob(job: Named): Row<'jobs'> {
    const row: Row<'jobs'> = {
      id: ids.job(job.namespace, job.name),
      namespaceId: this.addNamespace(job.namespace),
      namespace: job.namespace,
      name: job.name,
      parentJobId: null,
      ...this.stamp.span,
    };
    this.plan.jobs.push(row);
    return row;
  }

  addFacets(owner: FacetOwner, facets: unknown): void {
    const { rows, warnings } = facetRows(owner, facets, this.stamp, this.values);
    for (const row of rows) this.plan.facets.push(row);
    this.warn(warnings);
  }

  /** What a dataset's own facets say: its data source, schema fields and symlinks (other names, datasets too). */
  addDatasetFacets(datasetId: string, facets: unknown): void {
    if (!isObject(facets)) return;
    const source = sourceRow(facets.dataSource, this.stamp);
    if (source) this.plan.sources.push(source);
    for (const field of fieldRows(datasetId, facets.schema, this.stamp)) this.plan.datasetFields.push(field);
    for (const { target, row } of symlinkRows(datasetId, facets.symlinks, this.stamp)) {
      this.addReferencedDataset(target, row.targetId);
      this.plan.datasetSymlinks.push(row);
    }
  }
}
