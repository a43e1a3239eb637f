import type { Deviation } from '../../core/errors';
import { isObject, type Json } from '../../core/json';
import { MAX_PRODUCER, producerLeftOut } from '../producer';
import type { UnderstoodEvent } from '../understand';
import { facetKeyDeviations } from './facets';
import { ioDatasets } from './io';
import { INVALID_PARENT, parentOf } from './parent';

/**
 * What planning this event will leave out (the warnings planEvent adds), found without planning it: the
 * event is accepted, and answered with its warnings, before the normalizer plans it. It walks what the
 * planners walk, with their own rules (facetKeyDeviations, ioDatasets, parentOf); test/plan-deviations.test.ts
 * checks that both find the same.
 */
export function planDeviations(u: UnderstoodEvent): Deviation[] {
  const found: Deviation[] = [];
  const event = u.event;
  if (typeof event.producer === 'string' && event.producer.length > MAX_PRODUCER) found.push(producerLeftOut);
  if (u.kind === 'dataset') {
    found.push(...facetKeyDeviations('/dataset/facets', (event.dataset as Json).facets));
    return found;
  }
  found.push(...facetKeyDeviations('/job/facets', (event.job as Json).facets));
  const { io, warnings } = ioDatasets(event);
  found.push(...warnings);
  if (u.kind === 'run') {
    const runFacets = (event.run as Json).facets;
    found.push(...facetKeyDeviations('/run/facets', runFacets));
    const parent = isObject(runFacets) ? runFacets.parent : undefined;
    if (isObject(parent) && !parentOf(parent, u.runId!)) found.push({ pointer: '/run/facets/parent', message: INVALID_PARENT });
  }
  for (const { direction, item, at } of io) {
    found.push(...facetKeyDeviations(`${at}/facets`, item.facets));
    // Only a run's edges keep their own facets: an input's inputFacets, an output's outputFacets.
    if (u.kind === 'run') {
      const key = direction === 'in' ? 'inputFacets' : 'outputFacets';
      found.push(...facetKeyDeviations(`${at}/${key}`, item[key]));
    }
  }
  return found;
}
