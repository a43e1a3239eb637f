import { uuidOfHex } from '../core/uuid';
import { buildRunEvent, type InputDatasetDraft, type OutputDatasetDraft, type RunDraft, type RunEventType } from '../emitter/events';
import type { RunEvent } from '../emitter/openlineage-types';
import { type OlDatasetName, olDatasetName, parseSource, uriName } from './dataset-naming';
import { SCHEMA_URLS, schemaFields, sourceCodeLocation } from './run-facets';
import type { LoggedInput, RunSnapshot } from './run-snapshot';

/** The producer of the events Pedigree's MLflow tracking API stores: stable, whatever Pedigree's version. */
export const MLFLOW_PRODUCER = 'urn:pedigree:mlflow';

/**
 * What a job is in MLflow's terms, as OpenLineage's integrations say it in the jobType facet (Airflow: DAG,
 * TASK; Spark: APPLICATION, SQL_JOB): the job is the experiment, its runs are the MLflow runs. Not TRAINING:
 * an experiment's runs may evaluate, tune or serve as well, and a job's type is the same for all its runs.
 */
export const MLFLOW_JOB_TYPE = { processingType: 'BATCH', integration: 'MLFLOW', jobType: 'EXPERIMENT' } as const;

/** An MLflow run id (32 hex digits) as its OpenLineage run id: the same digits, as a UUID. */
export function olRunId(runUuid: string): string {
  const id = uuidOfHex(runUuid);
  if (!id) throw new TypeError(`an MLflow run id is 32 hexadecimal digits, got "${runUuid}"`);
  return id;
}

/**
 * The run's whole current state as one RunEvent: every event carries the full snapshot, so the latest one
 * (facets merge by event time) is the run as MLflow has it, whichever events came before.
 */
export function mlflowRunEvent(run: RunSnapshot, eventType: RunEventType, eventTimeMs: number): RunEvent {
  const code = sourceCodeLocation(run.tags);
  const draft: RunDraft = {
    eventTime: new Date(eventTimeMs).toISOString(),
    run: {
      runId: olRunId(run.runUuid),
      facets: {
        mlflow: {
          _schemaURL: SCHEMA_URLS.mlflow,
          run_id: run.runUuid.toLowerCase(),
          run_name: run.name,
          experiment_id: run.experiment.id,
          experiment_name: run.experiment.name,
          user_id: run.userId,
          status: run.status,
          lifecycle_stage: run.lifecycleStage,
          start_time: run.startTime,
          ...(run.endTime !== null ? { end_time: run.endTime } : {}),
          artifact_uri: run.artifactUri,
        },
        tags: { tags: run.tags.map(({ key, value }) => ({ key, value, source: 'MLFLOW' })) },
        executionParameters: { parameters: run.params.map(({ key, value }) => ({ key, value })) },
        mlflow_metrics: {
          _schemaURL: SCHEMA_URLS.metrics,
          metrics: run.metrics.map(({ key, value, step, timestamp }) => ({ key, value, step, timestamp })),
        },
        ...(run.parent ? { parent: { run: { runId: olRunId(run.parent.runUuid) }, job: run.parent.job } } : {}),
      },
    },
    job: {
      namespace: run.job.namespace,
      name: run.job.name,
      facets: { jobType: { ...MLFLOW_JOB_TYPE }, ...(code ? { sourceCodeLocation: code } : {}) },
    },
    inputs: run.inputs.map((d) => input(d, run.experiment.id)),
    outputs: run.models.flatMap(output),
  };
  return buildRunEvent(eventType, draft, MLFLOW_PRODUCER);
}

/**
 * A logged dataset: named by its source, at its version (MLflow's digest; a Delta table's own version when
 * the source names one, which is what Spark's OpenLineage integration calls the version it wrote, so the
 * read and the write meet), with its schema, its row count (MLflow's profile) and, as MLflow logged them,
 * its name, digest, source, context and tags.
 */
function input(d: LoggedInput, experimentId: string): InputDatasetDraft {
  const where = olDatasetName({ name: d.name, sourceType: d.sourceType, source: d.source, experimentId });
  const source = parseSource(d.source);
  const profile = d.profile ? parseSource(d.profile) : undefined;
  const fields = schemaFields(d.schema);
  const deltaVersion = d.sourceType === 'delta_table' ? source?.delta_table_version : undefined;
  const version = typeof deltaVersion === 'number' || (typeof deltaVersion === 'string' && deltaVersion) ? String(deltaVersion) : d.digest;
  const rows = profile?.num_rows;
  const context = d.tags.find((t) => t.key === 'mlflow.data.context')?.value;
  return {
    namespace: where.namespace,
    name: where.name,
    facets: {
      ...(fields ? { schema: { fields } } : {}),
      version: { datasetVersion: version },
      ...dataSource(where),
      ...(where.symlinks ? { symlinks: { _schemaURL: SCHEMA_URLS.symlinks, identifiers: where.symlinks } } : {}),
    },
    inputFacets: {
      ...(Number.isSafeInteger(rows) && (rows as number) >= 0 ? { inputStatistics: { rowCount: rows as number } } : {}),
      mlflow_dataset: {
        _schemaURL: SCHEMA_URLS.dataset,
        name: d.name,
        digest: d.digest,
        source_type: d.sourceType,
        source: source ?? d.source,
        ...(d.profile ? { profile: profile ?? d.profile } : {}),
        ...(context !== undefined ? { context } : {}),
        tags: d.tags.map(({ key, value }) => ({ key, value })),
      },
    },
  };
}

/** The data source of a location (`s3://bucket`, `hdfs://host:port`): not for catalogs or MLflow's own namespaces. */
function dataSource(where: OlDatasetName) {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]+$/i.test(where.namespace) || where.namespace.startsWith('mlflow://')) return {};
  return { dataSource: { name: where.namespace, uri: where.namespace } };
}

/**
 * A logged model the run produced, as the dataset of its artifacts (MLflow writes a model's files there), so
 * the graph shows the experiment writing it. Only at an absolute location: a relative artifact root (MLflow's
 * default `./mlruns`) names a directory on some client's machine, nothing another producer could name.
 */
function output(m: { modelId: string; artifactLocation: string }): OutputDatasetDraft[] {
  const where = uriName(m.artifactLocation);
  if (!where) return [];
  return [
    {
      namespace: where.namespace,
      name: where.name,
      facets: { datasetType: { _schemaURL: SCHEMA_URLS.datasetType, datasetType: 'MODEL' } },
    },
  ];
}
