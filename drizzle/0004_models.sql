CREATE TABLE "audit_log" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"model_name" text,
	"version" integer,
	"detail" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"endpoint" text NOT NULL,
	"environment" text NOT NULL,
	"model_name" text NOT NULL,
	"version" integer NOT NULL,
	"actor" text NOT NULL,
	"deployed_at" timestamp(6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_aliases" (
	"model_name" text NOT NULL,
	"alias" text NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "model_aliases_model_name_alias_pk" PRIMARY KEY("model_name","alias")
);
--> statement-breakpoint
CREATE TABLE "model_approvals" (
	"model_name" text NOT NULL,
	"version" integer NOT NULL,
	"actor" text NOT NULL,
	"comment" text,
	"approved_at" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "model_approvals_model_name_version_actor_pk" PRIMARY KEY("model_name","version","actor")
);
--> statement-breakpoint
CREATE TABLE "model_cards" (
	"model_name" text NOT NULL,
	"version" integer NOT NULL,
	"markdown" text NOT NULL,
	"fields" jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "model_cards_model_name_version_pk" PRIMARY KEY("model_name","version")
);
--> statement-breakpoint
CREATE TABLE "model_link_decisions" (
	"link_id" uuid PRIMARY KEY NOT NULL,
	"model_name" text NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"actor" text NOT NULL,
	"comment" text,
	"decided_at" timestamp(6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_version_tags" (
	"model_name" text NOT NULL,
	"version" integer NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "model_version_tags_model_name_version_key_pk" PRIMARY KEY("model_name","version","key")
);
--> statement-breakpoint
CREATE TABLE "model_versions" (
	"model_name" text NOT NULL,
	"version" integer NOT NULL,
	"source" text,
	"run_id" text,
	"run_link" text,
	"description" text,
	"status" text NOT NULL,
	"stage" text NOT NULL,
	"user_id" text,
	"run_uuid" uuid,
	"source_dataset_ids" uuid[] NOT NULL,
	"source_model_name" text,
	"source_model_version" integer,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "model_versions_model_name_version_pk" PRIMARY KEY("model_name","version")
);
--> statement-breakpoint
CREATE TABLE "registered_model_tags" (
	"model_name" text NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "registered_model_tags_model_name_key_pk" PRIMARY KEY("model_name","key")
);
--> statement-breakpoint
CREATE TABLE "registered_models" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text,
	"owner" text,
	"created_by" text,
	"created_at" timestamp(6) with time zone NOT NULL,
	"updated_at" timestamp(6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_log_model_idx" ON "audit_log" USING btree ("model_name","version","seq");--> statement-breakpoint
CREATE INDEX "deployments_endpoint_idx" ON "deployments" USING btree ("endpoint","environment","deployed_at");--> statement-breakpoint
CREATE INDEX "deployments_version_idx" ON "deployments" USING btree ("model_name","version");--> statement-breakpoint
CREATE INDEX "model_link_decisions_version_idx" ON "model_link_decisions" USING btree ("model_name","version");--> statement-breakpoint
CREATE INDEX "model_versions_run_uuid_idx" ON "model_versions" USING btree ("run_uuid");--> statement-breakpoint
CREATE INDEX "model_versions_run_id_idx" ON "model_versions" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "model_versions_source_dataset_idx" ON "model_versions" USING gin ("source_dataset_ids");--> statement-breakpoint
CREATE INDEX "model_versions_stage_idx" ON "model_versions" USING btree ("model_name","stage");--> statement-breakpoint
-- The audit log is append-only for everyone, the application included: rows cannot be changed or removed.
CREATE FUNCTION pedigree_audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION pedigree_audit_log_is_append_only();--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION pedigree_audit_log_is_append_only();--> statement-breakpoint
-- Registry run ids carried by OpenLineage runs (a tags facet `mlflow.run_id`, or an `mlflow` facet's
-- `run_id`): reconciliation looks them up by value.
CREATE INDEX facets_registry_run_idx ON facets USING gin (value jsonb_path_ops) WHERE name IN ('tags', 'mlflow');
--> statement-breakpoint
-- src/ids.ts idOf in SQL (sha-256 of kind NUL part NUL part..., first 16 bytes, RFC 9562 v8 bits), so
-- reads can name rows by their natural keys (a run input's facets, ...). test/models.test.ts checks both agree.
CREATE FUNCTION pedigree_id(kind text, VARIADIC parts text[] DEFAULT '{}') RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT encode(set_byte(set_byte(d, 6, (get_byte(d, 6) & 15) | 128), 8, (get_byte(d, 8) & 63) | 128), 'hex')::uuid
  FROM (SELECT substring(sha256(convert_to(kind, 'UTF8') || '\x00'::bytea || coalesce(
    (SELECT string_agg(convert_to(p, 'UTF8'), '\x00'::bytea ORDER BY i) FROM unnest(parts) WITH ORDINALITY AS u(p, i)),
    ''::bytea)) FROM 1 FOR 16) AS d) AS digest
$$;
