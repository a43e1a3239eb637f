import { defineConfig } from 'vitest/config';

/**
 * HTTP test files run a second time with the Worker (src/worker.ts) in `wrangler dev` (workerd) as their
 * app, over the real server through Hyperdrive (test/support/databases.ts): ingest, the read API, models
 * and the registry, MLflow's API. Tests that cannot run there are named, with why, in
 * test/support/workerd-exclusions.ts.
 */
export const WORKERD_FILES = [
  'test/http.test.ts',
  'test/read-api.test.ts',
  'test/models.test.ts',
  'test/registry-api.test.ts',
  'test/mlflow-tracking.test.ts',
  'test/mlflow-registry.test.ts',
  'test/mlflow-search.test.ts',
  'test/fuzz-ingest.test.ts',
];

export default defineConfig({
  test: {
    // The browser tests try the built web UI: built first when web/ changed since (test/support/web-build.ts).
    // wrangler dev serves it too, as the Worker's static assets.
    globalSetup: ['test/support/web-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file opens its own PGlite (and its own database on the real server): files run in parallel,
    // tests within a file share that database.
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'] } },
      // Only with a real server (TEST_DATABASE_URL; CI always has one): workerd reaches no PGlite.
      ...(process.env.TEST_DATABASE_URL
        ? [
            {
              extends: true as const,
              test: {
                name: 'workerd',
                include: WORKERD_FILES,
                env: { PEDIGREE_TEST_RUNTIME: 'workerd' },
                setupFiles: ['test/support/workerd-setup.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
