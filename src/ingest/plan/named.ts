import { isObject } from '../../core/json';
import type { Named } from '../understand';

/**
 * A dataset or job reference as a producer sent it (an input, a symlink, a parent job, a column-lineage
 * input): null unless both namespace and name are non-empty strings, the least that identifies it.
 */
export function asNamed(v: unknown): Named | null {
  return isObject(v) && typeof v.namespace === 'string' && typeof v.name === 'string' && v.namespace !== '' && v.name !== ''
    ? { namespace: v.namespace, name: v.name }
    : null;
}
