import { index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { eventTime } from './columns';

/** Tags (Marquez's `PUT /tags/{tag}`); tagging a dataset or field with an unknown tag creates it. */
export const tags = pgTable('tags', {
  name: text('name').primaryKey(),
  description: text('description'),
  createdAt: eventTime('created_at').notNull(),
  updatedAt: eventTime('updated_at').notNull(),
});

export const datasetTags = pgTable(
  'dataset_tags',
  {
    datasetId: uuid('dataset_id').notNull(),
    tag: text('tag').notNull(),
    taggedAt: eventTime('tagged_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.tag] }), index('dataset_tags_tag_idx').on(t.tag)],
);

/** A field is keyed by ids.datasetField(dataset, path): field paths can be longer than a btree key allows. */
export const datasetFieldTags = pgTable(
  'dataset_field_tags',
  {
    fieldId: uuid('field_id').notNull(),
    datasetId: uuid('dataset_id').notNull(),
    field: text('field').notNull(),
    tag: text('tag').notNull(),
    taggedAt: eventTime('tagged_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fieldId, t.tag] }), index('dataset_field_tags_dataset_idx').on(t.datasetId)],
);

export const jobTags = pgTable(
  'job_tags',
  {
    jobId: uuid('job_id').notNull(),
    tag: text('tag').notNull(),
    taggedAt: eventTime('tagged_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.tag] })],
);
