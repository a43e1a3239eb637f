import { z } from '@hono/zod-openapi';
import { importEvents } from '../../ingest/import';
import type { ImportReport } from '../../ingest/import-report';
import { prepareBytes } from '../../ingest/ingest';
import { producerOf } from '../../ingest/producer';
import { keepRejections, rejectedEvent } from '../../ingest/rejections';
import { batchFormat, bodyChunks, isJsonContentType, readBody } from '../body';
import { declare, router, serve } from '../declare';
import { Problem, Refusal } from '../problem';
import { Deviation, json, problem } from '../schemas/common';
import { boolean } from '../schemas/params';
import { applied, NormalizationState, preferHeader, settledAll, waitQuery, wantsNormalized } from '../wait';

/** Ingest: OpenLineage events, one at a time or in batches. */
export const lineageRoutes = router();

const strict = boolean('reject any deviation from the spec instead of storing the event with warnings', false);
const isStrict = (configured: boolean, asked: boolean) => configured || asked;

const ingestErrors = {
  400: problem(
    "the event cannot be accepted: each deviation is listed with its JSON pointer. The event is kept for its producer's report (GET /api/v1/producers/report)",
  ),
  401: problem('a missing or unknown API key (when keys are configured)'),
  413: problem('the body is larger than PEDIGREE_MAX_EVENT_BYTES'),
  415: problem('the body is not application/json, or its Content-Encoding is unknown'),
  503: problem('the database is unavailable; retry (Retry-After is set)'),
};

const OpenLineageEvent = z
  .looseObject({})
  .openapi('OpenLineageEvent', { description: 'A RunEvent, DatasetEvent or JobEvent (spec/OpenLineage.json)' });

const IngestResult = z
  .object({
    id: z.string().openapi({ format: 'uuid', description: 'the stored event id (a hash of its text)' }),
    warnings: z.array(Deviation),
    normalization: NormalizationState.optional().openapi({ description: 'with `Prefer: wait=normalized` only' }),
    normalizationError: z.string().optional().openapi({ description: 'why normalization failed (`normalization`: failed)' }),
  })
  .openapi('IngestResult');

/**
 * One event (RunEvent, DatasetEvent or JobEvent): 201 once stored verbatim (committed, and queued for
 * normalization), with its id and any warnings; with `Prefer: wait=normalized`, once it is normalized too.
 */
serve(
  lineageRoutes,
  declare({
    method: 'post',
    path: '/lineage',
    scope: 'ingest',
    summary: 'Ingest one OpenLineage event (RunEvent, DatasetEvent or JobEvent)',
    description:
      'Stored verbatim (replayable), answered 201 once committed, and normalized behind the answer; with `Prefer: wait=normalized` (or `?wait=normalized`) the answer waits until the event is normalized and says so. Deviations producers commonly make are accepted as warnings.',
    readsBody: true,
    request: {
      query: z.object({ strict, wait: waitQuery }),
      headers: z.object({ prefer: preferHeader }),
      body: { required: true, content: { 'application/json': { schema: OpenLineageEvent } } },
    },
    responses: { 201: json(IngestResult, 'committed (and, when asked, normalized)'), ...ingestErrors },
  }),
  async (c) => {
    const { config, writer, db, logger } = c.get('deps');
    const contentType = c.req.header('content-type');
    if (!isJsonContentType(contentType))
      throw new Problem(415, 'Unsupported Media Type', `expected application/json, got "${contentType}"`);
    const bytes = await readBody(c.req.raw, { maxBytes: config.maxEventBytes });
    const query = c.req.valid('query');
    const prepared = prepareBytes(bytes, { strict: isStrict(config.strict, query.strict) });
    if (!prepared.ok) {
      // Kept for the producer's conformance report; the 400 is answered whether or not that worked.
      await keepRejections(db, [rejectedEvent(bytes, prepared.errors, prepared.value)], logger);
      throw new Refusal(prepared.reason, 400, 'Bad Request', 'the event cannot be accepted', prepared.errors, producerOf(prepared.value));
    }
    c.set('logFields', { producer: prepared.event.producer ?? undefined, eventId: prepared.id });
    const fresh = await writer.write([prepared.event]);
    // Only these outlive the write: a request waiting for normalization holds no event text.
    const { id, warnings } = prepared;
    if (!wantsNormalized(c, query.wait)) return c.json({ id, warnings }, 201);
    const settled = (await settledAll(c, [id], fresh)).get(id)!;
    applied(c);
    return c.json(
      {
        id,
        warnings,
        normalization: settled.state,
        ...(settled.state === 'failed' && { normalizationError: settled.error }),
      },
      201,
    );
  },
);

const BatchResult = z
  .object({
    status: z.enum(['success', 'partial_success']),
    summary: z.object({
      received: z.number().int(),
      successful: z.number().int().openapi({ description: 'stored (also when the same event was stored before)' }),
      failed: z.number().int(),
      retriable: z.number().int().openapi({ description: 'always 0: an item fails for what it holds' }),
      non_retriable: z.number().int(),
    }),
    failed_events: z
      .array(
        z.object({
          index: z.number().int().openapi({ description: 'the item in the batch, from 0' }),
          line: z.number().int().optional().openapi({ description: 'NDJSON: its line, from 1' }),
          reason: z.string(),
          retriable: z.literal(false),
          status: z.union([z.literal(400), z.literal(413)]).openapi({ description: 'what POST /api/v1/lineage answers for it' }),
          errors: z.array(Deviation).openapi({ description: 'pointers into the item' }),
        }),
      )
      .openapi({ description: 'the first 1000 failed items, in order, each with at most 20 errors' }),
    warnings: z
      .array(z.object({ pointer: z.string(), message: z.string(), count: z.number().int(), firstIndex: z.number().int() }))
      .openapi({ description: "the accepted items' warnings by pointer and message (the first 100)" }),
    normalization: z
      .object({
        normalized: z.number().int(),
        failed: z.number().int().openapi({ description: 'set aside (GET /api/v1/events/failed)' }),
        pending: z.number().int().openapi({ description: 'still queued when the wait ended' }),
        failures: z
          .array(z.object({ index: z.number().int(), id: z.string(), error: z.string() }))
          .openapi({ description: 'the first 100 items set aside, in order' }),
      })
      .optional()
      .openapi({ description: 'with `Prefer: wait=normalized` only: what became of the accepted items' }),
  })
  .openapi('BatchResult', {
    description: "The OpenLineage spec's batch response (`/lineage/batch`), with Pedigree's details on failed items and warnings",
  });

/**
 * The batch answer in the OpenLineage spec's shape (spec/published/OpenLineage.yml, `/lineage/batch`):
 * counts and the failed items only, so that it stays small whatever the batch's size. Pedigree adds each
 * failed item's `status` (what the single-event endpoint would answer), `errors` with JSON pointers into
 * the item, `line` for NDJSON, and the accepted items' warnings grouped.
 */
function batchAnswer(report: ImportReport, normalization?: z.infer<typeof BatchResult>['normalization']): z.infer<typeof BatchResult> {
  return {
    status: report.rejected === 0 ? 'success' : 'partial_success',
    summary: {
      received: report.received,
      successful: report.accepted,
      failed: report.rejected,
      // An item is refused for what it holds, never for a passing condition: resending it cannot help.
      retriable: 0,
      non_retriable: report.rejected,
    },
    failed_events: report.rejections.map(({ outcome, errors, ...at }) => ({
      ...at,
      reason: errors.map((e) => (e.pointer ? `${e.pointer}: ${e.message}` : e.message)).join('; '),
      retriable: false as const,
      status: outcome === 'tooLarge' ? (413 as const) : (400 as const),
      errors,
    })),
    warnings: report.warnings,
    ...(normalization && { normalization }),
  };
}

const LISTED_FAILURES = 100;

/** What became of a batch's accepted items (`accepted`: each distinct id, with its first index). */
async function normalizationOf(
  c: Parameters<typeof settledAll>[0],
  accepted: Map<string, number>,
): Promise<NonNullable<z.infer<typeof BatchResult>['normalization']>> {
  const settled = await settledAll(c, [...accepted.keys()]);
  const result = { normalized: 0, failed: 0, pending: 0, failures: [] as { index: number; id: string; error: string }[] };
  for (const [id, s] of settled) {
    result[s.state]++;
    if (s.state === 'failed' && result.failures.length < LISTED_FAILURES)
      result.failures.push({ index: accepted.get(id)!, id, error: s.error });
  }
  result.failures.sort((a, b) => a.index - b.index);
  return result;
}

/**
 * Many events: a JSON array, NDJSON (by its Content-Type) or a JSON text sequence, streamed through the
 * import (each item accepted or rejected on its own, committed in chunks as the body is read). 200 with
 * the counts and the failed items; a body over its limits is a 413, and a database lost part-way a 503,
 * each naming the first item not stored.
 */
serve(
  lineageRoutes,
  declare({
    method: 'post',
    path: '/lineage/batch',
    scope: 'ingest',
    summary: 'Ingest many events: a JSON array, NDJSON or a JSON text sequence, streamed',
    description:
      "Each item is accepted or rejected on its own; accepted items are committed in chunks as the body is read, and normalized behind the answer (with `Prefer: wait=normalized`, before it: `normalization` says what became of them). NDJSON (`application/x-ndjson`, `application/jsonl` and their aliases) is split by lines, so a broken line is one failed item. The answer is the OpenLineage spec's batch response: counts and the failed items only (the first 1000), whatever the number of items. A compressed body may inflate at most PEDIGREE_MAX_INFLATION_RATIO times once past PEDIGREE_MAX_EVENT_BYTES.",
    readsBody: true,
    request: {
      query: z.object({ strict, wait: waitQuery }),
      headers: z.object({ prefer: preferHeader }),
      body: {
        required: true,
        content: {
          'application/json': { schema: z.array(OpenLineageEvent) },
          'application/x-ndjson': { schema: z.string().openapi({ description: 'one event per line' }) },
          'application/json-seq': { schema: z.string().openapi({ description: 'RFC 7464: each event after an RS byte' }) },
        },
      },
    },
    responses: {
      200: json(BatchResult, 'the counts and the failed items'),
      ...ingestErrors,
      413: problem(
        'the body is larger than PEDIGREE_MAX_BATCH_BYTES, or inflates more than PEDIGREE_MAX_INFLATION_RATIO; when items were stored first, the last of `errors` points at the first item not stored (`/<index>`)',
      ),
      503: problem('the database went away; the last of `errors` points at the first item not stored (`/<index>`). Resending is safe'),
    },
  }),
  async (c) => {
    const { config, writer, db, metrics, logger } = c.get('deps');
    const contentType = c.req.header('content-type');
    const format = batchFormat(contentType);
    if (!format) throw new Problem(415, 'Unsupported Media Type', `expected JSON or NDJSON, got "${contentType}"`);
    const body = bodyChunks(c.req.raw, {
      maxBytes: config.maxBatchBytes,
      setting: 'PEDIGREE_MAX_BATCH_BYTES',
      maxInflationRatio: config.maxInflationRatio,
      inflationFloor: config.maxEventBytes,
    });
    const query = c.req.valid('query');
    const wait = wantsNormalized(c, query.wait);
    // Waiting needs the accepted ids; without it, the report alone keeps memory bounded.
    const accepted = new Map<string, number>();
    const report = await importEvents(writer, body, {
      format,
      strict: isStrict(config.strict, query.strict),
      maxEventBytes: config.maxEventBytes,
      keepRejected: (rejected) => keepRejections(db, rejected, logger),
      refused: (reason, producer) => metrics.refused(reason, producer),
      ...(wait && { onItem: (item) => void (item.outcome === 'accepted' && !accepted.has(item.id) && accepted.set(item.id, item.index)) }),
    });
    c.set('logFields', { received: report.received, rejected: report.rejected });
    if (!wait) return c.json(batchAnswer(report), 200);
    const normalization = await normalizationOf(c, accepted);
    applied(c);
    return c.json(batchAnswer(report, normalization), 200);
  },
);
