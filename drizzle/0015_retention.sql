-- Retention (src/retention): its work list, an index to tell whether a facet value is still referenced,
-- and the verbatim events partitioned by month of event_time, so that an old month goes whole.
CREATE TABLE "retention_doomed_runs" (
	"run_id" uuid PRIMARY KEY NOT NULL
);
--> statement-breakpoint
-- Every facet's value, not only tags' and mlflow's: retention collects the values no facet references.
-- A value's name is its facets' name, so the registry's lookup (tags and mlflow values to their facets)
-- finds the same rows through it; the partial index it replaces is redundant.
DROP INDEX IF EXISTS "facets_registry_value_idx";--> statement-breakpoint
CREATE INDEX "facets_value_idx" ON "facets" USING btree ("value_id");--> statement-breakpoint
-- The events move to a table partitioned by month of event_time. Its key must hold the partition key:
-- (id, event_time). The id hashes the event's text and the event time is parsed from that text, so an id
-- has one event time and the key refuses a second copy exactly as the id alone did. The old indexes are
-- dropped first (the copy builds the new ones once), then the rows are copied in one statement.
ALTER TABLE "lineage_events" RENAME TO "lineage_events_0014";--> statement-breakpoint
DROP INDEX "lineage_events_event_time_idx", "lineage_events_run_idx", "lineage_events_job_idx", "lineage_events_dataset_idx",
  "lineage_events_producer_idx", "lineage_events_producer_warned_idx";--> statement-breakpoint
CREATE TABLE "lineage_events" (
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"event_type" text,
	"event_time" timestamp(6) with time zone NOT NULL,
	"received_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"run_id" uuid,
	"job_id" uuid,
	"dataset_id" uuid,
	"producer" text,
	"schema_url" text,
	"warnings" jsonb,
	"raw" text NOT NULL,
	CONSTRAINT "lineage_events_id_event_time_pk" PRIMARY KEY("id","event_time")
) PARTITION BY RANGE ("event_time");--> statement-breakpoint
-- lz4 where the server has it (see 0001); partitions created afterwards take the parent's setting.
DO $$
BEGIN
  ALTER TABLE lineage_events ALTER COLUMN raw SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR undefined_object OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 compression not available; keeping the default';
END $$;--> statement-breakpoint
-- Events whose month has no partition (absurd times, or a month not created yet) land here; creating the
-- month's partition later moves them (pedigree_event_partition).
CREATE TABLE "lineage_events_default" PARTITION OF "lineage_events" DEFAULT;--> statement-breakpoint
-- The partition of the month holding `t` (UTC months), created when missing: the one definition of the
-- partitions' names and bounds, called by this migration, at start-up and by retention
-- (src/retention/partitions.ts). A partition cannot be created over rows the default partition holds:
-- those are moved into a table of their own, which is then attached. Writes to the events wait meanwhile
-- (SHARE: reads go on): a row of that month inserted into the default partition while it is checked or
-- emptied would fail the creation, or the insert. Returns the partition's name.
CREATE FUNCTION pedigree_event_partition(t timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := date_trunc('month', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  hi timestamptz := (date_trunc('month', t AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
  part text := 'lineage_events_' || to_char(lo AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN part;
  END IF;
  LOCK TABLE lineage_events IN SHARE MODE;
  IF to_regclass(part) IS NOT NULL THEN
    RETURN part;  -- created by another session while this one waited
  END IF;
  IF EXISTS (SELECT 1 FROM lineage_events_default WHERE event_time >= lo AND event_time < hi) THEN
    EXECUTE format('CREATE TABLE %I (LIKE lineage_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
    EXECUTE format('WITH moved AS (DELETE FROM lineage_events_default WHERE event_time >= %L AND event_time < %L RETURNING *)
      INSERT INTO %I SELECT * FROM moved', lo, hi, part);
    EXECUTE format('ALTER TABLE lineage_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  ELSE
    EXECUTE format('CREATE TABLE %I PARTITION OF lineage_events FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  END IF;
  RETURN part;
END $$;--> statement-breakpoint
-- A partition for every month the stored events fall in, from 2000 to a year ahead (times outside stay
-- in the default partition), and for this month and the next three.
SELECT pedigree_event_partition(m) FROM (
  SELECT DISTINCT date_trunc('month', event_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m FROM lineage_events_0014
  WHERE event_time >= '2000-01-01T00:00:00Z' AND event_time < now() + interval '1 year'
  UNION
  SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + n * interval '1 month' FROM generate_series(0, 3) n
) months ORDER BY m;--> statement-breakpoint
INSERT INTO "lineage_events" ("id", "kind", "event_type", "event_time", "received_at", "run_id", "job_id", "dataset_id", "producer",
  "schema_url", "warnings", "raw")
SELECT "id", "kind", "event_type", "event_time", "received_at", "run_id", "job_id", "dataset_id", "producer", "schema_url", "warnings", "raw"
FROM "lineage_events_0014";--> statement-breakpoint
DROP TABLE "lineage_events_0014";--> statement-breakpoint
CREATE INDEX "lineage_events_event_time_idx" ON "lineage_events" USING btree ("event_time");--> statement-breakpoint
CREATE INDEX "lineage_events_run_idx" ON "lineage_events" USING btree ("run_id","event_time");--> statement-breakpoint
CREATE INDEX "lineage_events_job_idx" ON "lineage_events" USING btree ("job_id","event_time");--> statement-breakpoint
CREATE INDEX "lineage_events_dataset_idx" ON "lineage_events" USING btree ("dataset_id","event_time");--> statement-breakpoint
CREATE INDEX "lineage_events_producer_idx" ON "lineage_events" USING btree ("producer","event_time");--> statement-breakpoint
CREATE INDEX "lineage_events_producer_warned_idx" ON "lineage_events" USING btree ("producer","event_time") WHERE "lineage_events"."warnings" is not null;
