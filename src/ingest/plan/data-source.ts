import { isObject } from '../../core/json';
import { ids } from '../../ids';
import type { Row, Stamp } from './event-plan';

/** The dataSource facet as a source, known by its name: null without one (a source cannot be keyed). */
export function sourceRow(dataSource: unknown, stamp: Stamp): Row<'sources'> | null {
  if (!isObject(dataSource) || typeof dataSource.name !== 'string' || dataSource.name === '') return null;
  return {
    id: ids.source(dataSource.name),
    name: dataSource.name,
    connectionUrl: typeof dataSource.uri === 'string' ? dataSource.uri : null,
    ...stamp.span,
    ...stamp.latest,
  };
}
