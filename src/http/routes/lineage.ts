import { Hono } from 'hono';
import { importEvents } from '../../ingest/import';
import type { ImportReport } from '../../ingest/import-report';
import { prepareBytes } from '../../ingest/ingest';
import { batchFormat, bodyChunks, isJsonContentType, readBody } from '../body';
import type { AppEnv } from '../context';
import { badRequest, Problem } from '../problem';

export const lineageRoutes = new Hono<AppEnv>();

function requireJson(contentType: string | undefined) {
  if (!isJsonContentType(contentType)) {
    throw new Problem(415, 'Unsupported Media Type', `expected application/json, got "${contentType}"`);
  }
}

const strictFor = (configured: boolean, query: string | undefined) => configured || query === 'true' || query === '1';

/** One event (RunEvent, DatasetEvent or JobEvent): 201 once committed, with its id and any warnings. */
lineageRoutes.post('/lineage', async (c) => {
  const { config, writer } = c.get('deps');
  requireJson(c.req.header('content-type'));
  const bytes = await readBody(c.req.raw, { maxBytes: config.maxEventBytes });
  const prepared = prepareBytes(bytes, { strict: strictFor(config.strict, c.req.query('strict')) });
  if (!prepared.ok) throw badRequest('the event cannot be accepted', prepared.errors);
  await writer.write([prepared.plan]);
  return c.json({ id: prepared.id, warnings: prepared.warnings }, 201);
});

/**
 * The batch answer in the OpenLineage spec's shape (spec/published/OpenLineage.yml, `/lineage/batch`):
 * counts and the failed items only, so that it stays small whatever the batch's size. Pedigree adds each
 * failed item's `status` (what the single-event endpoint would answer), `errors` with JSON pointers into
 * the item, `line` for NDJSON, and the accepted items' warnings grouped.
 */
function batchAnswer(report: ImportReport) {
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
      retriable: false,
      status: outcome === 'tooLarge' ? 413 : 400,
      errors,
    })),
    warnings: report.warnings,
  };
}

/**
 * Many events: a JSON array, NDJSON (by its Content-Type) or a JSON text sequence, streamed through the
 * import (each item accepted or rejected on its own, committed in chunks as the body is read). 200 with
 * the counts and the failed items; a body over its limits is a 413, and a database lost part-way a 503,
 * each naming the first item not stored.
 */
lineageRoutes.post('/lineage/batch', async (c) => {
  const { config, writer } = c.get('deps');
  const contentType = c.req.header('content-type');
  const format = batchFormat(contentType);
  if (!format) throw new Problem(415, 'Unsupported Media Type', `expected JSON or NDJSON, got "${contentType}"`);
  const body = bodyChunks(c.req.raw, {
    maxBytes: config.maxBatchBytes,
    setting: 'PEDIGREE_MAX_BATCH_BYTES',
    maxInflationRatio: config.maxInflationRatio,
    inflationFloor: config.maxEventBytes,
  });
  const report = await importEvents(writer, body, {
    format,
    strict: strictFor(config.strict, c.req.query('strict')),
    maxEventBytes: config.maxEventBytes,
  });
  return c.json(batchAnswer(report), 200);
});
