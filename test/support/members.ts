/** A member of a JSON value: its container (object or array) and its key there. */
export type Member = [container: Record<string | number, unknown>, key: string | number];

/**
 * Every member of `value` at any depth, each before its own members: what the fuzzers pick from to drop
 * or replace one (test/fuzz-*.test.ts).
 */
export function members(value: unknown, out: Member[] = []): Member[] {
  if (value === null || typeof value !== 'object') return out;
  for (const [k, child] of Object.entries(value)) {
    out.push([value as Record<string | number, unknown>, Array.isArray(value) ? Number(k) : k]);
    members(child, out);
  }
  return out;
}
