/**
 * OpenLineage event times are ISO 8601 date-times. Producers send them with a `Z`, with an offset, with
 * nanoseconds, or (older clients, some Spark builds) with no zone at all, which we read as UTC and flag.
 * Times are canonicalized to `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds, Postgres' precision): the
 * canonical strings sort like the instants they name, so the ingest path can compare them as strings.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2})?)?$/;

export interface ParsedTime {
  /** Canonical UTC string with microseconds. */
  iso: string;
  /** True when the input carried no zone designator and UTC was assumed. */
  assumedUtc: boolean;
}

export function parseEventTime(input: unknown): ParsedTime | undefined {
  if (typeof input !== 'string' || input.length > 64) return undefined;
  const m = ISO.exec(input.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', z, sign, oh, om = '00'] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;
  if (hour === 24 && (minute !== 0 || second !== 0 || /[1-9]/.test(frac))) return undefined;
  const offsetMinutes = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  if (sign && (Number(oh) > 23 || Number(om) > 59)) return undefined;
  // Date.UTC maps years 0-99 to 19xx, hence setUTCFullYear; it also rolls Feb 30 into March, which we refuse.
  const local = new Date(Date.UTC(2000, 0, 1));
  local.setUTCFullYear(year, month - 1, day);
  if (local.getUTCDate() !== day) return undefined;
  local.setUTCHours(hour, minute, Math.min(second, 59));
  const date = new Date(local.getTime() - offsetMinutes * 60_000);
  const micros = `${frac}000000`.slice(0, 6);
  const iso = `${date.toISOString().slice(0, 19)}.${micros}Z`;
  // PostgreSQL's timestamps have no year 0 (1 BC): year 0000, as written or once an offset moved the time
  // there, cannot be stored; nor can a time that left the four-digit years.
  if (iso.startsWith('-') || iso.startsWith('+') || iso.startsWith('0000')) return undefined;
  return { iso, assumedUtc: !z && !sign };
}
