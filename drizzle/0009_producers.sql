CREATE TABLE "rejected_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"received_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"producer" text,
	"event_type" text,
	"run_id" uuid,
	"errors" jsonb NOT NULL,
	"raw" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rejected_events_producer_idx" ON "rejected_events" USING btree ("producer","received_at");--> statement-breakpoint
-- From now on a producer too long for a btree key, or empty, is left out of the column (src/ingest/producer.ts);
-- those stored before are left out too, or the index could not be built. The verbatim events keep them.
UPDATE "lineage_events" SET "producer" = NULL WHERE length("producer") > 512 OR "producer" = '';--> statement-breakpoint
CREATE INDEX "lineage_events_producer_idx" ON "lineage_events" USING btree ("producer","event_time");--> statement-breakpoint
CREATE INDEX "lineage_events_producer_warned_idx" ON "lineage_events" USING btree ("producer","event_time") WHERE "lineage_events"."warnings" is not null;
