import { isObject } from '../../core/json';
import { ids } from '../../ids';
import type { Named } from '../understand';
import type { Row, Stamp } from './event-plan';
import { asNamed } from './named';

/** The output version whose columns the facet describes, and the run that wrote it. */
export interface ColumnLineageOutput {
  datasetId: string;
  versionId: string;
  runId: string;
}

/**
 * The columnLineage facet of an output as edges: field-level ones (`fields.<column>.inputFields`) and
 * dataset-level ones (`dataset`: inputs that affect every column, output field null). Each input is a
 * dataset too, which the caller adds; inputs without a namespace and name are skipped.
 */
export function columnLineageRows(
  output: ColumnLineageOutput,
  columnLineage: unknown,
  stamp: Stamp,
): { input: Named; row: Row<'columnLineage'> }[] {
  const out: { input: Named; row: Row<'columnLineage'> }[] = [];
  if (!isObject(columnLineage)) return out;
  const edge = (outputField: string | null, input: unknown, fieldLevel: unknown) => {
    const named = asNamed(input);
    if (!named || !isObject(input)) return;
    const inputField = typeof input.field === 'string' ? input.field : null;
    const inputId = ids.dataset(named.namespace, named.name);
    const transformations = input.transformations ?? deprecatedTransformation(fieldLevel);
    out.push({
      input: named,
      row: {
        id: ids.columnEdge(output.datasetId, outputField, inputId, inputField),
        outputDatasetId: output.datasetId,
        outputField,
        inputDatasetId: inputId,
        inputField,
        transformations: transformations === null ? null : JSON.stringify(transformations),
        runId: output.runId,
        outputVersionId: output.versionId,
        ...stamp.span,
        ...stamp.latest,
      },
    });
  };
  if (isObject(columnLineage.fields)) {
    for (const [outputField, spec] of Object.entries(columnLineage.fields)) {
      if (isObject(spec) && Array.isArray(spec.inputFields)) for (const input of spec.inputFields) edge(outputField, input, spec);
    }
  }
  if (Array.isArray(columnLineage.dataset)) for (const input of columnLineage.dataset) edge(null, input, null);
  return out;
}

/**
 * Before facet 1-1-0 a transformation was described once per output field (`transformationType`,
 * `transformationDescription`), not per input: read as that field's one transformation.
 */
function deprecatedTransformation(fieldLevel: unknown): { type: unknown; description: unknown }[] | null {
  return isObject(fieldLevel) && (fieldLevel.transformationType || fieldLevel.transformationDescription)
    ? [{ type: fieldLevel.transformationType ?? null, description: fieldLevel.transformationDescription ?? null }]
    : null;
}
