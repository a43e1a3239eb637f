-- The time index carries each event's run id: the events listing (GET /api/v1/events/lineage) counts the
-- RunEvents of a time window (Marquez's web UI always asks for one) from the index alone, where it read
-- every event of the window from the table for its run id (a window of 14,400 events: 33-55 ms and 14,249
-- pages, against 6.7-11.5 ms and 75 pages). Drizzle cannot declare INCLUDE: src/db/schema/events.ts names
-- the index, this says what it holds. On the partitioned table, as before: every partition gets its own.
DROP INDEX IF EXISTS "lineage_events_event_time_idx";--> statement-breakpoint
CREATE INDEX "lineage_events_event_time_idx" ON "lineage_events" USING btree ("event_time") INCLUDE ("run_id");
