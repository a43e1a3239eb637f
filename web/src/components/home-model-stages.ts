import { useQueries } from '@tanstack/react-query';
import { api } from '../api/client';
import { mlflowLiteral } from '../api/mlflow-filter';

/**
 * The current stage of every version of the named models, one registry search per model (MLflow's filter
 * takes `IN` on run ids only): `stageOf(model, version)` is undefined while loading or for a version the
 * registry no longer has.
 */
export function useModelStages(models: string[]) {
  const names = [...new Set(models)].sort();
  const queries = useQueries({
    queries: names.flatMap((name) => {
      const literal = mlflowLiteral(name);
      return literal
        ? [
            api.queryOptions('get', '/api/2.0/mlflow/model-versions/search', {
              params: { query: { filter: `name = ${literal}`, max_results: 10_000 } },
            }),
          ]
        : [];
    }),
  });
  const stages = new Map<string, string>();
  for (const q of queries) for (const v of q.data?.model_versions ?? []) stages.set(`${v.name}\u0000${v.version}`, v.current_stage);
  return {
    query: {
      isPending: queries.some((q) => q.isPending),
      isError: queries.some((q) => q.isError),
      error: queries.find((q) => q.isError)?.error,
    },
    stageOf: (model: string, version: number | string) => stages.get(`${model}\u0000${version}`),
  };
}
