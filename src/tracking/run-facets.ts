import type { FacetDraft } from '../emitter/events';
import type { SchemaDatasetFacetFields, SourceCodeLocationJobFacet } from '../emitter/openlineage-types';
import type { KeyValue } from './run-snapshot';

/** The `_schemaURL` of one of Pedigree's own facets (spec/pedigree/<name>.json, version 1-0-0). */
export const pedigreeSchemaUrl = (name: string) => `urn:pedigree:facets:1-0-0:${name}.json#/$defs/${name}`;

export const SCHEMA_URLS = {
  mlflow: pedigreeSchemaUrl('MLflowRunFacet'),
  metrics: pedigreeSchemaUrl('MLflowMetricsRunFacet'),
  dataset: pedigreeSchemaUrl('MLflowDatasetInputDatasetFacet'),
  symlinks: 'https://openlineage.io/spec/facets/1-0-1/SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet',
  datasetType: 'https://openlineage.io/spec/facets/1-0-1/DatasetTypeDatasetFacet.json#/$defs/DatasetTypeDatasetFacet',
};

type Field = SchemaDatasetFacetFields;

/**
 * The fields of an MLflow dataset schema (JSON text): a column spec (`{"mlflow_colspec": [{"type": "long",
 * "name": "id"}]}`, with array, object and map types) or a tensor spec (`{"mlflow_tensorspec": [{"name": "x",
 * "type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]}`). Types are MLflow's names;
 * unnamed columns are named by position, as MLflow's signatures number them. Undefined for anything else.
 */
export function schemaFields(text: string | null): Field[] | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const spec = parsed as Record<string, unknown>;
  const columns = Array.isArray(spec.mlflow_colspec)
    ? spec.mlflow_colspec
    : Array.isArray(spec.mlflow_tensorspec)
      ? spec.mlflow_tensorspec
      : undefined;
  return columns?.map((c, i) => column(c, i));
}

function column(c: unknown, index: number): Field {
  const o = isRecord(c) ? c : {};
  const name = typeof o.name === 'string' && o.name !== '' ? o.name : String(index);
  const nested = isRecord(o.properties)
    ? Object.entries(o.properties).map(([key, v]) => column({ ...(isRecord(v) ? v : {}), name: key }, 0))
    : undefined;
  return { name, type: typeName(o), ...(nested?.length ? { fields: nested } : {}) };
}

function typeName(t: unknown): string {
  if (typeof t === 'string') return t;
  if (!isRecord(t)) return 'unknown';
  const kind = typeof t.type === 'string' ? t.type : 'unknown';
  if (kind === 'array') return `array<${typeName(t.items)}>`;
  if (kind === 'map') return `map<string, ${typeName(t.values)}>`;
  if (kind === 'object') return 'struct';
  if (kind === 'tensor' && isRecord(t['tensor-spec'])) {
    const spec = t['tensor-spec'];
    const shape = Array.isArray(spec.shape) ? `[${spec.shape.join(', ')}]` : '';
    return `tensor<${typeof spec.dtype === 'string' ? spec.dtype : 'unknown'}>${shape}`;
  }
  return kind;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The code a run ran, from the tags MLflow's client sets: `mlflow.source.git.commit` (the version),
 * `mlflow.source.git.repoURL`, `mlflow.source.git.branch`, `mlflow.source.name` (the script or notebook).
 * Undefined without git (no commit, no repository): the facet's `type` is the version control system.
 * The facet requires a `url`: the repository's web page at the commit when the repository is on a known forge,
 * else the repository's URL, else the file where it ran (a `file:` URI of the name MLflow recorded).
 */
export function sourceCodeLocation(tags: KeyValue[]): FacetDraft<SourceCodeLocationJobFacet> | undefined {
  const tag = (key: string) => tags.find((t) => t.key === key)?.value.trim() || undefined;
  const commit = tag('mlflow.source.git.commit');
  const repo = tag('mlflow.source.git.repoURL') ?? tag('mlflow.gitRepoURL');
  const name = tag('mlflow.source.name');
  const branch = tag('mlflow.source.git.branch');
  if (!commit && !repo) return undefined;
  const repoUrl = repo ? withoutCredentials(repo) : undefined;
  const url = (repoUrl && webUrl(repoUrl, commit)) ?? (name && fileUrl(name)) ?? (repoUrl && fileUrl(repoUrl));
  if (!url) return undefined;
  return {
    type: 'git',
    url,
    ...(repoUrl ? { repoUrl } : {}),
    ...(name ? { path: name } : {}),
    ...(commit ? { version: commit } : {}),
    ...(branch ? { branch } : {}),
  };
}

/** `https://user:token@host/…` without its user information (a token in a clone URL is a secret). */
const withoutCredentials = (url: string) => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');

/** A repository's https page (`git@host:org/repo.git`, `ssh://git@host/org/repo`, `https://host/org/repo.git`), at the commit on GitHub and GitLab. */
function webUrl(repo: string, commit: string | undefined): string | undefined {
  const scp = /^[^@/:]+@([^:/]+):(.+)$/.exec(repo);
  const full = /^(?:https?|ssh|git):\/\/(?:[^@/]*@)?([^/:]+)(?::\d+)?\/(.+)$/i.exec(repo);
  const m = scp ?? full;
  if (!m) return undefined;
  const host = m[1]!.toLowerCase();
  const path = m[2]!.replace(/\.git\/?$/, '').replace(/\/+$/, '');
  const base = `https://${host}/${path}`;
  const forge = host === 'github.com' || host.startsWith('gitlab.');
  return commit && forge ? `${base}/tree/${encodeURIComponent(commit)}` : base;
}

/** A path (absolute or as recorded) or a URI as a URI: a URI as is, a path as `file:`. */
function fileUrl(name: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) return name;
  if (name.startsWith('/')) return `file://${encodeURI(name)}`;
  return `file:${encodeURI(name.replace(/\\/g, '/'))}`;
}
