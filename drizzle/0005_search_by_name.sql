CREATE INDEX "datasets_name_idx" ON "datasets" USING btree (left("name", 200));--> statement-breakpoint
CREATE INDEX "jobs_name_idx" ON "jobs" USING btree (left("name", 200));