import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Datasets, jobs and namespaces hidden by Marquez's DELETE endpoints (src/deletion/hide.ts): soft deletion,
 * as Marquez's `is_hidden`, but kept apart from the entity tables because it is user state, like tags:
 * `pedigree replay --rebuild` re-derives the entities from the stored events and the rows here keep them
 * hidden. A row goes when an event received after `hidden_at` names the entity again (the normalizer,
 * src/deletion/unhide.ts), or when the entity is purged. `namespace_id` is the entity's namespace (a
 * namespace's own id for a namespace): the listings subtract the hidden from their per-namespace counts.
 */
export const hiddenEntities = pgTable(
  'hidden_entities',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind', { enum: ['namespace', 'dataset', 'job'] }).notNull(),
    namespaceId: uuid('namespace_id').notNull(),
    hiddenAt: timestamp('hidden_at', { withTimezone: true, precision: 6, mode: 'string' }).notNull().defaultNow(),
    hiddenBy: text('hidden_by').notNull(),
  },
  (t) => [index('hidden_entities_namespace_idx').on(t.namespaceId, t.kind)],
);
