CREATE TABLE "dataset_documents" (
	"dataset_id" uuid PRIMARY KEY NOT NULL,
	"document" json NOT NULL,
	"node" json NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_documents" (
	"job_id" uuid PRIMARY KEY NOT NULL,
	"document" json NOT NULL,
	"node" json NOT NULL
);
