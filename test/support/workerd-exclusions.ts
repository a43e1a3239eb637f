/**
 * Tests of the workerd project (vitest.config.ts) that do not run there, each for a reason that is the
 * test's, not the Worker's: by file and test name, so a renamed test runs there again (and shows whether
 * the reason still holds).
 */
const EXCLUDED: Record<string, Record<string, string>> = {
  'http.test.ts': {
    'answers 503 with Retry-After, for ingest and for the healthcheck':
      'it builds its own apps in this process over unreachable databases: no Worker is involved',
  },
  'read-api.test.ts': {
    'answers every listing and entity in the shapes of the Marquez OpenAPI document':
      'hundreds of GETs through routes the other read tests cover, and each costs ~15x more on wrangler dev than in ' +
      'process (a new PostgreSQL connection per request: Hyperdrive pools them on Cloudflare, its local simulation ' +
      'does not), minutes of CI for little more coverage',
    'answers each request in a fixed number of statements, whatever it nests':
      "it counts the statements of this process's database handle; the Worker's run in workerd",
  },
};

/** Why `test` of `file` (its path from the project root) does not run on workerd; undefined when it does. */
export function excludedOnWorkerd(file: string, test: string): string | undefined {
  return EXCLUDED[file.replace(/^.*\//, '')]?.[test];
}
