/**
 * Pedigree's own OpenAPI 3.1 document, served at /openapi.json. The read API keeps Marquez's shapes
 * (MarquezProject/marquez api/openapi.yml): those responses are named here and described by that
 * document; what Pedigree adds (ingest results, problem details, extensions) is described in full.
 * test/openapi.test.ts checks that every route of the app is documented here, and nothing more.
 */

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string) => ({ description, content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });

/** A Marquez response shape, documented by Marquez's openapi.yml. */
const marquez = (shape: string, description = `Marquez's ${shape}`) =>
  json({ type: 'object', description: `Marquez's ${shape} shape` }, description);

const path = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const query = (name: string, schema: Json, description: string) => ({ name, in: 'query', required: false, schema, description });

const ns = path('namespace', 'namespace name (URL-encoded: namespaces often hold `://` and `:`)');
const dataset = path('dataset', 'dataset name (URL-encoded)');
const job = path('job', 'job name (URL-encoded)');
const tag = path('tag', 'tag name');
const paging = [
  query('limit', { type: 'integer', minimum: 0, maximum: 10000, default: 100 }, 'page size'),
  query('offset', { type: 'integer', minimum: 0, default: 0 }, 'rows skipped'),
];
const cursor = query(
  'cursor',
  { type: 'string' },
  "Pedigree extension: keyset paging. Pass the previous page's `nextCursor`; stays fast however deep the page.",
);
const nodeId = {
  ...query('nodeId', { type: 'string' }, '`dataset:<ns>:<name>`, `job:<ns>:<name>` or `datasetField:<ns>:<name>:<field>`'),
  required: true,
};
const depth = query(
  'depth',
  { oneOf: [{ type: 'integer', minimum: 0, maximum: 1000 }, { const: 'all' }], default: 20 },
  'job hops; `all` (Pedigree extension) walks everything',
);
const notFound = problem('unknown namespace, dataset, job or run');
const badParam = problem('a parameter is invalid; the problem names it with a `/query/<name>` pointer');
const get = (summary: string, parameters: Json[], ok: Json, extra: Json = {}) => ({
  get: { summary, parameters, responses: { 200: ok, 400: badParam, 404: notFound, ...extra } },
});
const tagOp = (summary: string, parameters: Json[], shape: string) => ({
  post: { summary: `${summary}: add`, parameters, responses: { 200: marquez(shape), 404: notFound } },
  delete: { summary: `${summary}: remove`, parameters, responses: { 200: marquez(shape), 404: notFound } },
});

const ingestResponses = {
  400: problem('the event cannot be accepted: each deviation is listed with its JSON pointer'),
  401: problem('a missing or unknown API key (when PEDIGREE_API_KEYS is set)'),
  413: problem('the body is larger than PEDIGREE_MAX_EVENT_BYTES / PEDIGREE_MAX_BATCH_BYTES'),
  415: problem('the body is not application/json'),
  503: problem('the database is unavailable; retry'),
};
const strict = query('strict', { type: 'boolean' }, 'reject any deviation from the spec instead of storing the event with warnings');

const version = path('version', 'a number, an alias (`champion` or `@champion`), a stage (`Production`) or `latest`');
const modelName = path('name', 'registered model name');
const conflict = problem('the promotion policy refuses: `errors` names each unmet rule (`/policy/<rule>`)');
const forbidden = problem("the caller's principal lacks the scope, or approves their own version");
const versionOp = (summary: string, ok: Json, extra: Json[] = []) => ({
  summary,
  parameters: [modelName, version, ...extra],
  responses: { 200: ok, 400: badParam, 404: notFound },
});

/** Pedigree's native model API. */
function modelPaths() {
  const base = '/api/v1/models/{name}/versions/{version}';
  return {
    [`${base}/lineage`]: {
      get: versionOp(
        'Question 1: the training runs, exact input versions, code, parameters, upstream lineage and links',
        json(ref('ModelLineage'), 'the lineage of the version'),
        [depth],
      ),
    },
    '/api/v1/namespaces/{namespace}/datasets/{dataset}/models': get(
      'Question 2: the model versions trained on the dataset (at a version), directly or through downstream jobs, with stage, aliases, deployments and the path',
      [
        ns,
        dataset,
        query('version', { type: 'string' }, 'the dataset version (producer version or version id)'),
        query('transitive', { type: 'boolean', default: true }, 'follow downstream runs'),
        depth,
      ],
      json(
        {
          type: 'object',
          description:
            '{dataset, models: [{model, version, stage, aliases, deployments, inProduction, deployed, trainingRunId, path, direct}], truncated}',
        },
        'the models',
      ),
    ),
    '/api/v1/models/{name}/diff': get(
      'Question 3: why did a version regress? Its lineage against another version, causes ranked',
      [
        modelName,
        query('from', { type: 'string' }, 'default: the previous version that reached Production'),
        query('to', { type: 'string', default: 'latest' }, 'the version examined'),
      ],
      json(
        { type: 'object', description: '{from, to, baseline, causes: [{kind, summary, weight}], inputs, code, parameters, tags, metrics}' },
        'the diff',
      ),
    ),
    [`${base}/approval`]: {
      get: versionOp(
        'Question 4: stage, aliases, policy verdict, approvals, full history with actors, deployments',
        json(ref('ModelApproval'), 'the approval record'),
      ),
    },
    [`${base}/approvals`]: {
      post: {
        ...versionOp('Approve the version (scope approve; not by its registrant)', json({ type: 'object' }, 'the approvals so far')),
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { comment: { type: 'string' } } } } } },
        responses: { 201: json({ type: 'object' }, 'the approvals so far'), 403: forbidden, 404: notFound },
      },
    },
    [`${base}/stage`]: {
      post: {
        ...versionOp('Move the version to a stage; Production applies the promotion policy', json({ type: 'object' }, 'the version')),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['stage'],
                properties: {
                  stage: { enum: ['None', 'Staging', 'Production', 'Archived'] },
                  archiveExisting: { type: 'boolean' },
                  comment: { type: 'string' },
                },
              },
            },
          },
        },
        responses: { 200: json({ type: 'object' }, 'the version'), 400: badParam, 404: notFound, 409: conflict },
      },
    },
    '/api/v1/runs/{runId}/policy-check': get(
      "A training run against the policy's run-level rules (known, completed, required tags): what `pedigree check-run` asks",
      [path('runId', 'OpenLineage run id')],
      json({ type: 'object', description: '{runId, job, state, passes, rules: [{rule, ok, detail, missing?}]}' }, 'the check'),
    ),
    [`${base}/links`]: {
      get: versionOp(
        'The links to OpenLineage runs and dataset versions, with method, confidence, status and evidence',
        json({ type: 'object' }, '{links}'),
      ),
    },
    [`${base}/links/{linkId}`]: {
      post: {
        ...versionOp('Confirm or reject a link', json({ type: 'object' }, 'the link'), [path('linkId', 'link id')]),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['status'],
                properties: { status: { enum: ['confirmed', 'rejected'] }, comment: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    [`${base}/card`]: {
      get: versionOp('The model card, with its training-data section generated from lineage', json({ type: 'object' }, 'the card')),
      put: {
        ...versionOp('Write the model card', json({ type: 'object' }, 'the card')),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['markdown'],
                properties: {
                  markdown: { type: 'string' },
                  fields: { type: 'object', description: 'intendedUse, limitations, metrics, …' },
                },
              },
            },
          },
        },
      },
    },
    '/api/v1/deployments': {
      get: {
        summary: 'Deployment history, newest first',
        parameters: [
          query('endpoint', { type: 'string' }, ''),
          query('environment', { type: 'string' }, ''),
          query('model', { type: 'string' }, ''),
          query('version', { type: 'integer' }, ''),
        ],
        responses: { 200: json({ type: 'object' }, '{deployments}') },
      },
      post: {
        summary: 'Record a deployment: {endpoint, model, version?, environment?}; model may be a models:/ URI',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['endpoint', 'model'] } } } },
        responses: { 201: json({ type: 'object' }, 'the deployment'), 400: badParam, 404: notFound },
      },
    },
  };
}

/** The MLflow model-registry REST API subset: MLflow's shapes; errors are `{error_code, message}`. */
function mlflowPaths() {
  const op = (summary: string) => ({
    summary,
    responses: {
      200: json({ type: 'object' }, "MLflow's response"),
      400: json(ref('MlflowError'), 'INVALID_PARAMETER_VALUE, RESOURCE_ALREADY_EXISTS'),
      404: json(ref('MlflowError'), 'RESOURCE_DOES_NOT_EXIST'),
    },
  });
  const base = '/api/2.0/mlflow';
  return {
    [`${base}/registered-models/create`]: { post: op('Create a registered model') },
    [`${base}/registered-models/get`]: { get: op('Get a registered model') },
    [`${base}/registered-models/search`]: { get: op('Search registered models (filter, max_results, order_by, page_token)') },
    [`${base}/registered-models/list`]: { get: op('List registered models (older clients)') },
    [`${base}/registered-models/update`]: { patch: op('Update a registered model') },
    [`${base}/registered-models/delete`]: { delete: op('Delete a registered model') },
    [`${base}/registered-models/set-tag`]: { post: op('Set a registered model tag') },
    [`${base}/registered-models/delete-tag`]: { delete: op('Delete a registered model tag') },
    [`${base}/registered-models/alias`]: {
      post: op('Set an alias'),
      delete: op('Delete an alias'),
      get: op('Get the version an alias names'),
    },
    [`${base}/registered-models/get-latest-versions`]: { post: op('Latest version per stage'), get: op('Latest version per stage') },
    [`${base}/model-versions/create`]: { post: op('Create a model version') },
    [`${base}/model-versions/get`]: { get: op('Get a model version') },
    [`${base}/model-versions/search`]: { get: op('Search model versions') },
    [`${base}/model-versions/get-download-uri`]: { get: op("The version's artifact URI") },
    [`${base}/model-versions/update`]: { patch: op('Update a model version') },
    [`${base}/model-versions/delete`]: { delete: op('Delete a model version') },
    [`${base}/model-versions/set-tag`]: { post: op('Set a model version tag') },
    [`${base}/model-versions/delete-tag`]: { delete: op('Delete a model version tag') },
    [`${base}/model-versions/transition-stage`]: {
      post: {
        ...op('Transition a stage; Production applies the promotion policy'),
        responses: { ...op('').responses, 409: json(ref('MlflowError'), 'INVALID_STATE: the policy refuses') },
      },
    },
  };
}

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Pedigree',
    version: '0.1.0',
    description:
      'An OpenLineage collector with a Marquez-compatible read API. Ingest: `POST /api/v1/lineage` (OpenLineage 2-0-2 ' +
      'RunEvent, DatasetEvent or JobEvent). Reads answer in the shapes of Marquez (api/openapi.yml of MarquezProject/marquez); ' +
      "errors are RFC 9457 problem details that also carry Marquez's `code` and `message`.",
  },
  servers: [{ url: 'http://localhost:5000' }],
  security: [{}, { bearer: [] }],
  paths: {
    '/healthcheck': {
      get: { summary: 'Liveness and database check', security: [], responses: { 200: json({ type: 'object' }, 'healthy') } },
    },
    '/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: json({ type: 'object' }, 'OpenAPI 3.1') } } },
    '/api/v1/lineage/batch': {
      post: {
        summary: 'Ingest many events: a JSON array, NDJSON or a JSON text sequence, streamed',
        description:
          "Each item is accepted or rejected on its own; accepted items are committed in chunks as the body is read. NDJSON (`application/x-ndjson`, `application/jsonl` and their aliases) is split by lines, so a broken line is one failed item. The answer is the OpenLineage spec's batch response: counts and the failed items only (the first 1000), whatever the number of items. A compressed body may inflate at most PEDIGREE_MAX_INFLATION_RATIO times once past PEDIGREE_MAX_EVENT_BYTES.",
        parameters: [strict],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { type: 'array', items: { type: 'object' } } },
            'application/x-ndjson': {},
            'application/json-seq': {},
          },
        },
        responses: {
          200: json(ref('BatchResult'), 'the counts and the failed items'),
          ...ingestResponses,
          413: problem(
            'the body is larger than PEDIGREE_MAX_BATCH_BYTES, or inflates more than PEDIGREE_MAX_INFLATION_RATIO; when items were stored first, the last of `errors` points at the first item not stored (`/<index>`)',
          ),
          503: problem('the database went away; the last of `errors` points at the first item not stored (`/<index>`). Resending is safe'),
        },
      },
    },
    '/api/v1/namespaces': get('List namespaces', paging, marquez('NamespaceList')),
    '/api/v1/namespaces/{namespace}': get('Get a namespace', [ns], marquez('Namespace')),
    '/api/v1/sources': get('List sources', paging, marquez('SourceList')),
    '/api/v1/sources/{source}': get('Get a source', [path('source', 'source name')], marquez('Source')),
    '/api/v1/tags': get('List tags', paging, marquez('TagList')),
    '/api/v1/tags/{tag}': {
      put: {
        summary: 'Create or describe a tag',
        parameters: [tag],
        requestBody: {
          required: false,
          content: { 'application/json': { schema: { type: 'object', properties: { description: { type: 'string' } } } } },
        },
        responses: { 200: marquez('Tag') },
      },
    },
    '/api/v1/namespaces/{namespace}/datasets': get(
      'List datasets (by name)',
      [ns, ...paging, cursor],
      marquez('DatasetList', 'totalCount, datasets, and nextCursor'),
    ),
    '/api/v1/namespaces/{namespace}/datasets/{dataset}': get('Get a dataset', [ns, dataset], marquez('Dataset')),
    '/api/v1/namespaces/{namespace}/datasets/{dataset}/versions': get(
      'List dataset versions, newest first',
      [ns, dataset, ...paging],
      marquez('DatasetVersionList'),
    ),
    '/api/v1/namespaces/{namespace}/datasets/{dataset}/versions/{version}': get(
      'Get a dataset version',
      [ns, dataset, path('version', 'version id')],
      marquez('DatasetVersion'),
    ),
    '/api/v1/namespaces/{namespace}/datasets/{dataset}/tags/{tag}': tagOp('Dataset tag', [ns, dataset, tag], 'Dataset'),
    '/api/v1/namespaces/{namespace}/datasets/{dataset}/fields/{field}/tags/{tag}': tagOp(
      'Field tag',
      [ns, dataset, path('field', 'field name'), tag],
      'Dataset',
    ),
    '/api/v1/jobs': get(
      'List jobs of every namespace, most recently updated first (the web UI dashboard)',
      [
        ...paging,
        cursor,
        query('lastRunStates', { type: 'array', items: { enum: ['NEW', 'RUNNING', 'COMPLETED', 'FAILED', 'ABORTED'] } }, 'repeatable'),
      ],
      marquez('JobList', 'totalCount, jobs, and nextCursor'),
    ),
    '/api/v1/namespaces/{namespace}/jobs': get(
      'List jobs, most recently updated first',
      [ns, ...paging, cursor, query('lastRunStates', { type: 'array', items: { type: 'string' } }, 'repeatable')],
      marquez('JobList', 'totalCount, jobs, and nextCursor'),
    ),
    '/api/v1/namespaces/{namespace}/jobs/{job}': get('Get a job', [ns, job], marquez('Job')),
    '/api/v1/namespaces/{namespace}/jobs/{job}/versions': get('List job versions', [ns, job, ...paging], marquez('JobVersionList')),
    '/api/v1/namespaces/{namespace}/jobs/{job}/versions/{version}': get(
      'Get a job version',
      [ns, job, path('version', 'version')],
      marquez('JobVersion'),
    ),
    '/api/v1/namespaces/{namespace}/jobs/{job}/runs': get('List runs of a job, newest first', [ns, job, ...paging], marquez('RunList')),
    '/api/v1/namespaces/{namespace}/jobs/{job}/tags/{tag}': tagOp('Job tag', [ns, job, tag], 'Job'),
    '/api/v1/jobs/runs/{id}': get('Get a run', [path('id', 'run id (UUID)')], marquez('Run')),
    '/api/v1/jobs/runs/{id}/facets': get(
      "A run's facets, or the job facets it sent",
      [path('id', 'run id (UUID)'), query('type', { enum: ['run', 'job'], default: 'run' }, 'which facets')],
      marquez('RunFacets', '{runId, facets}'),
    ),
    '/api/v1/lineage': {
      ...get(
        'Table-level lineage around a dataset or job',
        [
          nodeId,
          depth,
          query('direction', { enum: ['upstream', 'downstream', 'both'], default: 'both' }, 'Pedigree extension'),
          query('asOf', { type: 'string', format: 'date-time' }, 'Pedigree extension: the graph as it was at that time'),
          query(
            'withModels',
            { type: 'boolean', default: false },
            'Pedigree extension: model versions as MODEL nodes (model:<name>:<version>) with DEPLOYMENT nodes, instead of the default DATASET nodes of namespace `models`; nodeId may also be a model: node',
          ),
        ],
        json(ref('Lineage'), "Marquez's lineage graph"),
      ),
      post: {
        summary: 'Ingest one OpenLineage event (RunEvent, DatasetEvent or JobEvent, spec 2-0-2)',
        description: 'Stored verbatim (replayable) and normalized; deviations producers commonly make are accepted as warnings.',
        parameters: [strict],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', description: 'OpenLineage event' } } } },
        responses: { 201: json(ref('IngestResult'), 'committed'), ...ingestResponses },
      },
    },
    '/api/v1/column-lineage': get(
      'Column-level lineage around a dataset or field',
      [nodeId, depth, query('withDownstream', { type: 'boolean', default: false }, 'also walk downstream')],
      json(ref('Lineage'), 'DATASET_FIELD nodes'),
    ),
    '/api/v1/runlineage/upstream': get(
      'The runs upstream of a run, through the dataset versions it read',
      [{ ...query('runId', { type: 'string', format: 'uuid' }, 'run id'), required: true }, depth],
      marquez('UpstreamRunLineage', '{runs: [...]}'),
    ),
    '/api/v1/events/lineage': get(
      'The stored RunEvents, verbatim',
      [
        query('before', { type: 'string', format: 'date-time' }, 'event time, exclusive'),
        query('after', { type: 'string', format: 'date-time' }, 'event time, inclusive'),
        query('sortDirection', { enum: ['asc', 'desc'], default: 'desc' }, 'by event time'),
        query('runId', { type: 'string', format: 'uuid' }, 'Pedigree extension: the events of one run'),
        ...paging,
      ],
      marquez('LineageEvents', '{events, totalCount}'),
    ),
    '/api/v1/search': get(
      'Jobs and datasets whose name contains q (case-insensitive)',
      [
        { ...query('q', { type: 'string' }, 'substring; `%` and `_` are wildcards as in Marquez'), required: true },
        query('filter', { enum: ['JOB', 'DATASET'] }, 'one kind only'),
        query('sort', { enum: ['NAME', 'UPDATE_AT'], default: 'NAME' }, 'order'),
        query('limit', { type: 'integer', minimum: 1, default: 10 }, 'results'),
        query('namespace', { type: 'string' }, 'one namespace only'),
        query('before', { type: 'string', format: 'date' }, 'updated before'),
        query('after', { type: 'string', format: 'date' }, 'updated after'),
      ],
      marquez('SearchResults'),
    ),
    ...Object.fromEntries(
      ['lineage-events', 'jobs', 'datasets', 'sources'].map((kind) => [
        `/api/v1/stats/${kind}`,
        get(
          `Counts of ${kind} per hour (DAY) or day (WEEK)`,
          [
            query('period', { enum: ['DAY', 'WEEK'], default: 'DAY' }, 'the window'),
            query('timezone', { type: 'string', default: 'UTC' }, 'IANA zone of the WEEK buckets'),
          ],
          json({ type: 'array', items: ref('StatsBucket') }, 'one bucket per interval'),
        ),
      ]),
    ),
    ...modelPaths(),
    ...mlflowPaths(),
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'one of PEDIGREE_API_KEYS' } },
    schemas: {
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          errors: { type: 'array', items: ref('Deviation') },
          code: { type: 'integer', description: "Marquez's error code (= status)" },
          message: { type: 'string', description: "Marquez's error message (= detail)" },
        },
      },
      Deviation: {
        type: 'object',
        required: ['pointer', 'message'],
        properties: { pointer: { type: 'string', description: 'JSON pointer into the body or the query' }, message: { type: 'string' } },
      },
      IngestResult: {
        type: 'object',
        required: ['id', 'warnings'],
        properties: {
          id: { type: 'string', format: 'uuid', description: 'the stored event id' },
          warnings: { type: 'array', items: ref('Deviation') },
        },
      },
      BatchResult: {
        type: 'object',
        description: "The OpenLineage spec's batch response (`/lineage/batch`), with Pedigree's details on failed items and warnings",
        required: ['status', 'summary', 'failed_events', 'warnings'],
        properties: {
          status: { enum: ['success', 'partial_success'] },
          summary: {
            type: 'object',
            required: ['received', 'successful', 'failed', 'retriable', 'non_retriable'],
            properties: {
              received: { type: 'integer' },
              successful: { type: 'integer', description: 'stored (also when the same event was stored before)' },
              failed: { type: 'integer' },
              retriable: { type: 'integer', description: 'always 0: an item fails for what it holds' },
              non_retriable: { type: 'integer' },
            },
          },
          failed_events: {
            type: 'array',
            description: 'the first 1000 failed items, in order, each with at most 20 errors',
            items: {
              type: 'object',
              required: ['index', 'reason', 'retriable', 'status', 'errors'],
              properties: {
                index: { type: 'integer', description: 'the item in the batch, from 0' },
                line: { type: 'integer', description: 'NDJSON: its line, from 1' },
                reason: { type: 'string' },
                retriable: { const: false },
                status: { enum: [400, 413], description: 'what POST /api/v1/lineage answers for it' },
                errors: { type: 'array', items: ref('Deviation'), description: 'pointers into the item' },
              },
            },
          },
          warnings: {
            type: 'array',
            description: "the accepted items' warnings by pointer and message (the first 100)",
            items: {
              type: 'object',
              required: ['pointer', 'message', 'count', 'firstIndex'],
              properties: {
                pointer: { type: 'string' },
                message: { type: 'string' },
                count: { type: 'integer' },
                firstIndex: { type: 'integer' },
              },
            },
          },
        },
      },
      Lineage: {
        type: 'object',
        required: ['graph'],
        properties: {
          graph: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'type', 'data', 'inEdges', 'outEdges'],
              properties: {
                id: { type: 'string' },
                type: { enum: ['DATASET', 'JOB', 'DATASET_FIELD', 'MODEL', 'DEPLOYMENT'] },
                data: { type: 'object', description: "Marquez's DatasetData, JobData or column node data" },
                inEdges: { type: 'array', items: ref('Edge') },
                outEdges: { type: 'array', items: ref('Edge') },
              },
            },
          },
        },
      },
      MlflowError: {
        type: 'object',
        required: ['error_code', 'message'],
        properties: { error_code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: ref('Deviation') } },
      },
      ModelLineage: {
        type: 'object',
        required: ['model', 'trainingRuns', 'links', 'upstream'],
        properties: {
          model: { type: 'object' },
          trainingRuns: {
            type: 'array',
            items: {
              type: 'object',
              description:
                'runId, state, job, inputs [{namespace, name, version, versionId, fields}], outputs, code, parameters, tags, environment',
            },
          },
          links: {
            type: 'array',
            items: { type: 'object', description: 'id, kind, method, confidence, status, decision, runId, dataset, evidence' },
          },
          upstream: ref('Lineage'),
        },
      },
      ModelApproval: {
        type: 'object',
        required: ['model', 'approvedForProduction', 'policy', 'approvals', 'history', 'deployments'],
        properties: {
          model: { type: 'object' },
          approvedForProduction: { type: 'boolean' },
          policy: { type: 'object', description: '{passes, rules: [{rule, ok, detail}]}' },
          approvals: { type: 'array', items: { type: 'object' } },
          history: { type: 'array', items: { type: 'object', description: 'seq, at, actor, action, modelName, version, detail' } },
          deployments: { type: 'array', items: { type: 'object' } },
        },
      },
      Edge: {
        type: 'object',
        required: ['origin', 'destination'],
        properties: { origin: { type: 'string' }, destination: { type: 'string' } },
      },
      StatsBucket: {
        type: 'object',
        required: ['startInterval', 'endInterval', 'count'],
        properties: { startInterval: { type: 'string' }, endInterval: { type: 'string' }, count: { type: 'integer' } },
      },
    },
  },
} as const;
