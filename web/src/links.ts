/**
 * Every page's URL, built in one place: each page has a URL that can be shared, and every link to it is
 * built here. Names are percent-encoded as one segment each (a namespace such as `postgres://db:5432`
 * holds slashes).
 */
const seg = encodeURIComponent;

function withQuery(path: string, query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '' && value !== false) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export const href = {
  home: () => '/',
  /** `version`: a dataset version (its id, or the producer's version), shown by the dataset page. */
  dataset: (namespace: string, name: string, version?: string) => withQuery(`/datasets/${seg(namespace)}/${seg(name)}`, { version }),
  job: (namespace: string, name: string) => `/jobs/${seg(namespace)}/${seg(name)}`,
  run: (id: string) => `/runs/${seg(id)}`,
  models: () => '/models',
  model: (name: string) => `/models/${seg(name)}`,
  modelVersion: (name: string, version: string | number) => `/models/${seg(name)}/versions/${seg(String(version))}`,
  modelDiff: (name: string, from?: string | number, to?: string | number) =>
    withQuery(`/models/${seg(name)}/diff`, {
      from: from === undefined ? undefined : String(from),
      to: to === undefined ? undefined : String(to),
    }),
  deployments: () => '/deployments',
  deployment: (environment: string, endpoint: string) => `/deployments/${seg(environment)}/${seg(endpoint)}`,
  producers: () => '/producers',
  producer: (producer: string) => withQuery('/producers/report', { producer }),
  /** The lineage explorer around a node id of the graph API (`dataset:ns:name`, `job:ns:name`, `model:name:version`, …). */
  lineage: (node: string, options: { depth?: number; direction?: string; columns?: boolean; asOf?: string } = {}) =>
    withQuery('/lineage', { node, ...options }),
};

/** Graph node ids as the lineage API names them. */
export const nodeId = {
  dataset: (namespace: string, name: string) => `dataset:${namespace}:${name}`,
  job: (namespace: string, name: string) => `job:${namespace}:${name}`,
  model: (name: string, version: string | number) => `model:${name}:${version}`,
  deployment: (environment: string, endpoint: string) => `deployment:${environment}:${endpoint}`,
};
