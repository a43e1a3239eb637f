CREATE TABLE "lineage_events" (
	"id" uuid PRIMARY KEY NOT NULL,
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
	"raw" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "namespaces" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"connection_url" text,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	"latest_time" timestamp(6) with time zone,
	"latest_event_id" uuid
);
--> statement-breakpoint
CREATE TABLE "column_lineage" (
	"id" uuid PRIMARY KEY NOT NULL,
	"output_dataset_id" uuid NOT NULL,
	"output_field" text,
	"input_dataset_id" uuid NOT NULL,
	"input_field" text,
	"transformations" jsonb,
	"run_id" uuid,
	"output_version_id" uuid,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	"latest_time" timestamp(6) with time zone,
	"latest_event_id" uuid
);
--> statement-breakpoint
CREATE TABLE "dataset_fields" (
	"id" uuid PRIMARY KEY NOT NULL,
	"dataset_id" uuid NOT NULL,
	"name" text NOT NULL,
	"parent_name" text,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dataset_symlinks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"dataset_id" uuid NOT NULL,
	"target_id" uuid NOT NULL,
	"target_namespace" text NOT NULL,
	"target_name" text NOT NULL,
	"type" text,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dataset_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"dataset_id" uuid NOT NULL,
	"run_id" uuid,
	"version" text NOT NULL,
	"version_key" uuid NOT NULL,
	"version_explicit" boolean NOT NULL,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	"latest_time" timestamp(6) with time zone,
	"latest_event_id" uuid
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"namespace_id" uuid NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	"last_modified_at" timestamp(6) with time zone
);
--> statement-breakpoint
CREATE TABLE "job_io" (
	"id" uuid PRIMARY KEY NOT NULL,
	"job_id" uuid NOT NULL,
	"dataset_id" uuid NOT NULL,
	"direction" text NOT NULL,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	"last_run_id" uuid,
	"latest_time" timestamp(6) with time zone,
	"latest_event_id" uuid
);
--> statement-breakpoint
CREATE TABLE "job_version_io" (
	"job_version_id" uuid NOT NULL,
	"dataset_id" uuid NOT NULL,
	"direction" text NOT NULL,
	CONSTRAINT "job_version_io_job_version_id_direction_dataset_id_pk" PRIMARY KEY("job_version_id","direction","dataset_id")
);
--> statement-breakpoint
CREATE TABLE "job_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"job_id" uuid NOT NULL,
	"version" uuid NOT NULL,
	"declared" boolean NOT NULL,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"namespace_id" uuid NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"parent_job_id" uuid,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	"latest_time" timestamp(6) with time zone,
	"latest_event_id" uuid,
	"current_version_id" uuid,
	"current_version_time" timestamp(6) with time zone
);
--> statement-breakpoint
CREATE TABLE "run_io" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"dataset_id" uuid NOT NULL,
	"direction" text NOT NULL,
	"version" text,
	"version_key" uuid,
	"dataset_version_id" uuid,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	"version_explicit" boolean,
	"latest_time" timestamp(6) with time zone,
	"latest_event_id" uuid
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"job_id" uuid NOT NULL,
	"namespace" text NOT NULL,
	"job_name" text NOT NULL,
	"parent_run_id" uuid,
	"state" text,
	"state_terminal" boolean,
	"state_time" timestamp(6) with time zone,
	"state_event_id" uuid,
	"started_at" timestamp(6) with time zone,
	"ended_at" timestamp(6) with time zone,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	"parent_time" timestamp(6) with time zone,
	"parent_event_id" uuid,
	"code_hash" text,
	"code_time" timestamp(6) with time zone,
	"code_event_id" uuid,
	"job_version_id" uuid
);
--> statement-breakpoint
CREATE TABLE "facets" (
	"owner_id" uuid NOT NULL,
	"name" text NOT NULL,
	"owner_kind" text NOT NULL,
	"value" jsonb NOT NULL,
	"run_id" uuid,
	"event_time" timestamp(6) with time zone NOT NULL,
	"event_id" uuid NOT NULL,
	CONSTRAINT "facets_owner_id_name_pk" PRIMARY KEY("owner_id","name")
);
--> statement-breakpoint
CREATE INDEX "lineage_events_event_time_idx" ON "lineage_events" USING btree ("event_time");--> statement-breakpoint
CREATE INDEX "lineage_events_run_idx" ON "lineage_events" USING btree ("run_id","event_time");--> statement-breakpoint
CREATE INDEX "lineage_events_job_idx" ON "lineage_events" USING btree ("job_id","event_time");--> statement-breakpoint
CREATE INDEX "lineage_events_dataset_idx" ON "lineage_events" USING btree ("dataset_id","event_time");--> statement-breakpoint
CREATE INDEX "column_lineage_output_idx" ON "column_lineage" USING btree ("output_dataset_id");--> statement-breakpoint
CREATE INDEX "column_lineage_input_idx" ON "column_lineage" USING btree ("input_dataset_id");--> statement-breakpoint
CREATE INDEX "dataset_fields_dataset_idx" ON "dataset_fields" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "dataset_symlinks_dataset_idx" ON "dataset_symlinks" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "dataset_symlinks_target_idx" ON "dataset_symlinks" USING btree ("target_id");--> statement-breakpoint
CREATE INDEX "dataset_versions_dataset_idx" ON "dataset_versions" USING btree ("dataset_id","created_at");--> statement-breakpoint
CREATE INDEX "dataset_versions_key_idx" ON "dataset_versions" USING btree ("version_key");--> statement-breakpoint
CREATE INDEX "dataset_versions_run_idx" ON "dataset_versions" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "datasets_namespace_idx" ON "datasets" USING btree ("namespace_id","updated_at");--> statement-breakpoint
CREATE INDEX "job_io_job_idx" ON "job_io" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "job_io_dataset_idx" ON "job_io" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "job_version_io_dataset_idx" ON "job_version_io" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "job_versions_job_idx" ON "job_versions" USING btree ("job_id","created_at");--> statement-breakpoint
CREATE INDEX "jobs_namespace_idx" ON "jobs" USING btree ("namespace_id","updated_at");--> statement-breakpoint
CREATE INDEX "jobs_parent_idx" ON "jobs" USING btree ("parent_job_id");--> statement-breakpoint
CREATE INDEX "run_io_run_idx" ON "run_io" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "run_io_dataset_idx" ON "run_io" USING btree ("dataset_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_job_idx" ON "runs" USING btree ("job_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_parent_idx" ON "runs" USING btree ("parent_run_id");--> statement-breakpoint
CREATE INDEX "runs_job_version_idx" ON "runs" USING btree ("job_version_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_updated_idx" ON "runs" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "facets_run_idx" ON "facets" USING btree ("run_id");