import { api } from '../api/client';

/** MLflow's filter literal: quotes and backslashes escaped. */
const quoted = (s: string) => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

/**
 * The current stage of every version of the named models, one registry search (`name IN (…)`):
 * `stageOf(model, version)` is undefined while loading or for a version the registry no longer has.
 */
export function useModelStages(models: string[]) {
  const names = [...new Set(models)].sort();
  const query = api.useQuery(
    'get',
    '/api/2.0/mlflow/model-versions/search',
    { params: { query: { filter: `name IN (${names.map(quoted).join(', ')})`, max_results: 10_000 } } },
    { enabled: names.length > 0 },
  );
  const stages = new Map<string, string>();
  for (const v of query.data?.model_versions ?? []) stages.set(`${v.name}\u0000${v.version}`, v.current_stage);
  return { query, stageOf: (model: string, version: number | string) => stages.get(`${model}\u0000${version}`) };
}
