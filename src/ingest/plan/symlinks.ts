import { isObject } from '../../core/json';
import { ids } from '../../ids';
import type { Named } from '../understand';
import type { Row, Stamp } from './event-plan';
import { asNamed } from './named';

/**
 * The symlinks facet: the other names of the dataset (a path and the table over it). Each target is a
 * dataset too, which the caller adds; identifiers without a namespace and name are skipped.
 */
export function symlinkRows(datasetId: string, symlinks: unknown, stamp: Stamp): { target: Named; row: Row<'datasetSymlinks'> }[] {
  if (!isObject(symlinks) || !Array.isArray(symlinks.identifiers)) return [];
  const out: { target: Named; row: Row<'datasetSymlinks'> }[] = [];
  for (const identifier of symlinks.identifiers) {
    const target = asNamed(identifier);
    if (!target) continue;
    const targetId = ids.dataset(target.namespace, target.name);
    out.push({
      target,
      row: {
        id: ids.symlink(datasetId, targetId),
        datasetId,
        targetId,
        targetNamespace: target.namespace,
        targetName: target.name,
        type: isObject(identifier) && typeof identifier.type === 'string' ? identifier.type : null,
        ...stamp.span,
      },
    });
  }
  return out;
}
