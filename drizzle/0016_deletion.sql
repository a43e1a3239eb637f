CREATE TABLE "hidden_entities" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"namespace_id" uuid NOT NULL,
	"hidden_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"hidden_by" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "hidden_entities_namespace_idx" ON "hidden_entities" USING btree ("namespace_id","kind");