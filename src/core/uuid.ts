/** A UUID in its text form, any version (OpenLineage run ids are UUIDs; v7 is recommended). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

/** 32 hexadecimal digits: an MLflow run id. */
export const HEX32 = /^[0-9a-f]{32}$/i;

/** 32 hexadecimal digits as a UUID (the same digits, lower case, dashed); undefined for anything else. */
export function uuidOfHex(hex: string): string | undefined {
  if (!HEX32.test(hex)) return undefined;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
