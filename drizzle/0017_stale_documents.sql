CREATE TABLE "stale_documents" (
	"kind" text NOT NULL,
	"id" uuid NOT NULL,
	"runs" uuid[],
	CONSTRAINT "stale_documents_kind_id_pk" PRIMARY KEY("kind","id")
);
