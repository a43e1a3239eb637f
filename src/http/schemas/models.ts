import { z } from '@hono/zod-openapi';
import { STAGES, stageOf } from '../../models/uri';
import { anyObject, LineageGraph } from './common';

/**
 * The answers of Pedigree's native model API (src/models/): what the four questions, approvals, links,
 * cards and deployments return. Times are ISO 8601 (UTC), versions are numbers.
 */

/** A registered component that may be null (`.nullable()` on a component loses the null in the document). */
const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

/** A stage named in any case (`production`), answered as the registry spells it. */
export const stage = z
  .preprocess(
    (v) => (typeof v === 'string' ? (stageOf(v) ?? v) : v),
    z.enum(STAGES, { error: (i) => (i.input === undefined ? 'is required' : `must be one of ${STAGES.join(', ')}`) }),
  )
  .openapi({ type: 'string', enum: [...STAGES] });

/** A body member that must be a string; absent means the client forgot it. */
export const bodyText = (description: string) =>
  z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }).openapi({ description });

const time = z.string().openapi({ format: 'date-time' });
const Stage = z.enum(STAGES);
const stringMap = z.record(z.string(), z.string());
/** Key/value pairs of a facet as the producer sent them: a pair without a value has null. */
const pairs = z.record(z.string(), z.string().nullable());

export const ModelVersion = z
  .object({
    name: z.string(),
    version: z.number().int(),
    source: z.string().nullable(),
    runId: z.string().nullable(),
    runLink: z.string().nullable(),
    modelId: z.string().nullable().openapi({ description: 'MLflow 3’s logged model (`m-…`) the version registers' }),
    description: z.string().nullable(),
    status: z.string(),
    stage: Stage,
    userId: z.string().nullable().openapi({ description: 'who registered it' }),
    createdAt: time,
    updatedAt: time,
    createdMs: z.number().int(),
    updatedMs: z.number().int(),
    tags: stringMap,
    aliases: z.array(z.string()),
  })
  .openapi('ModelVersion');

/** The version as the questions describe it. */
export const ModelSummary = z
  .object({
    name: z.string(),
    version: z.number().int(),
    stage: Stage,
    aliases: z.array(z.string()),
    source: z.string().nullable(),
    runId: z.string().nullable(),
    description: z.string().nullable(),
    registeredBy: z.string().nullable(),
    registeredAt: time,
    tags: stringMap,
  })
  .openapi('ModelSummary');

const Field = z.object({ name: z.string(), type: z.string().nullable() });

export const DatasetAtVersion = z
  .object({
    namespace: z.string(),
    name: z.string(),
    version: z.string().nullable().openapi({ description: "the producer's version when known, else the id of the version resolved" }),
    versionId: z.string().nullable(),
    fields: z.array(Field).nullable().openapi({ description: 'top-level fields of the schema the run saw; null when none was sent' }),
  })
  .openapi('DatasetAtVersion');

const Code = z
  .object({
    gitCommit: z.string().nullable(),
    url: z.string().nullable(),
    repoUrl: z.string().nullable(),
    path: z.string().nullable(),
    branch: z.string().nullable(),
  })
  .openapi('TrainingCode');

const Job = z.object({ namespace: z.string(), name: z.string() });

export const TrainingRun = z
  .object({
    runId: z.string(),
    state: z.enum(['NEW', 'RUNNING', 'COMPLETED', 'FAILED', 'ABORTED']).openapi({ description: "Marquez's run state" }),
    startedAt: time.nullable(),
    endedAt: time.nullable(),
    job: Job.extend({ version: z.string().nullable() }),
    inputs: z.array(DatasetAtVersion).openapi({ description: 'the datasets read, at the exact versions read' }),
    outputs: z.array(DatasetAtVersion),
    code: orNull(Code),
    parameters: pairs.openapi({ description: 'the execution-parameters facet' }),
    tags: pairs.openapi({ description: 'the tags facet' }),
    metrics: z
      .record(z.string(), z.union([z.number(), z.string()]))
      .openapi({ description: "an MLflow run's latest value of each metric (its mlflow_metrics facet); NaN and infinities as strings" }),
    environment: z.object({ processingEngine: z.unknown(), environmentVariables: z.record(z.string(), z.string().nullable()) }).nullable(),
    sameTraining: z.array(z.object({ runId: z.string(), job: Job })).openapi({
      description:
        "runs of other integrations that were this training (an Airflow task or Spark job carrying this MLflow run's id): their inputs, outputs, parameters and tags are merged into this run's",
    }),
  })
  .openapi('TrainingRun');

export const Link = z
  .object({
    id: z.string(),
    kind: z.enum(['run', 'dataset_version']),
    method: z.enum(['run_id', 'registry_run_id', 'artifact', 'dataset_version_tag', 'model_source']),
    confidence: z.number().min(0).max(1),
    status: z.enum(['candidate', 'confirmed', 'rejected']),
    decision: z
      .object({ status: z.enum(['confirmed', 'rejected']), actor: z.string(), comment: z.string().nullable(), at: time })
      .nullable()
      .openapi({ description: "a human's decision; without one the status is the method's" }),
    runId: z.string().nullable(),
    dataset: z
      .object({ namespace: z.string(), name: z.string(), version: z.string(), versionId: z.string().nullable() })
      .nullable()
      .openapi({ description: 'for dataset-version links: the version named, and its row when some run wrote it' }),
    evidence: anyObject,
  })
  .openapi('Link');

export const Links = z.object({ links: z.array(Link) }).openapi('Links');

export const ModelLineage = z
  .object({
    model: ModelSummary,
    trainingRuns: z.array(TrainingRun).openapi({ description: 'the confirmed training runs' }),
    links: z.array(Link).openapi({ description: 'every link with its evidence, candidates and rejected ones included' }),
    upstream: LineageGraph,
  })
  .openapi('ModelLineage');

export const Approval = z.object({ actor: z.string(), comment: z.string().nullable(), approvedAt: time }).openapi('Approval');
export const Approvals = z.object({ approvals: z.array(Approval) }).openapi('Approvals');

const missing = z.array(z.string()).optional().openapi({ description: 'what is missing, when the rule fails for want of it' });

export const PolicyResult = z
  .object({
    passes: z.boolean(),
    rules: z.array(z.object({ rule: z.enum(['required_tags', 'approvals', 'model_card']), ok: z.boolean(), detail: z.string(), missing })),
  })
  .openapi('PolicyResult');

export const AuditRecord = z
  .object({
    seq: z.number().int(),
    at: time,
    actor: z.string(),
    action: z.string(),
    modelName: z.string().nullable(),
    version: z.number().int().nullable(),
    detail: anyObject,
  })
  .openapi('AuditRecord');

export const ModelHistory = z
  .object({
    model: z.string(),
    totalCount: z.number().int().openapi({ description: 'entries in all' }),
    history: z.array(AuditRecord).openapi({ description: "the page's entries of the model and all its versions, oldest first" }),
  })
  .openapi('ModelHistory');

export const Deployment = z
  .object({
    id: z.string(),
    endpoint: z.string(),
    environment: z.string(),
    model: z.string(),
    version: z.number().int(),
    actor: z.string(),
    deployedAt: time,
    current: z.boolean().openapi({ description: 'what the endpoint serves now in its environment' }),
  })
  .openapi('Deployment');

export const Deployments = z.object({ deployments: z.array(Deployment) }).openapi('Deployments');

export const ModelApproval = z
  .object({
    model: ModelSummary,
    approvedForProduction: z.boolean().openapi({ description: 'in Production and the policy passes now' }),
    policy: PolicyResult,
    approvals: z.array(Approval),
    history: z.array(AuditRecord).openapi({ description: 'every audit entry of the version and of its model, oldest first' }),
    deployments: z.array(Deployment),
  })
  .openapi('ModelApproval');

const PathStep = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dataset'), namespace: z.string(), name: z.string(), version: z.string().nullable() }),
  z.object({ kind: z.literal('job'), namespace: z.string(), name: z.string(), runId: z.string() }),
]);

export const ModelsTrainedOn = z
  .object({
    dataset: Job.extend({ version: z.string().nullable() }),
    models: z.array(
      z.object({
        model: z.string(),
        version: z.number().int(),
        stage: Stage,
        aliases: z.array(z.string()),
        deployments: z.array(Deployment).openapi({ description: 'where it is served now' }),
        inProduction: z.boolean(),
        deployed: z.boolean(),
        trainingRunId: z.string(),
        path: z.array(PathStep).openapi({ description: 'the dataset, then each job and what it wrote, to the training job' }),
        direct: z.boolean(),
      }),
    ),
    truncated: z.boolean().openapi({ description: 'the runs reached were too many and the walk was cut short' }),
  })
  .openapi('ModelsTrainedOn');

const Change = z.object({ name: z.string(), from: z.string().nullable(), to: z.string().nullable() });
const Producer = z.object({ namespace: z.string(), name: z.string(), version: z.string().nullable(), runId: z.string() });
const Side = z.object({ name: z.string(), version: z.number().int(), stage: Stage, trainingRunIds: z.array(z.string()) });
const metric = z.union([z.number(), z.string()]).nullable();

export const ModelDiff = z
  .object({
    from: Side,
    to: Side,
    baseline: z.enum(['requested', 'last_production']),
    causes: z.array(
      z.object({
        kind: z.enum(['schema', 'input_version', 'input_set', 'code', 'parameters', 'upstream_job', 'environment']),
        summary: z.string(),
        weight: z.number().openapi({ description: 'how likely this explains a regression, 0–1 (a heuristic)' }),
      }),
    ),
    inputs: z.array(
      z.object({
        namespace: z.string(),
        name: z.string(),
        change: z.enum(['added', 'removed', 'version_changed', 'unchanged']),
        from: z.string().nullable(),
        to: z.string().nullable(),
        schema: z.object({ added: z.array(Field), removed: z.array(Field), retyped: z.array(Change) }).nullable(),
        producer: z.object({ from: Producer.nullable(), to: Producer.nullable() }).nullable(),
      }),
    ),
    code: z.object({ from: orNull(Code), to: orNull(Code), changed: z.boolean() }),
    parameters: z.array(Change),
    tags: z.array(Change),
    metrics: z.array(z.object({ name: z.string(), from: metric, to: metric, delta: z.number().nullable() })),
  })
  .openapi('ModelDiff');

/** The structured fields of a card; anything else the writer sends is kept too. */
export const CardFields = z
  .looseObject({
    intendedUse: z.string({ error: 'must be a string' }).optional(),
    limitations: z.string({ error: 'must be a string' }).optional(),
    metrics: z.record(z.string(), z.union([z.number(), z.string()]), { error: 'must map each metric to a number or a string' }).optional(),
  })
  .openapi('CardFields');

export const ModelCard = z
  .object({
    name: z.string(),
    version: z.number().int(),
    markdown: z.string(),
    fields: CardFields,
    updatedBy: z.string().nullable(),
    updatedAt: time.nullable(),
    trainingData: z
      .array(z.object({ runId: z.string(), job: Job.extend({ version: z.string().nullable() }), inputs: z.array(DatasetAtVersion) }))
      .openapi({ description: "generated from lineage at read time: the confirmed training runs' inputs at their exact versions" }),
    trainingDataMarkdown: z.string(),
  })
  .openapi('ModelCard');

export const RunCheck = z
  .object({
    runId: z.string(),
    job: Job.nullable(),
    state: z.string().nullable().openapi({ description: 'the OpenLineage state last received; null when the run is unknown' }),
    passes: z.boolean(),
    rules: z.array(
      z.object({ rule: z.enum(['run_known', 'run_completed', 'required_tags']), ok: z.boolean(), detail: z.string(), missing }),
    ),
  })
  .openapi('RunCheck');
