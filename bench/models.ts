/**
 * Models section: a registry of BENCH_MODELS_VERSIONS model versions (default 10k: 1000 models of 10
 * versions) over the lineage graph of the lineage section (BENCH_LINEAGE_JOBS jobs, 1M edges at 100k),
 * registered through the MLflow API of a server child process: each version names a distinct training run
 * of the graph (its run_id, or a `runs:/<id>/model` source); the latest version of each model carries the
 * policy's tags, an approval, a card, goes to Production and is deployed. Then the four questions are
 * timed, each against a baseline measured in the same run: the calls a user would chain today to learn
 * less (the run and its job's lineage from the Marquez API; the dataset's downstream lineage, which names
 * no model; the two runs compared; MLflow's model-version get, which knows the stage and nothing else).
 * PostgreSQL only. BENCH_LINEAGE_DATABASE_URL reuses a loaded graph (and a registry loaded before).
 */
import http from 'node:http';
import { sql } from 'drizzle-orm';
import { rows } from '../src/db/client';
import { openPostgres } from '../src/db/postgres';
import {
  type BenchContext,
  fixed,
  getJson,
  lineageSamples,
  postJson,
  type Section,
  type SectionResult,
  scratchPostgres,
  startServer,
  timed,
  withCleanup,
} from './lib';
import { prepareGraph } from './lineage';
import { datasetName, NS, rng } from './synthetic-graph';

const VERSIONS_PER_MODEL = 10;

export const modelsSection: Section = {
  name: 'models',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const failures: string[] = [];
    const empty = (why: string) => ({ title: `Model questions (skipped: ${why})`, columns: [], rows: [], notes: [], failures, json: [] });
    if (!ctx.databaseUrl || !ctx.databases.includes('postgres')) return empty('needs DATABASE_URL');
    const jobs = Number(process.env.BENCH_LINEAGE_JOBS ?? 100_000);
    const versions = Number(process.env.BENCH_MODELS_VERSIONS ?? 10_000);
    const samples = lineageSamples();
    const reuse = process.env.BENCH_LINEAGE_DATABASE_URL;
    const scratch = reuse ? { url: reuse, drop: async () => {} } : await scratchPostgres(ctx.databaseUrl);
    return withCleanup(scratch.drop, async () => {
      const db = openPostgres(scratch.url, { max: 2 });
      const graph = await withCleanup(
        () => db.close(),
        () => prepareGraph(db, jobs, ctx.log),
      );
      const server = await startServer({ DATABASE_URL: scratch.url });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      let registration: number | undefined;
      const measured: { name: string; api: { p50: number; p99: number }; baseline: { p50: number; p99: number }; ratio: number }[] = [];
      await withCleanup(
        async () => {
          agent.destroy();
          await server.stop();
        },
        async () => {
          const { plan: models, seconds } = await register(scratch.url, server.url, agent, versions, failures, ctx.log);
          registration = seconds;
          const random = rng(11);
          const pick = () => models[Math.floor(random() * models.length)]!;
          const sampleModels = Array.from({ length: samples }, pick);
          const get = async (path: string) => {
            const r = await getJson(agent, new URL(path, server.url));
            if (r.status !== 200) failures.push(`${path} answered ${r.status}`);
          };
          const measure = async (name: string, api: (m: Registered) => string[], baseline: (m: Registered) => string[]) => {
            for (const p of [...api(sampleModels[0]!), ...baseline(sampleModels[0]!)]) await get(p);
            const a = await timed(samples, async (i) => {
              for (const p of api(sampleModels[i]!)) await get(p);
            });
            const b = await timed(samples, async (i) => {
              for (const p of baseline(sampleModels[i]!)) await get(p);
            });
            measured.push({ name, api: a, baseline: b, ratio: a.p99 / b.p99 });
            ctx.log(`models: ${name} p99 ${fixed(a.p99, 1)} ms, baseline p99 ${fixed(b.p99, 1)} ms`);
          };
          const enc = encodeURIComponent;
          await measure(
            'q1 lineage of a version (depth 5)',
            (m) => [`/api/v1/models/${m.name}/versions/${m.latest}/lineage?depth=5`],
            (m) => [`/api/v1/jobs/runs/${m.runId}`, `/api/v1/lineage?nodeId=${enc(`job:${NS}:${m.job}`)}&depth=5&direction=upstream`],
          );
          await measure(
            'q2 models trained on a dataset (transitive)',
            (m) => [`/api/v1/namespaces/${NS}/datasets/${enc(m.input)}/models`],
            (m) => [`/api/v1/lineage?nodeId=${enc(`dataset:${NS}:${m.input}`)}&depth=20&direction=downstream`],
          );
          await measure(
            'q3 diff against the last Production version',
            (m) => [`/api/v1/models/${m.name}/diff?from=${m.latest - 1}&to=${m.latest}`],
            (m) => [`/api/v1/jobs/runs/${m.runId}`, `/api/v1/jobs/runs/${m.previousRunId}`],
          );
          await measure(
            'q4 approval of a version',
            (m) => [`/api/v1/models/${m.name}/versions/${m.latest}/approval`],
            (m) => [`/api/2.0/mlflow/model-versions/get?name=${m.name}&version=${m.latest}`],
          );
          // Graphs with model nodes: from a version, and around its training job with MODEL and DEPLOYMENT
          // nodes; against the job's graph as Marquez clients get it.
          const jobGraph = (m: Registered) => `/api/v1/lineage?nodeId=${enc(`job:${NS}:${m.job}`)}&depth=2`;
          await measure(
            'graph from a model version (depth 2)',
            (m) => [`/api/v1/lineage?nodeId=${enc(`model:${m.name}:${m.latest}`)}&depth=2`],
            (m) => [jobGraph(m)],
          );
          await measure(
            'graph of a training job, withModels (depth 2)',
            (m) => [`${jobGraph(m)}&withModels=true`],
            (m) => [jobGraph(m)],
          );
        },
      );
      return {
        title: `Model questions over ${versions} model versions and a ${jobs}-job graph (${graph.edges} edges), PostgreSQL, one client, ms (${samples} samples each)`,
        columns: ['question', 'api p50', 'api p99', 'baseline p50', 'baseline p99', 'p99 ratio'],
        rows: measured.map((m) => [
          m.name,
          fixed(m.api.p50, 1),
          fixed(m.api.p99, 1),
          fixed(m.baseline.p50, 1),
          fixed(m.baseline.p99, 1),
          `${m.ratio.toFixed(2)}×`,
        ]),
        notes: [
          "baseline = the calls a user chains today for less: q1 GET run + upstream job lineage; q2 downstream dataset lineage (no models in it); q3 GET both runs; q4 MLflow model-versions/get; graphs: the training job's graph (depth 2)",
          registration === undefined
            ? 'registry reused'
            : `registry (${versions} versions, about ${Math.round(versions * 1.5)} requests, 8 clients) registered in ${fixed(registration)} s`,
        ],
        failures,
        json: measured,
      };
    });
  },
};

interface Registered {
  name: string;
  latest: number;
  runId: string;
  previousRunId: string;
  job: string;
  /** A dataset the latest version's training run read (a start for question 2). */
  input: string;
}

/** Registers the registry once (reused when the database already has it): 10 versions per model. */
async function register(
  url: string,
  server: URL,
  agent: http.Agent,
  count: number,
  failures: string[],
  log: (m: string) => void,
): Promise<{ plan: Registered[]; seconds?: number }> {
  const db = openPostgres(url, { max: 1 });
  try {
    const models = Math.ceil(count / VERSIONS_PER_MODEL);
    const [present] = await rows<{ n: number }>(
      db.orm,
      sql`select count(*)::int as n from model_versions where model_name like 'bench_model_%'`,
    );
    const runs = await rows<{ id: string; job_name: string; input: string | null }>(
      db.orm,
      sql`select r.id, r.job_name, (select d.name from run_io io join datasets d on d.id = io.dataset_id
          where io.run_id = r.id and io.direction = 'in' order by d.name limit 1) as input
        from runs r where r.namespace = ${NS} order by r.id limit ${models * VERSIONS_PER_MODEL}`,
    );
    if (runs.length < models * VERSIONS_PER_MODEL) throw new Error(`the graph has ${runs.length} runs, fewer than ${count} versions need`);
    const plan: Registered[] = [];
    for (let m = 0; m < models; m++) {
      const own = runs.slice(m * VERSIONS_PER_MODEL, (m + 1) * VERSIONS_PER_MODEL);
      const last = own.at(-1)!;
      plan.push({
        name: `bench_model_${m}`,
        latest: VERSIONS_PER_MODEL,
        runId: last.id,
        previousRunId: own.at(-2)!.id,
        job: last.job_name,
        input: last.input ?? datasetName(0, 0),
      });
    }
    if (present!.n >= models * VERSIONS_PER_MODEL) {
      log(`models: reusing the ${present!.n} registered versions`);
      return { plan };
    }
    if (present!.n > 0) throw new Error(`the database holds ${present!.n} bench model versions, not ${count}: use a fresh one`);
    const started = Date.now();
    const call = async (path: string, body: unknown, actor = 'registrar', method = 'POST') => {
      const r = await postJson(agent, new URL(path, server), JSON.stringify(body), { method, headers: { 'x-pedigree-actor': actor } });
      if (r.status >= 300) failures.push(`${method} ${path} answered ${r.status}: ${r.body.slice(0, 200)}`);
    };
    // Models in parallel (8 at a time); each model's versions in order (they are numbered).
    let next = 0;
    const worker = async () => {
      for (let m = next++; m < models; m = next++) {
        const name = `bench_model_${m}`;
        await call('/api/2.0/mlflow/registered-models/create', { name });
        for (let v = 0; v < VERSIONS_PER_MODEL; v++) {
          const run = runs[m * VERSIONS_PER_MODEL + v]!;
          const tags = [
            { key: 'dataset_version', value: `table_${v}_v1.${v}` },
            { key: 'git_commit', value: run.id.slice(0, 7) },
            { key: 'triggered_by', value: 'bench' },
          ];
          await call(
            '/api/2.0/mlflow/model-versions/create',
            v % 2
              ? { name, source: `runs:/${run.id}/model`, tags }
              : { name, run_id: run.id, source: `s3://bench-models/${name}/${v + 1}`, tags },
          );
        }
        const base = `/api/v1/models/${name}/versions/${VERSIONS_PER_MODEL}`;
        await call(`${base}/approvals`, { comment: 'bench' }, 'reviewer');
        await call(`${base}/card`, { markdown: `# ${name}`, fields: { metrics: { val_auc: 0.9 } } }, 'registrar', 'PUT');
        await call(`${base}/stage`, { stage: 'Production', archiveExisting: true });
        await call('/api/v1/deployments', { endpoint: `/predict/${m}`, model: name, version: VERSIONS_PER_MODEL });
        if (m % 100 === 0) log(`models: ${m + 1}/${models} models registered (${fixed((Date.now() - started) / 1000)} s)`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const seconds = (Date.now() - started) / 1000;
    log(`models: ${count} versions registered in ${fixed(seconds)} s`);
    return { plan, seconds };
  } finally {
    await db.close();
  }
}
