CREATE TABLE "namespace_counts" (
	"namespace_id" uuid PRIMARY KEY NOT NULL,
	"jobs" bigint DEFAULT 0 NOT NULL,
	"datasets" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
DROP INDEX "datasets_namespace_idx";--> statement-breakpoint
DROP INDEX "jobs_namespace_idx";--> statement-breakpoint
DROP INDEX "run_io_run_idx";--> statement-breakpoint
ALTER TABLE "job_io" ADD COLUMN "current" boolean DEFAULT true NOT NULL;--> statement-breakpoint
-- Edges outside their job's current version leave the graph (what the read layer computed per request).
UPDATE "job_io" e SET "current" = false FROM "jobs" j
WHERE j.id = e.job_id AND j.current_version_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM job_version_io v
    WHERE v.job_version_id = j.current_version_id AND v.direction = e.direction AND v.dataset_id = e.dataset_id);--> statement-breakpoint
CREATE INDEX "job_io_current_dataset_idx" ON "job_io" USING btree ("dataset_id","direction","job_id") WHERE current;--> statement-breakpoint
CREATE INDEX "job_io_current_job_idx" ON "job_io" USING btree ("job_id","direction","dataset_id") WHERE current;--> statement-breakpoint
CREATE INDEX "jobs_updated_idx" ON "jobs" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "datasets_updated_idx" ON "datasets" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "datasets_namespace_idx" ON "datasets" USING btree ("namespace_id",left("name", 200),"id");--> statement-breakpoint
CREATE INDEX "jobs_namespace_idx" ON "jobs" USING btree ("namespace_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "run_io_run_idx" ON "run_io" USING btree ("run_id","direction","dataset_id","id","version_key","dataset_version_id");--> statement-breakpoint
-- namespace_counts follows every insert and delete of jobs and datasets, one statement at a time (an
-- upsert's insert transition table holds only the rows it inserted). Count rows are locked in key order.
CREATE FUNCTION pedigree_count_entities() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sign int := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
  INSERT INTO namespace_counts AS c (namespace_id, jobs, datasets)
  SELECT x.namespace_id,
    CASE WHEN TG_TABLE_NAME = 'jobs' THEN sign * x.n ELSE 0 END,
    CASE WHEN TG_TABLE_NAME = 'datasets' THEN sign * x.n ELSE 0 END
  FROM (SELECT namespace_id, count(*) AS n FROM changed_rows GROUP BY namespace_id) x
  ORDER BY x.namespace_id
  ON CONFLICT (namespace_id) DO UPDATE SET jobs = c.jobs + excluded.jobs, datasets = c.datasets + excluded.datasets;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER jobs_counted_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_count_entities();--> statement-breakpoint
CREATE TRIGGER jobs_counted_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_count_entities();--> statement-breakpoint
CREATE TRIGGER datasets_counted_insert AFTER INSERT ON datasets REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_count_entities();--> statement-breakpoint
CREATE TRIGGER datasets_counted_delete AFTER DELETE ON datasets REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_count_entities();--> statement-breakpoint
INSERT INTO namespace_counts (namespace_id, jobs, datasets)
SELECT n.id,
  (SELECT count(*) FROM jobs j WHERE j.namespace_id = n.id),
  (SELECT count(*) FROM datasets d WHERE d.namespace_id = n.id)
FROM (SELECT namespace_id AS id FROM jobs UNION SELECT namespace_id FROM datasets) n;
--> statement-breakpoint
-- Search matches names by substring: trigram indexes find rare names without a scan. pg_trgm ships with
-- PostgreSQL's contrib and with PGlite; where it cannot be created, search still works, by scanning.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX IF NOT EXISTS jobs_name_trgm_idx ON jobs USING gin (name gin_trgm_ops);
  CREATE INDEX IF NOT EXISTS datasets_name_trgm_idx ON datasets USING gin (name gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm not available (%); search scans names', SQLERRM;
END $$;
