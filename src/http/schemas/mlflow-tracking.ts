import { z } from '@hono/zod-openapi';
import { MlflowTag } from './mlflow';

/**
 * MLflow's tracking shapes (mlflow/protos/service.proto), as its clients parse them: ids and experiment
 * ids as strings, times as epoch milliseconds, metric values as numbers (or "NaN", "Infinity" as
 * protobuf's JSON writes them). Requests are read loosely here and checked by the domain (src/tracking/),
 * which answers MLflow's INVALID_PARAMETER_VALUE messages.
 */

const epochMs = (description: string) =>
  z
    .number()
    .int()
    .openapi({ description: `${description}, epoch milliseconds` });
const double = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);
const nextPageToken = z.string().optional().openapi({ description: 'absent on the last page' });

export const MlflowExperiment = z
  .object({
    experiment_id: z.string(),
    name: z.string(),
    artifact_location: z.string().openapi({ description: 'where clients write the artifacts: Pedigree stores none' }),
    lifecycle_stage: z.enum(['active', 'deleted']),
    creation_time: epochMs('created at'),
    last_update_time: epochMs('last changed at'),
    tags: z.array(MlflowTag),
  })
  .openapi('MlflowExperiment');

export const MlflowMetric = z
  .object({
    key: z.string(),
    value: double,
    timestamp: epochMs('logged at'),
    step: z.number().int(),
    run_id: z.string().optional().openapi({ description: 'the run (in a metric’s history)' }),
  })
  .openapi('MlflowMetric');

export const MlflowRunInfo = z
  .object({
    run_id: z.string().openapi({ description: '32 hex digits; the same digits, as a UUID, are its OpenLineage run id' }),
    run_uuid: z.string().openapi({ description: 'run_id, for older clients' }),
    run_name: z.string(),
    experiment_id: z.string(),
    user_id: z.string(),
    status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']),
    start_time: epochMs('started at'),
    end_time: epochMs('ended at').optional(),
    artifact_uri: z.string(),
    lifecycle_stage: z.enum(['active', 'deleted']),
  })
  .openapi('MlflowRunInfo');

const Dataset = z.object({
  name: z.string(),
  digest: z.string(),
  source_type: z.string(),
  source: z.string().openapi({ description: 'JSON text, e.g. `{"uri": "s3://bucket/path"}`' }),
  schema: z.string().optional(),
  profile: z.string().optional(),
});

export const MlflowRun = z
  .object({
    info: MlflowRunInfo,
    data: z.object({
      metrics: z.array(MlflowMetric).openapi({ description: 'the latest value of each metric' }),
      params: z.array(MlflowTag),
      tags: z.array(MlflowTag),
    }),
    inputs: z.object({
      dataset_inputs: z.array(z.object({ tags: z.array(MlflowTag), dataset: Dataset })),
      model_inputs: z.array(z.object({ model_id: z.string() })),
    }),
    outputs: z.object({ model_outputs: z.array(z.object({ model_id: z.string(), step: z.number().int() })) }),
  })
  .openapi('MlflowRun');

export const MlflowLoggedModel = z
  .object({
    info: z.object({
      model_id: z.string(),
      experiment_id: z.string(),
      name: z.string(),
      creation_timestamp_ms: epochMs('created at'),
      last_updated_timestamp_ms: epochMs('last changed at'),
      artifact_uri: z.string(),
      status: z.string(),
      status_message: z.string().optional(),
      model_type: z.string().optional(),
      source_run_id: z.string().optional(),
      tags: z.array(MlflowTag),
    }),
    data: z.object({ params: z.array(MlflowTag), metrics: z.array(z.record(z.string(), z.unknown())) }),
  })
  .openapi('MlflowLoggedModel');

export const ExperimentAnswer = z.object({ experiment: MlflowExperiment });
export const ExperimentsPage = z.object({ experiments: z.array(MlflowExperiment), next_page_token: nextPageToken });
export const ExperimentCreated = z.object({ experiment_id: z.string() });
export const RunAnswer = z.object({ run: MlflowRun });
export const RunInfoAnswer = z.object({ run_info: MlflowRunInfo });
export const RunsPage = z.object({ runs: z.array(MlflowRun), next_page_token: nextPageToken });
export const MetricHistoryPage = z.object({ metrics: z.array(MlflowMetric), next_page_token: nextPageToken });
export const LoggedModelAnswer = z.object({ model: MlflowLoggedModel });
export const LoggedModelsPage = z.object({ models: z.array(MlflowLoggedModel), next_page_token: nextPageToken });

/** A request read as it comes (the domain checks each member); documented by its members. */
export const loose = (members: Record<string, string>) => ({
  required: true,
  content: {
    'application/json': {
      schema: z.looseObject(
        Object.fromEntries(Object.entries(members).map(([k, d]) => [k, z.unknown().optional().openapi({ description: d })])),
      ),
    },
  },
});
