import { pgTable, uuid } from 'drizzle-orm/pg-core';

/**
 * Retention's work list (src/retention/retention.ts): the runs one pass found old and not kept, written
 * at the start of the pass, then deleted from in chunks (each run checked again when its chunk is taken).
 * A dry run counts from the same list, so it counts what the real pass deletes. Only one pass runs at a
 * time (an advisory lock), and each pass empties it first.
 */
export const retentionDoomedRuns = pgTable('retention_doomed_runs', {
  runId: uuid('run_id').primaryKey(),
});
