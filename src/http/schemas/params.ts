import { z } from '@hono/zod-openapi';
import { parseEventTime } from '../../core/time';
import { UUID } from '../../core/uuid';

/**
 * Query and path parameters as schemas. Each reads what a browser or a script sends (an empty value is
 * absent, a repeated parameter is its first value, names of states in any case) and says what is wrong in
 * words a person can act on; the OpenAPI document shows each as the type it stands for.
 */

/** The value a single-valued parameter has: the first when repeated, none when empty. */
const single = (v: unknown) => {
  const first = Array.isArray(v) ? v[0] : v;
  return first === '' ? undefined : first;
};

const noNul = (s: string) => !s.includes('\u0000');

/** Free text; Postgres text cannot hold NUL, so it is refused here by name rather than by the database. */
export const text = (description: string, max = 4096) =>
  z
    .preprocess(single, z.string().max(max, `is longer than ${max} characters`).refine(noNul, 'must not contain NUL characters').optional())
    .openapi({ type: 'string', maxLength: max, description });

export const requiredText = (description: string, max = 4096) =>
  z
    .preprocess(
      single,
      z.string({ error: 'is required' }).max(max, `is longer than ${max} characters`).refine(noNul, 'must not contain NUL characters'),
    )
    .openapi({ type: 'string', maxLength: max, description });

/** Digits as the number they write; anything else is left for the schema to refuse. */
const digits = (v: unknown) => {
  const s = single(v);
  return typeof s === 'string' && /^-?\d+$/.test(s) ? Number(s) : s;
};

const wholeNumber = (min: number) =>
  z
    .number({ error: (i) => `must be an integer, got "${String(i.input)}"` })
    .int()
    .min(min, `must be at least ${min}`);

/** An integer of at least `min`; above `max` it is read as `max` (as Marquez clamps page sizes). */
export const integer = (description: string, fallback: number, min: number, max?: number) =>
  z
    .preprocess(
      digits,
      wholeNumber(min)
        .transform((n) => (max !== undefined ? Math.min(n, max) : n))
        .default(fallback),
    )
    .openapi({ type: 'integer', minimum: min, ...(max !== undefined ? { maximum: max } : {}), default: fallback, description });

export const optionalInteger = (description: string, min: number) =>
  z.preprocess(digits, wholeNumber(min).optional()).openapi({ type: 'integer', minimum: min, description });

export const boolean = (description: string, fallback: boolean) =>
  z
    .preprocess(
      (v) => {
        const s = single(v);
        if (typeof s !== 'string') return s;
        const l = s.toLowerCase();
        return l === 'true' || l === '1' ? true : l === 'false' || l === '0' ? false : s;
      },
      z.boolean({ error: (i) => `must be true or false, got "${String(i.input)}"` }).default(fallback),
    )
    .openapi({ type: 'boolean', default: fallback, description });

/** One of `values`, in any case; answered in the case `values` spells it. */
export function oneOf<const T extends readonly [string, ...string[]]>(description: string, values: T) {
  return z
    .preprocess((v) => {
      const s = single(v);
      return typeof s === 'string' ? (values.find((x) => x.toLowerCase() === s.toLowerCase()) ?? s) : s;
    }, z.enum(values, { error: (i) => `must be one of ${values.join(', ')}; got "${String(i.input)}"` }).optional())
    .openapi({ type: 'string', enum: [...values], description });
}

export function requiredOneOf<const T extends readonly [string, ...string[]]>(description: string, values: T) {
  return z
    .preprocess(
      (v) => {
        const s = single(v);
        return typeof s === 'string' ? (values.find((x) => x.toLowerCase() === s.toLowerCase()) ?? s) : s;
      },
      z.enum(values, {
        error: (i) =>
          i.input === undefined ? `is required (${values.join(' or ')})` : `must be one of ${values.join(', ')}; got "${String(i.input)}"`,
      }),
    )
    .openapi({ type: 'string', enum: [...values], description });
}

/** Every value of a repeated parameter, also as comma-separated lists (`a,b` or `a&x=b`), each among `values`. */
export function listOf<const T extends readonly [string, ...string[]]>(description: string, values: T) {
  return z
    .preprocess(
      (v) =>
        (v === undefined ? [] : Array.isArray(v) ? v : [v])
          .flatMap((x) => String(x).split(','))
          .map((x) => x.trim())
          .filter(Boolean)
          .map((x) => values.find((y) => y.toLowerCase() === x.toLowerCase()) ?? x),
      z.array(z.enum(values, { error: (i) => `must be among ${values.join(', ')}; got "${String(i.input)}"` })),
    )
    .openapi({ type: 'array', items: { type: 'string', enum: [...values] }, description });
}

/** An ISO 8601 date-time (a date alone means its midnight, UTC), as a canonical UTC string. */
export const time = (description: string, dateOnly = false) =>
  z
    .preprocess(single, z.string().optional())
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      if (dateOnly && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be a date, YYYY-MM-DD' });
        return z.NEVER;
      }
      const parsed = parseEventTime(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
      if (!parsed) {
        ctx.addIssue({ code: 'custom', message: `must be an ISO 8601 date-time, got "${v}"` });
        return z.NEVER;
      }
      return parsed.iso;
    })
    .openapi({ type: 'string', format: dateOnly ? 'date' : 'date-time', description });

export const uuid = (description: string) =>
  z
    .preprocess(single, z.string().regex(UUID, 'must be a UUID').optional())
    .transform((v) => v?.toLowerCase())
    .openapi({ type: 'string', format: 'uuid', description });

/** Marquez's default depth; Pedigree also takes `depth=all` (the whole connected lineage: null). */
const DEFAULT_DEPTH = 20;
export const MAX_DEPTH = 1000;

export const depth = (fallback: number | null = DEFAULT_DEPTH) =>
  z
    .preprocess(
      (v) => {
        const s = single(v);
        return typeof s === 'string' && s.toLowerCase() === 'all' ? null : digits(s);
      },
      z
        .number({ error: (i) => `must be an integer or all, got "${String(i.input)}"` })
        .int()
        .min(0, 'must be at least 0')
        .transform((n) => Math.min(n, MAX_DEPTH))
        .nullable()
        .default(fallback),
    )
    .openapi({
      // The type said whole: zod's (integer or null) would intersect the alternatives into `null` in the
      // web UI's generated types (openapi-typescript), leaving no depth it could send.
      type: ['integer', 'string'],
      anyOf: [
        { type: 'integer', minimum: 0, maximum: MAX_DEPTH },
        { type: 'string', enum: ['all'] },
      ],
      default: fallback ?? 'all',
      description: 'job hops; `all` (Pedigree extension) walks everything',
    });

/** A path segment (URL-decoded by the router). */
export const segment = (description: string) => z.string().refine(noNul, 'must not contain NUL characters').openapi({ description });

export const MAX_LIMIT = 10_000;

/** Marquez paging, plus Pedigree's keyset cursor (see read/page.ts). */
export const paging = (defaultLimit = 100) => ({
  limit: integer('page size', defaultLimit, 0, MAX_LIMIT),
  offset: integer('rows skipped', 0, 0),
  cursor: text("Pedigree extension: keyset paging. Pass the previous page's `nextCursor`; stays fast however deep the page."),
});
