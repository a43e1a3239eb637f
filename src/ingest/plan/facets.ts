import type { Deviation } from '../../core/errors';
import { isObject, pointer } from '../../core/json';
import { ids } from '../../ids';
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

/** The contents of an event's facets, each once (facet_values), as its facet rows reference them. */
export interface FacetValues {
  /** The id of this facet's content under `name`; its value row is added the first time. */
  idOf(name: string, facet: unknown): string;
  readonly rows: Row<'facetValues'>[];
}

/**
 * A dataset's (or job's) facets are stored under several owners (the dataset, the run's input, the
 * version it wrote): each facet object of an event is serialized and hashed once, whatever the number of
 * its owners.
 */
export function facetValues(): FacetValues {
  const known = new Map<unknown, Map<string, string>>();
  const added = new Set<string>();
  const rows: Row<'facetValues'>[] = [];
  return {
    rows,
    idOf(name, facet) {
      let byName = known.get(facet);
      if (!byName) {
        byName = new Map();
        known.set(facet, byName);
      }
      let id = byName.get(name);
      if (id === undefined) {
        const value = JSON.stringify(facet ?? null);
        id = ids.facetValue(name, value);
        byName.set(name, id);
        // Another object of the same content (a facet repeated at two places of the event) is one value.
        if (!added.has(id)) {
          added.add(id);
          rows.push({ id, name, value });
        }
      }
      return id;
    },
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

/**
 * One row per facet, whatever its content (unknown facets are kept as opaque JSON), referencing its
 * content in `values`.
 */
export function facetRows(
  owner: FacetOwner,
  facets: unknown,
  stamp: Stamp,
  values: FacetValues = facetValues(),
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
      valueId: values.idOf(name, facet),
      runId: owner.runId,
      eventTime: stamp.time,
      eventId: stamp.eventId,
    });
  }
  return { rows, warnings };
}
