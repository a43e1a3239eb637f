import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests try the built web UI: built first when web/ changed since (test/support/web-build.ts).
    globalSetup: ['test/support/web-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file opens its own PGlite (and its own database on the real server): files run in parallel,
    // tests within a file share that database.
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
