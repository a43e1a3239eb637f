/** JSON helpers used across layers. */

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One RFC 6901 reference token, escaped (`~` → `~0`, `/` → `~1`). Hot in validation: most keys need neither. */
export function escapeSegment(segment: string | number): string {
  const s = String(segment);
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

export const unescapeSegment = (s: string) => (s.includes('~') ? s.replace(/~1/g, '/').replace(/~0/g, '~') : s);

/** An RFC 6901 JSON pointer from its segments (`pointer('a', 0, 'b/c')` is `/a/0/b~1c`). */
export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${escapeSegment(s)}`).join('');
}

/**
 * The JSON pointer of the first string (value or object key) holding a NUL, if any: Postgres text and
 * jsonb cannot store it.
 */
export function nulPointer(value: unknown, at = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const here = `${at}/${escapeSegment(k)}`;
    if (k.includes('\u0000')) return here;
    const found = nulPointer(v, here);
    if (found !== undefined) return found;
  }
  return undefined;
}

export const hasNul = (s: string) => s.includes('\u0000');
