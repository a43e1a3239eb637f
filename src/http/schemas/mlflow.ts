import { z } from '@hono/zod-openapi';
import type { ModelVersion, RegisteredModel } from '../../models/registry';
import { STAGES } from '../../models/uri';
import { mlflowError } from './common';
import { stage } from './models';
import { requiredText } from './params';

/**
 * MLflow's model-registry shapes (REST API 2.0): the parameters its clients send and the answers they
 * parse. Versions travel as strings, times as epoch milliseconds, tags as `[{key, value}]`. GETs carry their
 * parameters in the query string; other methods in a JSON body (where the query string is merged in).
 */

const noNul = (s: string) => !s.includes('\u0000');

/** Some clients send numbers where MLflow's protocol has strings (a version, a tag value). */
const asText = (v: unknown) => (typeof v === 'number' ? String(v) : v);

/** A body of MLflow's: the members Pedigree reads; clients may send more. */
export const mlflowBody = <T extends z.ZodRawShape>(shape: T) => ({
  required: true,
  content: { 'application/json': { schema: z.looseObject(shape) } },
});

/** A required body member: a non-empty string, as MLflow answers `Missing value for required parameter`. */
export const required = (description: string) =>
  z
    .preprocess(
      asText,
      z
        .string({ error: (i) => (i.input === undefined || i.input === null ? 'is required' : 'must be a string') })
        .min(1, 'is required')
        .refine(noNul, 'must not contain NUL characters'),
    )
    .openapi({ type: 'string', description });

/** An optional body member; empty means absent (MLflow clients send `""` for "no description"). */
export const optional = (description: string) =>
  z
    .preprocess(
      (v) => (v === '' || v === null ? undefined : asText(v)),
      z.string({ error: 'must be a string' }).refine(noNul, 'must not contain NUL characters').optional(),
    )
    .openapi({ type: 'string', description });

/** A version number: a string of digits (or a number), as MLflow's clients send it. */
const versionNumber = z.string().regex(/^\d+$/, 'must be a version number (a positive integer)').transform(Number);
const VERSION = { type: 'string', pattern: '^[0-9]+$', description: 'version number' } as const;
export const version = required('version number').pipe(versionNumber).openapi(VERSION);
export const versionParam = requiredText('version number').pipe(versionNumber).openapi(VERSION);

/** A list parameter: repeated in a query string, or an array in a body; absent is empty. */
const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined || v === null ? [] : [v].flat()), z.array(item));

export const stages = list(stage).openapi({
  type: 'array',
  items: { type: 'string', enum: [...STAGES] },
  description: 'only these stages',
});

export const orderBy = list(z.string().refine(noNul, 'must not contain NUL characters')).openapi({
  type: 'array',
  items: { type: 'string' },
  description: 'columns with ASC or DESC (`name ASC`, `version_number DESC`, `last_updated_timestamp`)',
});

/** A page size: MLflow refuses one above its maximum rather than shortening the page. */
export const maxResults = (fallback: number, max: number) =>
  z
    .preprocess(
      (v) => {
        const s = Array.isArray(v) ? v[0] : v;
        return typeof s === 'string' && /^-?\d+$/.test(s) ? Number(s) : s;
      },
      z
        .number({ error: (i) => `must be a positive integer, got "${String(i.input)}"` })
        .int()
        .min(1, 'must be a positive integer')
        .max(max, `must be at most ${max}`)
        .default(fallback),
    )
    .openapi({ type: 'integer', minimum: 1, maximum: max, default: fallback, description: 'page size' });

/** `[{key, value}]` as a map; a missing value is the empty string, as MLflow stores it. */
export const tags = z
  .array(
    z.object({
      key: z.string({ error: 'a tag needs a key' }).min(1, 'a tag needs a key'),
      value: z.preprocess((v) => (v === undefined || v === null ? '' : asText(v)), z.string({ error: 'must be a string' })),
    }),
    { error: 'must be a list of {key, value}' },
  )
  .nullish()
  .openapi({ description: 'tags, `[{key, value}]`' })
  .transform((list) => Object.fromEntries((list ?? []).map((t) => [t.key, t.value])));

/** `true`, or its text as a query string carries it. */
export const flag = z
  .preprocess(
    (v) => (typeof v === 'string' ? v.toLowerCase() : v),
    z.union([z.boolean(), z.enum(['true', 'false'])], { error: 'must be true or false' }).optional(),
  )
  .transform((v) => v === true || v === 'true')
  .openapi({ type: 'boolean', default: false });

// ---------------------------------------------------------------------------------------------------------
// Answers

const epochMs = (description: string) =>
  z
    .number()
    .int()
    .openapi({ description: `${description}, epoch milliseconds` });

export const MlflowTag = z.object({ key: z.string(), value: z.string() }).openapi('MlflowTag');

export const MlflowModelVersion = z
  .object({
    name: z.string(),
    version: z.string().openapi({ description: 'the version number, as a string' }),
    creation_timestamp: epochMs('registered at'),
    last_updated_timestamp: epochMs('last changed at'),
    user_id: z.string().openapi({ description: 'who registered it; empty when unknown' }),
    current_stage: z.enum(STAGES),
    description: z.string(),
    source: z.string().openapi({ description: 'the artifact URI' }),
    run_id: z.string(),
    status: z.enum(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY']),
    tags: z.array(MlflowTag),
    run_link: z.string(),
    aliases: z.array(z.string()),
    model_id: z.string().optional().openapi({ description: 'MLflow 3’s logged model it registers' }),
  })
  .openapi('MlflowModelVersion');

export const MlflowRegisteredModelAlias = z.object({ alias: z.string(), version: z.string() }).openapi('MlflowRegisteredModelAlias');

export const MlflowRegisteredModel = z
  .object({
    name: z.string(),
    creation_timestamp: epochMs('created at'),
    last_updated_timestamp: epochMs('last changed at'),
    user_id: z.string(),
    description: z.string(),
    latest_versions: z.array(MlflowModelVersion).openapi({ description: 'the latest version in each stage' }),
    tags: z.array(MlflowTag),
    aliases: z.array(MlflowRegisteredModelAlias),
  })
  .openapi('MlflowRegisteredModel');

export const RegisteredModelAnswer = z.object({ registered_model: MlflowRegisteredModel });
export const ModelVersionAnswer = z.object({ model_version: MlflowModelVersion });
export const ModelVersionsAnswer = z.object({ model_versions: z.array(MlflowModelVersion) });
const nextPageToken = z.string().optional().openapi({ description: 'absent on the last page' });
export const RegisteredModelsPage = z.object({ registered_models: z.array(MlflowRegisteredModel), next_page_token: nextPageToken });
export const ModelVersionsPage = z.object({ model_versions: z.array(MlflowModelVersion), next_page_token: nextPageToken });
/** What MLflow answers to a change that returns nothing. */
export const Done = z.object({});

/** The errors of MLflow's API: `{error_code, message}`. */
export const mlflowErrors = {
  400: mlflowError('INVALID_PARAMETER_VALUE (`details` names the parameter) or RESOURCE_ALREADY_EXISTS'),
  404: mlflowError('RESOURCE_DOES_NOT_EXIST'),
};

const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }));

export function mlflowVersion(v: ModelVersion): z.infer<typeof MlflowModelVersion> {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.createdMs,
    last_updated_timestamp: v.updatedMs,
    user_id: v.userId ?? '',
    current_stage: v.stage,
    description: v.description ?? '',
    source: v.source ?? '',
    run_id: v.runId ?? '',
    // The registry stores versions READY: it never registers asynchronously.
    status: v.status as z.infer<typeof MlflowModelVersion>['status'],
    tags: tagList(v.tags),
    run_link: v.runLink ?? '',
    aliases: v.aliases,
    ...(v.modelId ? { model_id: v.modelId } : {}),
  };
}

export function mlflowModel(m: RegisteredModel): z.infer<typeof MlflowRegisteredModel> {
  return {
    name: m.name,
    creation_timestamp: m.createdMs,
    last_updated_timestamp: m.updatedMs,
    user_id: m.createdBy ?? '',
    description: m.description ?? '',
    latest_versions: m.latestVersions.map(mlflowVersion),
    tags: tagList(m.tags),
    aliases: m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })),
  };
}
