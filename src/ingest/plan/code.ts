import { isObject } from '../../core/json';
import { sha256Hex } from '../../ids';

/** The job facets that say what code ran, in the order they are hashed. */
const CODE_FACETS = ['sourceCode', 'sourceCodeLocation', 'sql'] as const;

/**
 * What identifies a job's code: its source-code location, SQL and source code facets (not who produced
 * them: `_producer` and `_schemaURL` change with the integration's release, not with the code; nor the
 * order of their fields). Null when the event carries none, so that it does not erase what another
 * event said.
 */
export function codeHash(jobFacets: unknown): string | null {
  if (!isObject(jobFacets)) return null;
  const parts: string[] = [];
  for (const name of CODE_FACETS) {
    const f = jobFacets[name];
    if (!isObject(f)) continue;
    const fields = Object.entries(f)
      .filter(([k]) => !k.startsWith('_'))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    parts.push(`${name}=${JSON.stringify(Object.fromEntries(fields))}`);
  }
  return parts.length ? sha256Hex(parts.join('\n')) : null;
}
