-- The latest runs of a job or job version, and the latest version of a dataset, are read newest first with the
-- id as tie-break; with the id in the index they are its first rows. Without it a plan made on stale statistics
-- (a store loaded in bulk) sorted a job's whole history to take ten (196 runs read instead of 10).
DROP INDEX "dataset_versions_dataset_idx";--> statement-breakpoint
DROP INDEX "runs_job_idx";--> statement-breakpoint
DROP INDEX "runs_job_version_idx";--> statement-breakpoint
CREATE INDEX "dataset_versions_dataset_idx" ON "dataset_versions" USING btree ("dataset_id","created_at","id");--> statement-breakpoint
CREATE INDEX "runs_job_idx" ON "runs" USING btree ("job_id","created_at","id");--> statement-breakpoint
CREATE INDEX "runs_job_version_idx" ON "runs" USING btree ("job_version_id","created_at","id");