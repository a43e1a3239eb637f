import type { Config } from '../config';
import type { Db } from '../db/client';
import { Normalizer, type NormalizerOptions } from './normalizer';
import { EventWriter } from './writer';

/** Acceptance and the normalization behind it, wired: the writer hands each commit's plans to the normalizer. */
export interface Ingest {
  writer: EventWriter;
  normalizer: Normalizer;
}

export function ingestPipeline(
  db: Db,
  config: Partial<Pick<Config, 'writeConcurrency' | 'normalize'>> = {},
  overrides: NormalizerOptions = {},
): Ingest {
  const normalizer = new Normalizer(db, {
    maxBatchEvents: config.normalize?.batchEvents,
    concurrency: config.normalize?.concurrency,
    ...overrides,
  });
  const writer = new EventWriter(db, { concurrency: config.writeConcurrency, onAccepted: (plans) => normalizer.accepted(plans) });
  return { writer, normalizer };
}
