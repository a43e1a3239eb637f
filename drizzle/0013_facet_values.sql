-- Facets stored once by content (src/db/schema/facets.ts): `facet_values` holds each content once, keyed
-- by pedigree_id('facet_value', name, JSON text) as src/ids.ts keys it; a facet row keeps its value's id.
-- Readers read `facet_rows`, the rows joined to their values.
CREATE TABLE "facet_values" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"value" jsonb NOT NULL
);
--> statement-breakpoint
DO $$
BEGIN
  ALTER TABLE facet_values ALTER COLUMN value SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR undefined_object OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 compression not available; keeping the default';
END $$;
--> statement-breakpoint
-- The facets stored so far, each content once. Their ids hash jsonb's text of the value, ingest hashes
-- the text it serialized: content stored before and after this migration may be kept twice, which costs
-- a row and changes no answer.
ALTER TABLE "facets" ADD COLUMN "value_id" uuid;--> statement-breakpoint
UPDATE "facets" SET "value_id" = pedigree_id('facet_value', "name", "value"::text);--> statement-breakpoint
INSERT INTO "facet_values" ("id", "name", "value")
  SELECT DISTINCT ON ("value_id") "value_id", "name", "value" FROM "facets" ORDER BY "value_id";--> statement-breakpoint
ALTER TABLE "facets" ALTER COLUMN "value_id" SET NOT NULL;--> statement-breakpoint
-- Drops facets_registry_run_idx with it: the registry's containment index is on the values now.
ALTER TABLE "facets" DROP COLUMN "value";--> statement-breakpoint
-- Registry run ids carried by OpenLineage runs (a tags facet `mlflow.run_id`, or an `mlflow` facet's
-- `run_id`): reconciliation looks the values up by containment, then the runs that hold them.
CREATE INDEX facet_values_registry_idx ON facet_values USING gin (value jsonb_path_ops) WHERE name IN ('tags', 'mlflow');--> statement-breakpoint
CREATE INDEX facets_registry_value_idx ON facets (value_id) WHERE name IN ('tags', 'mlflow');--> statement-breakpoint
-- A left join on the values' key: a query that reads no value does not join at all (join removal).
CREATE VIEW facet_rows AS
  SELECT f.owner_id, f.name, f.owner_kind, v.value, f.value_id, f.run_id, f.event_time, f.event_id
  FROM facets f LEFT JOIN facet_values v ON v.id = f.value_id;
