import { index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { eventTime, jsonText } from './columns';

/**
 * Each facet content once (Spark sends the same schema, plan and properties facets on every event): keyed
 * by the hash of its facet name and JSON text (src/ids.ts `facetValue`), written once (ON CONFLICT DO
 * NOTHING) and referenced by its owners' rows in `facets`. The name is kept so that the registry's
 * containment index covers only tags and mlflow facets (migration 0013). Read through the view
 * `facet_rows` (facets joined to their values), never joined by hand.
 */
export const facetValues = pgTable('facet_values', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  value: jsonText('value').notNull(),
});

/**
 * The latest value of each facet of each owner, where the owner is a run, a job, a dataset, a dataset
 * version, a run's input or output edge, or a run's view of its job (the job facets as that run sent them,
 * which is the job facets' history). The newest (event time, event id) wins, so arrival order does not
 * matter. Facets Pedigree does not know are kept as opaque JSON.
 */
export const facets = pgTable(
  'facets',
  {
    ownerId: uuid('owner_id').notNull(),
    name: text('name').notNull(),
    ownerKind: text('owner_kind', {
      enum: ['run', 'job', 'run_job', 'dataset', 'dataset_version', 'input', 'input_dataset', 'output'],
    }).notNull(),
    /** facet_values.id of its content. */
    valueId: uuid('value_id').notNull(),
    runId: uuid('run_id'),
    eventTime: eventTime('event_time').notNull(),
    eventId: uuid('event_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.ownerId, t.name] }),
    index('facets_run_idx').on(t.runId),
    // Whether a value is still referenced (retention collects those no facet references, src/retention),
    // and the registry's containment lookup from a value to its facets (migration 0015 replaced the
    // partial index of tags and mlflow facets: a value's name is its facets' name, so it finds the same rows).
    index('facets_value_idx').on(t.valueId),
  ],
);
