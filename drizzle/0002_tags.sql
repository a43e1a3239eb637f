CREATE TABLE "dataset_field_tags" (
	"field_id" uuid NOT NULL,
	"dataset_id" uuid NOT NULL,
	"field" text NOT NULL,
	"tag" text NOT NULL,
	"tagged_at" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "dataset_field_tags_field_id_tag_pk" PRIMARY KEY("field_id","tag")
);
--> statement-breakpoint
CREATE TABLE "dataset_tags" (
	"dataset_id" uuid NOT NULL,
	"tag" text NOT NULL,
	"tagged_at" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "dataset_tags_dataset_id_tag_pk" PRIMARY KEY("dataset_id","tag")
);
--> statement-breakpoint
CREATE TABLE "job_tags" (
	"job_id" uuid NOT NULL,
	"tag" text NOT NULL,
	"tagged_at" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "job_tags_job_id_tag_pk" PRIMARY KEY("job_id","tag")
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "dataset_field_tags_dataset_idx" ON "dataset_field_tags" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "dataset_tags_tag_idx" ON "dataset_tags" USING btree ("tag");--> statement-breakpoint
-- Marquez deployments commonly define these two; the web UI offers the known tags in its tag picker.
INSERT INTO "tags" ("name", "description", "created_at", "updated_at") VALUES
	('PII', 'Personally identifiable information', now(), now()),
	('SENSITIVE', 'Contains sensitive information', now(), now())
ON CONFLICT DO NOTHING;
