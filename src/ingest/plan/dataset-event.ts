import type { Json } from '../../core/json';
import type { Named } from '../understand';
import type { PlanBuilder } from './plan-builder';

/** A DatasetEvent: the dataset and what its facets say, with no run or job. */
export function planDatasetEvent(builder: PlanBuilder, event: Json, dataset: Named): void {
  const id = builder.addDataset(dataset);
  const facets = (event.dataset as Json).facets;
  builder.addDatasetFacets(id, facets);
  builder.addFacets({ id, kind: 'dataset', runId: null, at: '/dataset/facets' }, facets);
}
