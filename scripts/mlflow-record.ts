/**
 * A recording reverse proxy for MLflow clients (issue 12's recordings; see test/fixtures/mlflow/README.md).
 *
 *   PORT=5180 UPSTREAM=http://127.0.0.1:5181 OUT_DIR=/tmp/rec [STUB=1] npx tsx scripts/mlflow-record.ts
 *
 * Every request is forwarded to UPSTREAM (a Pedigree server) and each exchange is appended to OUT as one JSON
 * line: method, path, query, the request headers that matter (content-type, user-agent; authorization
 * redacted), request body, response status and body, and `answeredBy`; one file per flow, OUT_DIR/<flow>.jsonl.
 *
 * With STUB=1, MLflow *tracking* routes that Pedigree answers with 404 (it does not implement them yet) are
 * answered instead by a small in-memory stand-in with MLflow-shaped answers (shapes from MLflow's
 * mlflow/protos/service.proto and mlflow/server/handlers.py), so a client flow goes on past its first tracking
 * call and the whole sequence of requests can be recorded. Such exchanges say `"answeredBy": "stub"` and keep
 * what Pedigree answered under `pedigree`. Registry routes (registered-models, model-versions) are never
 * stubbed: what Pedigree answers there is what is recorded.
 *
 * Control (not recorded, not forwarded): `POST /__rec/step {"flow": "...", "step": "..."}` labels the
 * exchanges that follow (the client call that causes them).
 */

import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';

const port = Number(process.env.PORT ?? 5180);
const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:5181';
const outDir = process.env.OUT_DIR ?? '/tmp/mlflow-record';
mkdirSync(outDir, { recursive: true });
const stubOn = process.env.STUB === '1';
const artifactRoot = process.env.STUB_ARTIFACT_ROOT ?? 'file:///tmp/rec-artifacts';

let flow = '';
let step = '';
const seqs = new Map<string, number>();

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parse(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The stand-in for MLflow's tracking API (only what the recorded flows need; answers in MLflow's shapes).
// ---------------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
type KV = { key: string; value: string };
interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
  tags: KV[];
}
interface Run {
  info: Json & { run_id: string; experiment_id: string; status: string; end_time?: number; run_name: string };
  data: { metrics: Json[]; params: KV[]; tags: KV[] };
  inputs: { dataset_inputs: Json[]; model_inputs: Json[] };
  outputs: { model_outputs: Json[] };
}
interface LoggedModel {
  info: Json & { model_id: string; tags: KV[]; status: string; experiment_id: string };
  data: { params: KV[]; metrics: Json[] };
}

const experiments = new Map<string, Experiment>();
const runs = new Map<string, Run>();
const loggedModels = new Map<string, LoggedModel>();
let nextExperiment = 1;

function experimentNamed(name: string): Experiment | undefined {
  return [...experiments.values()].find((e) => e.name === name);
}
function newExperiment(name: string, tags: KV[] = [], artifactLocation?: string, id = String(nextExperiment++)): Experiment {
  const now = Date.now();
  const e = {
    experiment_id: id,
    name,
    artifact_location: artifactLocation || `${artifactRoot}/${id}`,
    lifecycle_stage: 'active',
    creation_time: now,
    last_update_time: now,
    tags,
  };
  experiments.set(id, e);
  return e;
}
newExperiment('Default', [], undefined, '0');

const notFound = (message: string) => ({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message } });
const ok = (body: unknown) => ({ status: 200, body });
const upsert = (list: KV[], key: string, value: string) => {
  const t = list.find((x) => x.key === key);
  if (t) t.value = value;
  else list.push({ key, value });
};

/** `tags.k = 'v'` / `params.k = 'v'` / `attributes.status = 'X'` joined by AND: enough for the recorded flows. */
function runMatches(run: Run, filter: string | undefined): boolean {
  if (!filter?.trim()) return true;
  return filter.split(/\s+and\s+/i).every((clause) => {
    const m = clause.trim().match(/^(tags|tag|params|param|attributes|attribute|metrics|metric)\.`?([^`=!<> ]+)`?\s*(=|!=)\s*'(.*)'$/i);
    if (!m) return true;
    const [, kind = '', key = '', op, value] = m;
    let actual: string | undefined;
    if (/^tag/i.test(kind)) actual = run.data.tags.find((t) => t.key === key)?.value;
    else if (/^param/i.test(kind)) actual = run.data.params.find((t) => t.key === key)?.value;
    else if (/^attr/i.test(kind)) actual = String(run.info[key] ?? '');
    else actual = String(run.data.metrics.find((t) => t.key === key)?.value ?? '');
    return op === '=' ? actual === value : actual !== value;
  });
}

function stub(method: string, path: string, query: URLSearchParams, body: Json): { status: number; body: unknown } | undefined {
  const p = path.replace(/^\/api\/2\.0\/mlflow/, '').replace(/^\/ajax-api\/2\.0\/mlflow/, '');
  const now = Date.now();
  const runOf = (id: unknown) => runs.get(String(id ?? ''));
  const key = `${method} ${p}`;
  switch (key) {
    case 'GET /experiments/get-by-name': {
      const e = experimentNamed(query.get('experiment_name') ?? '');
      return e ? ok({ experiment: e }) : notFound(`Could not find experiment with name '${query.get('experiment_name')}'`);
    }
    case 'POST /experiments/create': {
      const name = String(body.name ?? '');
      if (experimentNamed(name))
        return { status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS', message: `Experiment '${name}' already exists.` } };
      return ok({ experiment_id: newExperiment(name, (body.tags as KV[]) ?? [], body.artifact_location as string).experiment_id });
    }
    case 'GET /experiments/get': {
      const e = experiments.get(query.get('experiment_id') ?? '');
      return e ? ok({ experiment: e }) : notFound(`No Experiment with id=${query.get('experiment_id')} exists`);
    }
    case 'POST /experiments/search':
    case 'GET /experiments/search':
      return ok({ experiments: [...experiments.values()] });
    case 'POST /experiments/set-experiment-tag': {
      const e = experiments.get(String(body.experiment_id));
      if (!e) return notFound(`No Experiment with id=${body.experiment_id} exists`);
      upsert(e.tags, String(body.key), String(body.value ?? ''));
      return ok({});
    }
    case 'POST /runs/create': {
      const run_id = randomUUID().replaceAll('-', '');
      const experiment_id = String(body.experiment_id ?? '0');
      const e = experiments.get(experiment_id);
      if (!e) return notFound(`No Experiment with id=${experiment_id} exists`);
      const tags = ((body.tags as KV[]) ?? []).map((t) => ({ key: t.key, value: t.value ?? '' }));
      const run_name = String(body.run_name ?? tags.find((t) => t.key === 'mlflow.runName')?.value ?? `run-${run_id.slice(0, 6)}`);
      if (!tags.some((t) => t.key === 'mlflow.runName')) tags.push({ key: 'mlflow.runName', value: run_name });
      const run: Run = {
        info: {
          run_id,
          run_uuid: run_id,
          run_name,
          experiment_id,
          user_id: String(body.user_id ?? ''),
          status: 'RUNNING',
          start_time: Number(body.start_time ?? now),
          artifact_uri: `${e.artifact_location}/${run_id}/artifacts`,
          lifecycle_stage: 'active',
        },
        data: { metrics: [], params: [], tags },
        inputs: { dataset_inputs: [], model_inputs: [] },
        outputs: { model_outputs: [] },
      };
      runs.set(run_id, run);
      return ok({ run });
    }
    case 'GET /runs/get': {
      const run = runOf(query.get('run_id') ?? query.get('run_uuid'));
      return run ? ok({ run }) : notFound(`Run '${query.get('run_id')}' not found`);
    }
    case 'POST /runs/update': {
      const run = runOf(body.run_id ?? body.run_uuid);
      if (!run) return notFound(`Run '${body.run_id}' not found`);
      if (body.status) run.info.status = String(body.status);
      if (body.end_time) run.info.end_time = Number(body.end_time);
      if (body.run_name) run.info.run_name = String(body.run_name);
      return ok({ run_info: run.info });
    }
    case 'POST /runs/log-metric':
    case 'POST /runs/log-parameter':
    case 'POST /runs/set-tag':
    case 'POST /runs/delete-tag':
    case 'POST /runs/log-batch': {
      const run = runOf(body.run_id ?? body.run_uuid);
      if (!run) return notFound(`Run '${body.run_id}' not found`);
      const metrics = p === '/runs/log-metric' ? [body] : p === '/runs/log-batch' ? ((body.metrics as Json[]) ?? []) : [];
      const params = p === '/runs/log-parameter' ? [body] : p === '/runs/log-batch' ? ((body.params as Json[]) ?? []) : [];
      const tags = p === '/runs/set-tag' ? [body] : p === '/runs/log-batch' ? ((body.tags as Json[]) ?? []) : [];
      for (const m of metrics) {
        const { key, value, timestamp, step } = m as Json;
        const i = run.data.metrics.findIndex((x) => x.key === key);
        const entry = { key, value, timestamp, step: step ?? 0 };
        if (i >= 0) run.data.metrics[i] = entry;
        else run.data.metrics.push(entry);
        (run as unknown as { history?: Json[] }).history ??= [];
        (run as unknown as { history: Json[] }).history.push(entry);
      }
      for (const x of params) upsert(run.data.params, String(x.key), String(x.value ?? ''));
      for (const x of tags) upsert(run.data.tags, String(x.key), String(x.value ?? ''));
      if (p === '/runs/delete-tag') run.data.tags = run.data.tags.filter((t) => t.key !== body.key);
      return ok({});
    }
    case 'POST /runs/log-inputs': {
      const run = runOf(body.run_id);
      if (!run) return notFound(`Run '${body.run_id}' not found`);
      run.inputs.dataset_inputs.push(...((body.datasets as Json[]) ?? []));
      run.inputs.model_inputs.push(...((body.models as Json[]) ?? []));
      return ok({});
    }
    case 'POST /runs/outputs': {
      const run = runOf(body.run_id);
      if (!run) return notFound(`Run '${body.run_id}' not found`);
      run.outputs.model_outputs.push(...((body.models as Json[]) ?? []));
      return ok({});
    }
    case 'POST /runs/log-model':
      return ok({});
    case 'POST /runs/search': {
      const ids = ((body.experiment_ids as string[]) ?? []).map(String);
      const found = [...runs.values()].filter(
        (r) => (ids.length === 0 || ids.includes(r.info.experiment_id)) && runMatches(r, body.filter as string),
      );
      return ok({ runs: found.slice(0, Number(body.max_results ?? 1000)) });
    }
    case 'GET /metrics/get-history': {
      const run = runOf(query.get('run_id') ?? query.get('run_uuid'));
      if (!run) return notFound(`Run '${query.get('run_id')}' not found`);
      const history = ((run as unknown as { history?: Json[] }).history ?? []).filter((m) => m.key === query.get('metric_key'));
      return ok({ metrics: history });
    }
    case 'GET /artifacts/list':
      return ok({ root_uri: runOf(query.get('run_id'))?.info.artifact_uri ?? '', files: [] });
    case 'POST /logged-models': {
      const model_id = `m-${randomUUID().replaceAll('-', '')}`;
      const e = experiments.get(String(body.experiment_id));
      if (!e) return notFound(`No Experiment with id=${body.experiment_id} exists`);
      const model: LoggedModel = {
        info: {
          model_id,
          experiment_id: e.experiment_id,
          name: String(body.name ?? `model-${model_id.slice(2, 8)}`),
          creation_timestamp_ms: now,
          last_updated_timestamp_ms: now,
          artifact_uri: `${e.artifact_location}/models/${model_id}/artifacts`,
          status: 'LOGGED_MODEL_PENDING',
          ...(body.model_type ? { model_type: body.model_type } : {}),
          ...(body.source_run_id ? { source_run_id: body.source_run_id } : {}),
          tags: (body.tags as KV[]) ?? [],
        },
        data: { params: (body.params as KV[]) ?? [], metrics: [] },
      };
      loggedModels.set(model_id, model);
      return ok({ model });
    }
    case 'POST /logged-models/search': {
      const ids = ((body.experiment_ids as string[]) ?? []).map(String);
      const named = String(body.filter ?? '').match(/^\s*name\s*=\s*'(.*)'\s*$/)?.[1];
      return ok({
        models: [...loggedModels.values()].filter(
          (m) => (ids.length === 0 || ids.includes(m.info.experiment_id)) && (named === undefined || m.info.name === named),
        ),
      });
    }
  }
  const lm = p.match(/^\/logged-models\/([^/]+)(\/tags(?:\/(.+))?|\/params)?$/);
  if (lm) {
    const id = decodeURIComponent(lm[1] ?? '');
    const model = loggedModels.get(id);
    if (!model) return notFound(`Logged model with ID '${lm[1]}' not found.`);
    if (!lm[2] && method === 'GET') return ok({ model });
    if (!lm[2] && method === 'PATCH') {
      model.info.status = String(body.status ?? model.info.status);
      model.info.last_updated_timestamp_ms = now;
      return ok({ model });
    }
    if (lm[2] === '/tags' && method === 'PATCH') {
      for (const t of (body.tags as KV[]) ?? []) upsert(model.info.tags, t.key, t.value ?? '');
      return ok({});
    }
    const tagKey = lm[3];
    if (tagKey && method === 'DELETE') {
      model.info.tags = model.info.tags.filter((t) => t.key !== decodeURIComponent(tagKey));
      return ok({});
    }
    if (lm[2] === '/params' && method === 'POST') {
      for (const t of (body.params as KV[]) ?? []) upsert(model.data.params, t.key, t.value ?? '');
      return ok({});
    }
  }
  return undefined;
}

/** The routes the stand-in may answer: MLflow tracking, never the registry. */
const stubbable = (path: string) => /^\/(ajax-)?api\/2\.0\/mlflow\/(experiments|runs|metrics|artifacts|logged-models)\//.test(`${path}/`);

// ---------------------------------------------------------------------------------------------------------

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const raw = await readBody(req);
  if (url.pathname === '/__rec/step') {
    const b = parse(raw.toString('utf8')) as Json;
    flow = String(b.flow ?? flow);
    step = String(b.step ?? '');
    res.writeHead(204).end();
    return;
  }
  const method = req.method ?? 'GET';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === 'host' || k === 'connection' || k === 'content-length' || k === 'transfer-encoding' || v === undefined) continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  const hasBody = !['GET', 'HEAD'].includes(method) && raw.length > 0;
  const upstreamRes = await fetch(upstream + url.pathname + url.search, {
    method,
    headers,
    body: hasBody ? new Uint8Array(raw) : undefined,
    redirect: 'manual',
  });
  const upstreamText = await upstreamRes.text();
  let status = upstreamRes.status;
  let text = upstreamText;
  let contentType = upstreamRes.headers.get('content-type') ?? 'application/json';
  let answeredBy = 'pedigree';
  const requestBody = parse(raw.toString('utf8'));
  if (stubOn && status === 404 && stubbable(url.pathname)) {
    const s = stub(method, url.pathname, url.searchParams, (requestBody && typeof requestBody === 'object' ? requestBody : {}) as Json);
    if (s) {
      status = s.status;
      text = JSON.stringify(s.body);
      contentType = 'application/json';
      answeredBy = 'stub';
    }
  }
  const query: Record<string, string | string[]> = {};
  for (const k of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(k);
    query[k] = all.length === 1 ? (all[0] ?? '') : all;
  }
  const pick = (k: string) => (req.headers[k] === undefined ? {} : { [k]: String(req.headers[k]) });
  const record = {
    seq: (seqs.get(flow) ?? 0) + 1,
    flow,
    step,
    method,
    path: url.pathname,
    query,
    requestHeaders: {
      ...pick('content-type'),
      ...pick('user-agent'),
      ...(req.headers.authorization ? { authorization: '<redacted>' } : {}),
    },
    requestBody,
    status,
    responseBody: parse(text),
    answeredBy,
    ...(answeredBy === 'stub' ? { pedigree: { status: upstreamRes.status, body: parse(upstreamText) } } : {}),
  };
  seqs.set(flow, record.seq);
  appendFileSync(join(outDir, `${flow || 'unlabelled'}.jsonl`), `${JSON.stringify(record)}\n`);
  res.writeHead(status, { 'content-type': contentType });
  res.end(text);
}

createServer((req, res) => {
  handle(req, res).catch((e) => {
    console.error(e);
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 'PROXY_ERROR', message: String(e) }));
  });
}).listen(port, '127.0.0.1', () =>
  console.log(`mlflow-record: :${port} -> ${upstream}, writing ${outDir}/<flow>.jsonl${stubOn ? ' (tracking stub on)' : ''}`),
);
