-- PGlite forgets its statistics counters on every close, which its upkeep (src/db/vacuum.ts) decides from:
-- they are carried here from one open to the next. Empty on PostgreSQL, whose autovacuum keeps its own.
CREATE TABLE "upkeep_counters" (
	"table_name" text PRIMARY KEY NOT NULL,
	"dead_rows" bigint DEFAULT 0 NOT NULL,
	"inserted_since_vacuum" bigint DEFAULT 0 NOT NULL,
	"modified_since_analyze" bigint DEFAULT 0 NOT NULL
);
