/**
 * The value of an unlabelled sample (`name value`) in a Prometheus exposition, as GET /metrics or
 * `Metrics.text()` writes it; an error when there is none. test/metrics.test.ts parses the exposition whole,
 * strictly: this is for the tests that only read a counter.
 */
export function sampleOf(exposition: string, name: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no sample ${name} in the exposition`);
  return Number(line.slice(name.length + 1));
}
