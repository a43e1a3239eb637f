import type { RetentionReport } from './retention';

/** A pass's report for people: one line per kind of row, the events by kind, the months dropped whole. */
export function describeReport(report: RetentionReport, olderThan?: string): string {
  const c = report.counts;
  const events = c.events.run + c.events.dataset + c.events.job;
  const verb = report.dryRun ? 'would delete' : 'deleted';
  const rows: [string, number | string][] = [
    ['runs', c.runs],
    ['run inputs and outputs', c.runIo],
    ['dataset versions', c.datasetVersions],
    ['job versions', c.jobVersions],
    ['job version inputs and outputs', c.jobVersionIo],
    ['facets', c.facets],
    ['facet values', c.facetValues],
    ['events', `${events} (RunEvents ${c.events.run}, DatasetEvents ${c.events.dataset}, JobEvents ${c.events.job})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `retention: everything older than ${olderThan ? `${olderThan} (` : ''}${report.cutoff}${olderThan ? ')' : ''}, ${
      report.dryRun ? 'dry run: nothing deleted, counted exactly' : `${report.chunks} transactions`
    }, ${report.seconds.toFixed(1)} s`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ];
  if (report.months.length) {
    lines.push(`  months of events ${report.dryRun ? 'to drop' : 'dropped'} whole:`);
    for (const m of report.months) lines.push(`    ${m.name}  ${m.events.run + m.events.dataset + m.events.job} events`);
  }
  lines.push(`  (${verb} only what nothing keeps: the current graph, model versions' lineage, MLflow runs, the audit log)`);
  return lines.join('\n');
}
