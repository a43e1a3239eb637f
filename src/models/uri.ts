import { UUID, uuidOfHex } from '../core/uuid';
import { ids } from '../ids';

/**
 * The URIs MLflow users write, understood for reconciliation:
 * - `runs:/<run_id>/<path>`: the artifact of a run, so an explicit run id;
 * - `models:/<name>/<version | stage | @alias>`: another registered model version;
 * - `models:/m-<32 hex digits>`: an MLflow 3 logged model, whose source run is its training run;
 * - anything else with a scheme (`s3://bucket/path`, `gs://…`, `file:///…`): an artifact location, which
 *   is the OpenLineage dataset a training run wrote, named per the spec's naming conventions: namespace
 *   `scheme://authority`, name the path.
 */
export interface ModelSource {
  runId?: string;
  model?: ModelRef;
  /** An MLflow 3 logged model's id (`m-<32 hex digits>`). */
  loggedModelId?: string;
  /** Candidate dataset ids of the artifact: producers write the path with and without its leading slash. */
  datasetIds: string[];
  dataset?: { namespace: string; name: string };
}

export type ModelRef = { name: string } & ({ version: number } | { alias: string } | { stage: Stage } | { latest: true });

export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

/** A stage named in any case (MLflow accepts `production`), or undefined. */
export function stageOf(text: string): Stage | undefined {
  return STAGES.find((s) => s.toLowerCase() === text.toLowerCase());
}

/** How a version is named in a path or a `models:/` URI: a number, `@alias`, an alias, a stage or `latest`. */
export function versionRef(name: string, text: string): ModelRef {
  if (/^\d+$/.test(text)) return { name, version: Number(text) };
  if (text.startsWith('@')) return { name, alias: text.slice(1) };
  if (text.toLowerCase() === 'latest') return { name, latest: true };
  const stage = stageOf(text);
  return stage ? { name, stage } : { name, alias: text };
}

/** `models:/<name>/<ref>` or `models:/<name>@<alias>` (MLflow ≥ 2.9), else undefined. */
export function parseModelsUri(uri: string): ModelRef | undefined {
  const m = /^models:\/+(.+)$/.exec(uri.trim());
  if (!m) return undefined;
  const rest = m[1]!.replace(/\/+$/, '');
  const at = rest.lastIndexOf('@');
  if (at > 0 && !rest.slice(at).includes('/')) return { name: rest.slice(0, at), alias: rest.slice(at + 1) };
  const slash = rest.lastIndexOf('/');
  if (slash <= 0) return undefined;
  return versionRef(rest.slice(0, slash), rest.slice(slash + 1));
}

export function parseModelSource(source: string | null | undefined): ModelSource {
  const out: ModelSource = { datasetIds: [] };
  if (!source) return out;
  const text = source.trim();
  const runs = /^runs:\/+([^/]+)(?:\/.*)?$/.exec(text);
  if (runs) {
    out.runId = runs[1];
    return out;
  }
  const logged = LOGGED_MODEL_URI.exec(text);
  if (logged) {
    out.loggedModelId = logged[1]!.toLowerCase();
    return out;
  }
  const model = parseModelsUri(text);
  if (model) {
    out.model = model;
    return out;
  }
  const dataset = artifactDataset(text);
  if (dataset) {
    out.dataset = dataset;
    const bare = dataset.name.replace(/^\/+/, '');
    out.datasetIds = [...new Set([ids.dataset(dataset.namespace, `/${bare}`), ids.dataset(dataset.namespace, bare)])];
  }
  return out;
}

/**
 * An artifact URI as an OpenLineage dataset: `s3://bucket/a/b/` -> (`s3://bucket`, `/a/b`); local paths
 * and `file:` URIs -> (`file`, `/path`); `dbfs:/path` -> (`dbfs`, `/path`).
 */
export function artifactDataset(uri: string): { namespace: string; name: string } | undefined {
  const trimmed = uri.trim().replace(/\/+$/, '');
  if (trimmed.startsWith('/')) return { namespace: 'file', name: trimmed };
  const file = /^file:(?:\/\/(?:localhost)?)?(\/.*)$/.exec(trimmed);
  if (file) return { namespace: 'file', name: file[1]! };
  const full = /^([a-z][a-z0-9+.-]*):\/\/([^/]+)(\/.*)?$/i.exec(trimmed);
  if (full) return { namespace: `${full[1]!.toLowerCase()}://${full[2]}`, name: full[3] ?? '/' };
  const schemeOnly = /^([a-z][a-z0-9+.-]*):(\/.*)$/i.exec(trimmed);
  if (schemeOnly) return { namespace: schemeOnly[1]!.toLowerCase(), name: schemeOnly[2]! };
  return undefined;
}

/** `models:/m-<32 hex digits>`: MLflow 3 names a logged model so (not a registered model `m-…`: those have a version). */
const LOGGED_MODEL_URI = /^models:\/+(m-[0-9a-f]{32})\/*$/i;

/**
 * The OpenLineage run id a version names: its run_id, else a `runs:/` source's, if it is a UUID or an MLflow
 * run id (32 hex digits), which is the UUID of its OpenLineage run in the same digits (src/tracking/projection.ts).
 */
export function runUuidOf(runId: string | null | undefined, source: ModelSource): string | null {
  for (const candidate of [runId, source.runId]) {
    if (!candidate) continue;
    if (UUID.test(candidate)) return candidate.toLowerCase();
    const fromHex = uuidOfHex(candidate);
    if (fromHex) return fromHex;
  }
  return null;
}
