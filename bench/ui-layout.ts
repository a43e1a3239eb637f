/**
 * UI section: the web UI's lineage explorer on a graph of about 2,000 nodes (bench/wide-graph.ts), and the UI's
 * first load.
 *
 * - **api**: the graph's answer, `/lineage?depth=all&withModels=true` around its source, timed in process
 *   (`app.request()`) over an in-memory PGlite that the events were posted to through the batch API.
 * - **layout**: the UI's own layout function (web/src/graph/layout.ts, what the page runs in its Web
 *   Worker) on that answer read as the UI reads it (web/src/graph/model.ts), with elkjs's bundled build
 *   in Node. Ratio = layout ÷ api: how long the explorer lays a graph out for each unit of time the API
 *   took to answer it.
 * - **columns**: the quick column layout the page draws while ELK works, for comparison.
 * - **first load**: index.html and what it loads before the first page renders, gzipped
 *   (scripts/web-compress.ts `firstLoad()`, over dist/web/: `npm run build:web` first).
 *
 * Quick (under 30 s on 2 cores): BENCH_UI_SAMPLES timed runs of each (default 3 for the API, 1 for ELK after
 * a warm-up on a small graph).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ELK from 'elkjs/lib/elk.bundled.js';
import { firstLoad, webDir } from '../scripts/web-compress';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { migrate } from '../src/db/migrate';
import { readMigrations } from '../src/db/migrations-fs';
import { openPglite } from '../src/db/pglite';
import { ingestPipeline } from '../src/ingest/pipeline';
import { columnsLayout, layoutGraph } from '../web/src/graph/layout';
import { type ApiNode, fromApi } from '../web/src/graph/model';
import { type BenchContext, fixed, type Section, type SectionResult, withCleanup } from './lib';
import { WIDE, WIDE_SOURCE, wideGraphEvents } from './wide-graph';

async function time<T>(runs: number, f: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await f();
    ms.push(performance.now() - t);
  }
  return { ms, last: last as T };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const uiSection: Section = {
  name: 'ui',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const failures: string[] = [];
    const samples = Number(process.env.BENCH_UI_SAMPLES ?? 3);
    const db = await openPglite();
    return withCleanup(
      () => db.close(),
      async () => {
        await migrate(db, await readMigrations());
        const app = createApp({ db, ...ingestPipeline(db), config: loadConfig({}) });
        const loaded = await app.request('/api/v1/lineage/batch', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(wideGraphEvents()),
        });
        if (loaded.status !== 200) failures.push(`the batch of the wide graph answered ${loaded.status}`);
        const path = `/api/v1/lineage?nodeId=${encodeURIComponent(`dataset:${WIDE.namespace}:${WIDE_SOURCE}`)}&depth=all&withModels=true`;
        const ask = async () => {
          const res = await app.request(path);
          if (res.status !== 200) failures.push(`${path} answered ${res.status}`);
          return ((await res.json()) as { graph: ApiNode[] }).graph;
        };
        await ask();
        const api = await time(samples, ask);
        const graph = fromApi(api.last);
        ctx.log(`ui: the API answered ${graph.nodes.length} nodes, ${graph.edges.length} edges in ${fixed(median(api.ms), 0)} ms`);

        const elk = new ELK();
        // ELK's first layout in a process includes its start-up (the worker's, in the browser): warmed on a small graph.
        await layoutGraph(elk, fromApi((await ask()).slice(0, 200)));
        const layout = await time(Number(process.env.BENCH_UI_LAYOUT_SAMPLES ?? 1), () => layoutGraph(elk, graph));
        const placed = layout.last.nodes.size;
        if (placed !== graph.nodes.length) failures.push(`the layout placed ${placed} of ${graph.nodes.length} nodes`);
        const columns = await time(samples, async () => columnsLayout(graph));
        ctx.log(`ui: ELK laid it out in ${fixed(median(layout.ms), 0)} ms, the column layout in ${fixed(median(columns.ms), 1)} ms`);

        const built = existsSync(join(webDir, 'index.html'));
        const load = built ? firstLoad() : undefined;
        const apiMs = median(api.ms);
        const rows = [
          ['api: /lineage depth=all', String(graph.nodes.length), fixed(apiMs, 0), '1.00×'],
          [
            'layout: ELK (layoutGraph)',
            String(graph.nodes.length),
            fixed(median(layout.ms), 0),
            `${(median(layout.ms) / apiMs).toFixed(2)}×`,
          ],
          [
            'layout: columns (provisional)',
            String(graph.nodes.length),
            fixed(median(columns.ms), 1),
            `${(median(columns.ms) / apiMs).toFixed(3)}×`,
          ],
        ];
        return {
          title: `Web UI: the lineage explorer on a ${graph.nodes.length}-node graph (PGlite in process), ms; first load`,
          columns: ['what', 'nodes', 'ms (median)', 'ratio to api'],
          rows,
          notes: [
            `${graph.edges.length} edges; api ${samples} runs after a warm-up, ELK ${layout.ms.length} run(s) after a warm-up on 200 nodes`,
            load
              ? `first load: ${(load.gzipBytes / 1024).toFixed(1)} KB gzipped (${load.files.map((f) => `${f.path} ${(f.gzip / 1024).toFixed(1)} KB`).join(', ')}); the graph code loads lazily`
              : 'first load: dist/web/ is not built (npm run build:web)',
          ],
          failures,
          json: {
            nodes: graph.nodes.length,
            edges: graph.edges.length,
            apiMs: api.ms,
            elkMs: layout.ms,
            columnsMs: columns.ms,
            layoutToApi: median(layout.ms) / apiMs,
            firstLoad: load ?? null,
          },
        };
      },
    );
  },
};
