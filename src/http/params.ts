import type { Context } from 'hono';
import { parseEventTime } from '../core/time';
import { decodeCursor, MAX_LIMIT, type Page } from '../read/page';
import { badRequest } from './problem';

/**
 * Query parameters, parsed at the edge. A bad value is a 400 problem whose pointer names the parameter
 * (`/query/limit`), never a silent default: a script that sends `limit=abc` learns it at once.
 */
export class Params {
  constructor(private readonly c: Context) {}

  raw(name: string): string | undefined {
    const v = this.c.req.query(name);
    // Postgres text cannot hold NUL: refused here by name rather than by the database.
    if (v?.includes('\u0000')) throw invalid(name, 'must not contain NUL characters');
    return v === undefined || v === '' ? undefined : v;
  }

  string(name: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
    const v = this.raw(name);
    if (v === undefined && opts.required) throw invalid(name, 'is required');
    if (v !== undefined && v.length > (opts.max ?? 4096)) throw invalid(name, `is longer than ${opts.max ?? 4096} characters`);
    return v;
  }

  integer(name: string, fallback: number, range: { min: number; max?: number }): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v)) throw invalid(name, `must be an integer, got "${v}"`);
    const n = Number(v);
    if (n < range.min) throw invalid(name, `must be at least ${range.min}`);
    return range.max !== undefined ? Math.min(n, range.max) : n;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw invalid(name, `must be true or false, got "${v}"`);
  }

  /** One of `values`, case-insensitive; answered in the case `values` spells it. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T;
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined;
  oneOf<T extends string>(name: string, values: readonly T[], fallback?: T): T | undefined {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const match = values.find((x) => x.toLowerCase() === v.toLowerCase());
    if (match === undefined) throw invalid(name, `must be one of ${values.join(', ')}; got "${v}"`);
    return match;
  }

  /** An ISO 8601 date-time (a date alone means its midnight, UTC), as a canonical UTC string. */
  time(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const parsed = parseEventTime(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
    if (!parsed) throw invalid(name, `must be an ISO 8601 date-time, got "${v}"`);
    return parsed.iso;
  }

  /** Every value of a repeated parameter, also accepting comma-separated lists (`a,b` or `a&x=b`). */
  list(name: string): string[] {
    return (this.c.req.queries(name) ?? [])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  }
}

export const invalid = (name: string, message: string) =>
  badRequest(`query parameter "${name}" ${message}`, [{ pointer: `/query/${name}`, message }]);

export const params = (c: Context) => new Params(c);

/** Marquez's default depth. Pedigree also takes `depth=all` (the whole connected lineage, null here). */
const DEFAULT_DEPTH = 20;
export const MAX_DEPTH = 1000;

export function depthOf(p: Params, fallback = DEFAULT_DEPTH): number | null {
  if (p.raw('depth')?.toLowerCase() === 'all') return null;
  return p.integer('depth', fallback, { min: 0, max: MAX_DEPTH });
}

/** Marquez paging (`limit`, `offset`) and Pedigree's keyset `cursor` (see read/page.ts). */
export function pageOf(p: Params, defaultLimit = 100): Page {
  const limit = p.integer('limit', defaultLimit, { min: 0, max: MAX_LIMIT });
  const offset = p.integer('offset', 0, { min: 0 });
  const cursor = p.raw('cursor');
  return cursor === undefined ? { limit, offset } : { limit, offset, after: decodeCursor(cursor) };
}
