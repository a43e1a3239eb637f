import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Metrics } from '../metrics';
import { Normalizer, type NormalizerOptions } from './normalizer';
import { EventWriter } from './writer';

/**
 * Acceptance and the normalization behind it, wired: the writer hands each commit's plans to the
 * normalizer; both report to `metrics` when given (the app's, so that GET /metrics shows them).
 */
export interface Ingest {
  writer: EventWriter;
  normalizer: Normalizer;
}

export function ingestPipeline(
  db: Db,
  config: Partial<Pick<Config, 'writeConcurrency' | 'normalize'>> = {},
  overrides: NormalizerOptions & { metrics?: Metrics } = {},
): Ingest {
  const { metrics, ...options } = overrides;
  const normalizer = new Normalizer(db, {
    maxBatchEvents: config.normalize?.batchEvents,
    concurrency: config.normalize?.concurrency,
    progress: metrics?.normalization,
    ...options,
  });
  const writer = new EventWriter(db, {
    concurrency: config.writeConcurrency,
    metrics,
    onAccepted: (plans) => normalizer.accepted(plans),
  });
  return { writer, normalizer };
}
