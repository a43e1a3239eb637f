/** One dataset version as the history needs it: its label and its top-level fields. */
export interface VersionFields {
  /** The producer's version (`2.1`), else the version id. */
  label: string;
  fields: { name: string; type: string | null }[] | null;
}

export type FieldEvent =
  | { kind: 'added'; version: string; type: string | null }
  | { kind: 'type'; version: string; from: string | null; to: string | null }
  | { kind: 'dropped'; version: string };

export interface FieldHistory {
  name: string;
  /** Its type in the newest version that has it. */
  type: string | null;
  /** Present in the newest version. */
  current: boolean;
  events: FieldEvent[];
}

/**
 * Each field's history across versions given newest first (as the API lists them): the version that added
 * it, each type change, the version that dropped it (and re-added it). A version without a schema says
 * nothing about fields and is skipped. Fields come in the order of the newest schema, dropped ones after.
 */
export function fieldHistory(newestFirst: VersionFields[]): FieldHistory[] {
  const byName = new Map<string, FieldHistory>();
  let previous: Map<string, string | null> | undefined;
  for (const version of [...newestFirst].reverse()) {
    if (!version.fields) continue;
    const now = new Map(version.fields.map((f) => [f.name, f.type] as const));
    for (const [name, type] of now) {
      let h = byName.get(name);
      if (!h) {
        h = { name, type, current: false, events: [] };
        byName.set(name, h);
      }
      if (!previous?.has(name)) h.events.push({ kind: 'added', version: version.label, type });
      else if ((previous.get(name) ?? null) !== type)
        h.events.push({ kind: 'type', version: version.label, from: previous.get(name) ?? null, to: type });
      h.type = type;
    }
    for (const name of previous?.keys() ?? [])
      if (!now.has(name)) byName.get(name)?.events.push({ kind: 'dropped', version: version.label });
    previous = now;
  }
  for (const [name, h] of byName) h.current = previous?.has(name) ?? false;
  const newest = newestFirst.find((v) => v.fields)?.fields?.map((f) => f.name) ?? [];
  const order = new Map(newest.map((name, i) => [name, i]));
  return [...byName.values()].sort(
    (a, b) => (order.get(a.name) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.name) ?? Number.MAX_SAFE_INTEGER),
  );
}
