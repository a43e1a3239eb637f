import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Metrics } from '../metrics';
import { Normalizer, type NormalizerControl, type NormalizerOptions } from './normalizer';
import { EventWriter } from './writer';

/**
 * Acceptance and the normalization behind it, wired: the writer hands each commit's plans to the
 * normalizer; both report to `metrics` when given (the app's, so that GET /metrics shows them).
 */
export interface Ingest<N extends NormalizerControl = Normalizer> {
  writer: EventWriter;
  normalizer: N;
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
    lingerMs: config.normalize?.lingerMs,
    // PEDIGREE_NORMALIZE=off: another instance normalizes what this one accepts.
    acceptOnly: config.normalize?.enabled === false,
    progress: metrics?.normalization,
    ...options,
  });
  return { writer: acceptingInto(db, normalizer, config, metrics), normalizer };
}

/** Acceptance's writer, handing each commit's events to `normalizer` (wherever it runs: service.ts). */
export function acceptingInto(
  db: Db,
  normalizer: NormalizerControl,
  config: Partial<Pick<Config, 'writeConcurrency'>> = {},
  metrics?: Metrics,
): EventWriter {
  return new EventWriter(db, {
    concurrency: config.writeConcurrency,
    metrics,
    onAccepted: (events) => normalizer.accepted(events),
  });
}
