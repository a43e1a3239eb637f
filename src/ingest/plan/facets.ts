import type { Deviation } from '../../core/errors';
import { isObject, pointer } from '../../core/json';
import type { Row, Stamp } from './event-plan';

/** Facet keys are part of a btree key; longer ones are kept in the raw event only. */
export const MAX_FACET_KEY = 255;

export type FacetOwnerKind = Row<'facets'>['ownerKind'];

/** What a facets object describes, and where it is in the event (for warnings). */
export interface FacetOwner {
  id: string;
  kind: FacetOwnerKind;
  /** The run that said it, for facets read per run; null for a dataset's own facets. */
  runId: string | null;
  /** JSON pointer of the facets object. */
  at: string;
}

export type SerializeFacet = (facet: unknown) => string;

/**
 * A dataset's (or job's) facets are stored under several owners (the dataset, the run's input, the
 * version it wrote): one serializer per event writes each facet object once.
 */
export function memoizedSerializer(): SerializeFacet {
  const serialized = new Map<unknown, string>();
  return (facet) => {
    let text = serialized.get(facet);
    if (text === undefined) {
      text = JSON.stringify(facet ?? null);
      serialized.set(facet, text);
    }
    return text;
  };
}

const facetKeyTooLong = (at: string, name: string): Deviation => ({
  pointer: `${at}${pointer(name)}`,
  message: `facet key longer than ${MAX_FACET_KEY} characters; kept in the raw event only`,
});

/** What facetRows leaves out of the facets object at `at`, found without building rows. */
export function facetKeyDeviations(at: string, facets: unknown): Deviation[] {
  if (!isObject(facets)) return [];
  return Object.keys(facets)
    .filter((name) => name.length > MAX_FACET_KEY)
    .map((name) => facetKeyTooLong(at, name));
}

/** One row per facet, whatever its content (unknown facets are kept as opaque JSON). */
export function facetRows(
  owner: FacetOwner,
  facets: unknown,
  stamp: Stamp,
  serialize: SerializeFacet = memoizedSerializer(),
): { rows: Row<'facets'>[]; warnings: Deviation[] } {
  const rows: Row<'facets'>[] = [];
  const warnings: Deviation[] = [];
  if (!isObject(facets)) return { rows, warnings };
  for (const [name, facet] of Object.entries(facets)) {
    if (name.length > MAX_FACET_KEY) {
      warnings.push(facetKeyTooLong(owner.at, name));
      continue;
    }
    rows.push({
      ownerId: owner.id,
      name,
      ownerKind: owner.kind,
      value: serialize(facet),
      runId: owner.runId,
      eventTime: stamp.time,
      eventId: stamp.eventId,
    });
  }
  return { rows, warnings };
}
