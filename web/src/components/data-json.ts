/**
 * Reading the members Pedigree's Marquez-shaped answers carry beyond those their declaration names (the
 * declared types say `unknown` for them): each reader narrows, never casts.
 */
export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
export const obj = (value: unknown): JsonObject => (isObject(value) ? value : {});
export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const objects = (value: unknown): JsonObject[] => arr(value).filter(isObject);
export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
export const strings = (value: unknown): string[] => arr(value).filter((v): v is string => typeof v === 'string');

/** `{namespace, name}` when both are strings. */
export function ref(value: unknown): { namespace: string; name: string } | undefined {
  const o = obj(value);
  const namespace = str(o.namespace);
  const name = str(o.name);
  return namespace !== undefined && name !== undefined ? { namespace, name } : undefined;
}

/** A run as the Marquez shapes nest it (`latestRun`, `createdByRun`, a job's runs). */
export interface RunSummary {
  id: string;
  state: string;
  createdAt?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
}

export function runSummary(value: unknown): RunSummary | undefined {
  const o = obj(value);
  const id = str(o.id);
  if (!id) return undefined;
  return {
    id,
    state: str(o.state) ?? 'NEW',
    createdAt: str(o.createdAt),
    startedAt: str(o.startedAt),
    endedAt: str(o.endedAt),
    durationMs: num(o.durationMs),
  };
}
