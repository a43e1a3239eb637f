import type { Db } from './db/client';
import { cutoffOf, parseAge } from './retention/duration';
import { describeReport } from './retention/report';
import { applyRetention, DEFAULT_CHUNK } from './retention/retention';

/**
 * `pedigree retention --older-than 90d [--dry-run] [--json] [--chunk N]`: one retention pass
 * (src/retention/retention.ts) and its exact counts. Exit codes: 0 done, 1 another pass holds the lock,
 * 2 usage errors.
 */
export const RETENTION_USAGE = `  retention --older-than AGE [--dry-run] [--json] [--chunk N]
                      delete runs, events, versions and facets older than AGE (90d, 12w, 36h) that
                      nothing keeps (the current graph, model versions' lineage, MLflow runs); --dry-run
                      counts exactly what would go; --json prints the counts as JSON; --chunk: rows per
                      transaction (default ${DEFAULT_CHUNK})`;

export interface RetentionArgs {
  olderThan: string;
  cutoff: string;
  dryRun: boolean;
  json: boolean;
  chunkSize: number;
}

/** The command's arguments, or the usage error to print. */
export function parseRetentionArgs(args: string[], now = Date.now()): RetentionArgs | string {
  let olderThan: string | undefined;
  let chunkSize = DEFAULT_CHUNK;
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (name === '--older-than' || name === '--chunk') {
      const value = inline ?? args[++i];
      if (value === undefined) return `retention: ${name} needs a value`;
      if (name === '--older-than') olderThan = value;
      else {
        chunkSize = Number(value);
        if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) return `retention: --chunk must be a positive integer, got "${value}"`;
      }
    } else if (name === '--dry-run' || name === '--json') flags.add(name);
    else return `retention: unknown argument ${a}`;
  }
  if (olderThan === undefined) return 'retention: --older-than AGE is required (e.g. 90d)';
  const age = parseAge(olderThan);
  if (age === undefined) return `retention: --older-than must be a number of hours, days or weeks (36h, 90d, 12w), got "${olderThan}"`;
  return { olderThan, cutoff: cutoffOf(age, now), dryRun: flags.has('--dry-run'), json: flags.has('--json'), chunkSize };
}

export async function runRetention(db: Db, args: RetentionArgs, out: { stdout: (s: string) => void; stderr: (s: string) => void }) {
  const report = await applyRetention(db, { cutoff: args.cutoff, dryRun: args.dryRun, chunkSize: args.chunkSize });
  if (!report) {
    out.stderr('retention: another retention pass is running; nothing done');
    return 1;
  }
  out.stdout(args.json ? JSON.stringify({ olderThan: args.olderThan, ...report }) : describeReport(report, args.olderThan));
  return 0;
}
