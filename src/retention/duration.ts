const UNITS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `90d`, `12w`, `36h` in milliseconds; undefined when it is not one of those. */
export function parseAge(text: string): number | undefined {
  const m = /^(\d{1,6})([hdw])$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 ? n * UNITS[m[2]!]! : undefined;
}

/** The instant `age` milliseconds before `now`, as ISO. */
export const cutoffOf = (age: number, now = Date.now()) => new Date(now - age).toISOString();
