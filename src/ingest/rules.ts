import * as s from '../db/schema';
import { mergeRule } from '../db/upsert';

/**
 * How each table merges what many events say about the same row (see MergeRule). The order of this list
 * is the order tables are written in within a transaction: with rows sorted by key inside each statement,
 * every writer takes row locks in one global order, so concurrent writers wait but never deadlock.
 */
/** The verbatim events: stored once per id, never merged. */
export const eventRule = mergeRule({ table: s.lineageEvents, key: ['id', 'eventTime'], returning: 'id' });

const span = { min: ['createdAt'], max: ['updatedAt'] } as const;
const latest = ['latestTime', 'latestEventId'] as const;

/**
 * How each table merges what many events say about the same row (see MergeRule). The order of this list
 * is the order tables are written in within a transaction: with rows sorted by key inside each statement,
 * every writer takes row locks in one global order, so concurrent writers wait but never deadlock. Rows
 * that many events share (namespaces, jobs, datasets) come last, so their locks are held the shortest.
 */
export const rules = {
  // Written once per content (DO NOTHING); the facets below reference them.
  facetValues: mergeRule({ table: s.facetValues, key: ['id'] }),
  facets: mergeRule({
    table: s.facets,
    key: ['ownerId', 'name'],
    groups: [{ guard: ['eventTime', 'eventId'], cols: ['valueId', 'ownerKind', 'runId'] }],
  }),
  runIo: mergeRule({
    table: s.runIo,
    key: ['id'],
    ...span,
    groups: [{ guard: ['versionExplicit', ...latest], cols: ['version', 'versionKey', 'datasetVersionId'] }],
  }),
  runs: mergeRule({
    table: s.runs,
    key: ['id'],
    min: ['createdAt', 'startedAt'],
    max: ['updatedAt'],
    groups: [
      // Terminal states beat non-terminal ones whatever their times; then the later event wins.
      { guard: ['stateTerminal', 'stateTime', 'stateEventId'], cols: ['state', 'endedAt'] },
      { guard: ['parentTime', 'parentEventId'], cols: ['parentRunId'] },
      { guard: ['codeTime', 'codeEventId'], cols: ['codeHash'] },
    ],
  }),
  datasetVersions: mergeRule({
    table: s.datasetVersions,
    key: ['id'],
    ...span,
    // An explicit dataset-version facet beats the version derived from the run id, then the latest wins.
    groups: [{ guard: ['versionExplicit', ...latest], cols: ['version', 'versionKey'] }],
  }),
  columnLineage: mergeRule({
    table: s.columnLineage,
    key: ['id'],
    ...span,
    groups: [{ guard: [...latest], cols: ['transformations', 'runId', 'outputVersionId'] }],
  }),
  datasetFields: mergeRule({ table: s.datasetFields, key: ['id'], ...span }),
  datasetSymlinks: mergeRule({ table: s.datasetSymlinks, key: ['id'], ...span }),
  jobIo: mergeRule({ table: s.jobIo, key: ['id'], ...span, groups: [{ guard: [...latest], cols: ['lastRunId'] }] }),
  jobVersions: mergeRule({ table: s.jobVersions, key: ['id'], min: ['createdAt'], max: ['updatedAt', 'declared'] }),
  jobVersionIo: mergeRule({ table: s.jobVersionIo, key: ['jobVersionId', 'direction', 'datasetId'] }),
  sources: mergeRule({ table: s.sources, key: ['id'], ...span, groups: [{ guard: [...latest], cols: ['connectionUrl'] }] }),
  datasets: mergeRule({ table: s.datasets, key: ['id'], min: ['createdAt'], max: ['updatedAt', 'lastModifiedAt'] }),
  jobs: mergeRule({
    table: s.jobs,
    key: ['id'],
    ...span,
    groups: [
      { guard: [...latest], cols: ['parentJobId'] },
      { guard: ['currentVersionTime'], cols: ['currentVersionId'] },
    ],
  }),
  namespaces: mergeRule({ table: s.namespaces, key: ['id'], ...span }),
};
