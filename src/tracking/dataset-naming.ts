/**
 * An MLflow dataset's source as an OpenLineage dataset, named per the spec's naming conventions
 * (https://openlineage.io/docs/spec/naming), so that the dataset an MLflow run logged is the very node a Spark
 * job or an Airflow task wrote or read under that name: the graph and question 2 then follow data into MLflow
 * runs with no other integration.
 *
 * MLflow logs `source_type` and `source` (JSON text), per source class: artifact sources `{"uri": …}` (type =
 * the URI scheme, or `local`), `http` `{"url"}`, `delta_table` `{"path" | "delta_table_name",
 * "delta_table_version"…}`, `spark` `{"path" | "table_name" | "sql"}`, `hugging_face` `{"path": "org/ds",
 * "data_files"…}`, `uc_volume` `{"path": "/Volumes/…"}`, `code` (an in-memory frame, no location).
 */
export interface OlDatasetName {
  namespace: string;
  name: string;
  /** Other names of the same data (a table's storage path and its catalog name): the symlinks facet. */
  symlinks?: { namespace: string; name: string; type: 'TABLE' | 'LOCATION' }[];
}

export interface MlflowDatasetSource {
  /** The dataset's name in MLflow. */
  name: string;
  sourceType: string;
  /** The JSON text MLflow logged. */
  source: string;
  experimentId: string;
}

/** Unity Catalog names, as OpenLineage's Spark integration writes them (OpenLineage PR #4660): `unity-catalog`. */
export const UNITY_CATALOG = 'unity-catalog';

/** Catalogs of a three-part Spark name that are not Unity Catalog (Databricks' workspace metastore, Spark's own). */
const LOCAL_CATALOGS = new Set(['hive_metastore', 'spark_catalog']);

/** Hugging Face's packaged builders: `path` names a file format and `data_files` the data. */
const HF_BUILDERS = new Set(['csv', 'json', 'parquet', 'text', 'arrow', 'pandas', 'imagefolder', 'audiofolder', 'webdataset', 'xml']);

/**
 * The OpenLineage name of an MLflow dataset's source. A source without a location (a frame built in code, a
 * SQL query, an unknown type) is named in the namespace `mlflow://<source_type>` by its experiment and MLflow
 * name, the identity MLflow gives it (datasets are per experiment): MLflow's default name `dataset` would
 * otherwise make every experiment's in-memory frames one dataset.
 */
export function olDatasetName(d: MlflowDatasetSource): OlDatasetName {
  return fromSource(d.sourceType.toLowerCase(), parseSource(d.source)) ?? fallback(d);
}

function fromSource(type: string, s: Record<string, unknown> | undefined): OlDatasetName | undefined {
  if (!s) return undefined;
  const text = (key: string) => (typeof s[key] === 'string' && (s[key] as string).trim() ? (s[key] as string).trim() : undefined);
  switch (type) {
    case 'http':
    case 'https':
      return uriName(text('url') ?? text('uri'));
    case 'uc_volume': {
      // Databricks serves volumes under DBFS (dbfs:/Volumes/<catalog>/<schema>/<volume>/…).
      const path = text('path');
      return path ? uriName(path.startsWith('/') ? `dbfs:${path}` : path) : undefined;
    }
    case 'delta_table':
      return located(uriName(text('path')), tableName(text('delta_table_name'), s.is_databricks_uc_table === true));
    case 'spark':
      return located(uriName(text('path')), tableName(text('table_name'), false));
    case 'hugging_face':
      return huggingFace(text('path'), s.data_files);
    case 'bigquery':
      return uriName(text('uri')) ?? bigQueryTable(text('table') ?? text('table_name'));
    default:
      return uriName(text('uri') ?? text('url') ?? text('path'));
  }
}

/** A storage location named first (as Spark names a table's data), its catalog name as a symlink. */
function located(path: OlDatasetName | undefined, table: OlDatasetName | undefined): OlDatasetName | undefined {
  if (path && table) return { ...path, symlinks: [{ namespace: table.namespace, name: table.name, type: 'TABLE' }] };
  return path ?? table;
}

/**
 * A catalog table: Unity Catalog's three-part names in `unity-catalog` (the host is not in MLflow's source,
 * so not the spec's `unitycatalog://{host}`); other tables (`db.table` of a session catalog or a Hive
 * metastore whose address MLflow does not know) under `mlflow://spark`.
 */
function tableName(table: string | undefined, unityCatalog: boolean): OlDatasetName | undefined {
  if (!table) return undefined;
  const name = table.replace(/`/g, '');
  const parts = name.split('.');
  if (unityCatalog || (parts.length === 3 && !LOCAL_CATALOGS.has(parts[0]!.toLowerCase()))) return { namespace: UNITY_CATALOG, name };
  return { namespace: 'mlflow://spark', name };
}

function huggingFace(path: string | undefined, dataFiles: unknown): OlDatasetName | undefined {
  if (!path) return undefined;
  // load_dataset("csv", data_files="s3://…"): the data is the file.
  if (HF_BUILDERS.has(path.toLowerCase())) return typeof dataFiles === 'string' ? uriName(dataFiles) : undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/')) return uriName(path);
  // A dataset of the Hub (`org/name`): its page, as an http(s) dataset.
  return { namespace: 'https://huggingface.co', name: `/datasets/${path.replace(/^\/+|\/+$/g, '')}` };
}

function bigQueryTable(table: string | undefined): OlDatasetName | undefined {
  return table ? { namespace: 'bigquery', name: table.replace(/[`:]/g, '.').replace(/\//g, '.') } : undefined;
}

function fallback(d: MlflowDatasetSource): OlDatasetName {
  const type = d.sourceType.toLowerCase().replace(/[^a-z0-9_.+-]/g, '_') || 'unknown';
  return { namespace: `mlflow://${type}`, name: `experiments/${d.experimentId}/${d.name}` };
}

/** Object stores: the spec names objects by key, without a leading slash. */
const OBJECT_STORES: Record<string, string> = {
  s3: 's3',
  s3a: 's3',
  s3n: 's3',
  gs: 'gs',
  gcs: 'gs',
  abfss: 'abfss',
  abfs: 'abfss',
  wasbs: 'wasbs',
  wasb: 'wasbs',
};

/**
 * A location URI as an OpenLineage dataset, per the naming conventions: object stores (`s3://bucket/key` ->
 * `s3://bucket`, `key`; `s3a`/`s3n` are S3, `gcs` is GCS, `abfs`/`wasb` their TLS forms), file systems keep the
 * path (`hdfs://host:port/path` -> `hdfs://host:port`, `/path`; `file:///p` and `/p` -> `file`, `/p`; a remote
 * `file://host/p` -> `file://host`), `scheme:/path` (`dbfs:/p`, `mlflow-artifacts:/p`) -> `scheme`, `/p`; BigQuery
 * (`bq://project.dataset.table`) -> `bigquery`. Any other URL: `scheme://authority` and its path and query. A
 * relative path names nothing global: undefined.
 */
export function uriName(uri: string | undefined): OlDatasetName | undefined {
  if (!uri) return undefined;
  const text = uri.trim();
  if (text.startsWith('/')) return { namespace: 'file', name: cleanPath(text) };
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(text);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (scheme === 'bq' || scheme === 'bigquery') return bigQueryTable(rest.replace(/^\/+/, ''));
  const full = /^\/\/([^/?#]*)([^?#]*)(\?[^#]*)?/.exec(rest);
  if (!full) {
    // scheme:/path (no authority)
    return rest.startsWith('/') ? { namespace: scheme === 'file' ? 'file' : scheme, name: cleanPath(rest) } : undefined;
  }
  const authority = full[1]!;
  const path = full[2]!;
  if (scheme === 'file') {
    const host = authority.toLowerCase();
    return { namespace: host === '' || host === 'localhost' ? 'file' : `file://${authority}`, name: cleanPath(path || '/') };
  }
  if (!authority) return undefined;
  const store = OBJECT_STORES[scheme];
  if (store) {
    const key = path.replace(/^\/+|\/+$/g, '');
    return { namespace: `${store}://${authority}`, name: key || '/' };
  }
  const query = scheme.startsWith('http') ? (full[3] ?? '') : '';
  return { namespace: `${scheme}://${authority}`, name: `${cleanPath(path || '/')}${query}` };
}

/** A path without repeated or trailing slashes (a directory and its `dir/` are one dataset). */
const cleanPath = (path: string) => path.replace(/\/{2,}/g, '/').replace(/(.)\/+$/, '$1');

/** A source (or profile) as MLflow logged it, when it is a JSON object. */
export function parseSource(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
