import { isObject } from '../../core/json';
import { ids } from '../../ids';
import type { Row, Stamp } from './event-plan';

/** Deeper nesting is not followed: the fields stop there, the facet itself keeps them all. */
const MAX_FIELD_DEPTH = 64;

export interface FieldPath {
  path: string;
  parent: string | null;
}

/** Schema fields, nested ones included, as dotted paths (`address.city`); fields without a name are skipped. */
export function flattenFields(fields: unknown[], parent: string | null = null, depth = 0): FieldPath[] {
  const out: FieldPath[] = [];
  if (depth > MAX_FIELD_DEPTH) return out;
  for (const f of fields) {
    if (!isObject(f) || typeof f.name !== 'string') continue;
    const path = parent === null ? f.name : `${parent}.${f.name}`;
    out.push({ path, parent });
    if (Array.isArray(f.fields)) out.push(...flattenFields(f.fields, path, depth + 1));
  }
  return out;
}

/** The schema facet as the dataset's fields, one row per (nested) field. */
export function fieldRows(datasetId: string, schema: unknown, stamp: Stamp): Row<'datasetFields'>[] {
  if (!isObject(schema) || !Array.isArray(schema.fields)) return [];
  return flattenFields(schema.fields).map((f) => ({
    id: ids.datasetField(datasetId, f.path),
    datasetId,
    name: f.path,
    parentName: f.parent,
    ...stamp.span,
  }));
}
