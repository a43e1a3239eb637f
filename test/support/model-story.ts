/**
 * The seed story of the model registry, as OpenLineage events: an ETL job builds `orders` (v2.1, later
 * v2.2 with a column dropped) and `users` (v3.0); a training job reads them and writes the model artifact,
 * with tags (the MLflow run id, the compound dataset_version tag, git_commit, triggered_by) and parameters.
 */
const producer = 'https://example.com/pedigree-tests';
const facet = (name: string, version: string) => ({
  _producer: producer,
  _schemaURL: `https://openlineage.io/spec/facets/${version}/${name}.json#/$defs/${name}`,
});
const schema = (fields: string[]) => ({
  ...facet('SchemaDatasetFacet', '1-2-0'),
  fields: fields.map((name) => ({ name, type: name === 'amount' ? 'DECIMAL' : 'STRING' })),
});
const versionFacet = (datasetVersion: string) => ({ ...facet('DatasetVersionDatasetFacet', '1-0-1'), datasetVersion });

export const ORDERS = { namespace: 'postgres://warehouse:5432', name: 'public.orders' };
export const USERS = { namespace: 'postgres://warehouse:5432', name: 'public.users' };
export const ORDERS_V21_FIELDS = ['id', 'customer_id', 'amount', 'discount'];
export const ORDERS_V22_FIELDS = ['id', 'customer_id', 'amount'];

function runEvents(opts: {
  runId: string;
  job: { namespace: string; name: string };
  time: string;
  inputs: unknown[];
  outputs: unknown[];
  runFacets?: Record<string, unknown>;
  jobFacets?: Record<string, unknown>;
}) {
  const event = (eventType: string, eventTime: string) => ({
    eventType,
    eventTime,
    producer,
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: opts.runId, facets: opts.runFacets ?? {} },
    job: { ...opts.job, facets: opts.jobFacets ?? {} },
    inputs: opts.inputs,
    outputs: opts.outputs,
  });
  return [event('START', opts.time), event('COMPLETE', new Date(Date.parse(opts.time) + 30 * 60_000).toISOString())];
}

/** The ETL run writing `orders` at a version with its schema, and `users` at 3.0. */
export function etlEvents(runId: string, time: string, ordersVersion: string, ordersFields: string[]) {
  return runEvents({
    runId,
    time,
    job: { namespace: 'etl', name: 'build_tables' },
    inputs: [{ namespace: 's3://raw', name: '/orders' }],
    outputs: [
      { ...ORDERS, facets: { schema: schema(ordersFields), version: versionFacet(ordersVersion) } },
      { ...USERS, facets: { schema: schema(['id', 'country']), version: versionFacet('3.0') } },
    ],
  });
}

export interface Training {
  runId: string;
  mlflowRunId: string;
  time: string;
  ordersVersion: string;
  ordersFields: string[];
  commit: string;
  learningRate: string;
  artifact: { namespace: string; name: string };
  /** Leave a required tag out (policy refusal). */
  omitTags?: string[];
}

/**
 * The story's two trainings of `clf` (the run id aside): v1 by exp-47b on orders 2.1, v2 by exp-52c on
 * orders 2.2 (`discount` dropped) with a new commit and learning rate.
 */
export const TRAINING_V1: Omit<Training, 'runId'> = {
  mlflowRunId: 'exp-47b',
  time: '2026-03-01T06:00:00Z',
  ordersVersion: '2.1',
  ordersFields: ORDERS_V21_FIELDS,
  commit: 'a1b2c3d',
  learningRate: '0.01',
  artifact: { namespace: 's3://models', name: '/clf/2.1' },
};
export const TRAINING_V2: Omit<Training, 'runId'> = {
  mlflowRunId: 'exp-52c',
  time: '2026-04-01T06:00:00Z',
  ordersVersion: '2.2',
  ordersFields: ORDERS_V22_FIELDS,
  commit: 'e4f5a6b',
  learningRate: '0.05',
  artifact: { namespace: 's3://models', name: '/clf/2.2' },
};

export function trainingEvents(t: Training) {
  const tags: [string, string][] = [
    ['mlflow.run_id', t.mlflowRunId],
    ['dataset_version', `orders_v${t.ordersVersion}+users_v3.0`],
    ['git_commit', t.commit],
    ['triggered_by', 'airflow:retrain_clf'],
  ];
  return runEvents({
    runId: t.runId,
    time: t.time,
    job: { namespace: 'ml', name: 'train_clf' },
    runFacets: {
      tags: {
        ...facet('TagsRunFacet', '1-0-0'),
        tags: tags.filter(([k]) => !t.omitTags?.includes(k)).map(([key, value]) => ({ key, value, source: 'USER' })),
      },
      executionParameters: {
        ...facet('ExecutionParametersRunFacet', '1-0-0'),
        parameters: [
          { key: 'learning_rate', value: t.learningRate },
          { key: 'max_depth', value: '6' },
        ],
      },
    },
    jobFacets: {
      sourceCodeLocation: {
        ...facet('SourceCodeLocationJobFacet', '1-1-0'),
        type: 'git',
        url: `https://github.com/acme/clf/blob/${t.commit}/train.py`,
        repoUrl: 'https://github.com/acme/clf',
        path: 'train.py',
        version: t.commit,
      },
    },
    inputs: [
      { ...ORDERS, facets: { schema: schema(t.ordersFields), version: versionFacet(t.ordersVersion) } },
      { ...USERS, facets: { schema: schema(['id', 'country']), version: versionFacet('3.0') } },
    ],
    outputs: [t.artifact],
  });
}
