-- Rows left behind by deletions before the registry's foreign keys existed (a model deleted, a version
-- deleted) would refuse the constraints below: they belong to nothing and go first. Models before versions,
-- versions before what belongs to them. The audit log keeps their history.
DELETE FROM "registered_model_tags" t WHERE NOT EXISTS (SELECT 1 FROM "registered_models" m WHERE m."name" = t."model_name");--> statement-breakpoint
DELETE FROM "model_versions" v WHERE NOT EXISTS (SELECT 1 FROM "registered_models" m WHERE m."name" = v."model_name");--> statement-breakpoint
DELETE FROM "model_aliases" x WHERE NOT EXISTS (SELECT 1 FROM "model_versions" v WHERE v."model_name" = x."model_name" AND v."version" = x."version");--> statement-breakpoint
DELETE FROM "model_approvals" x WHERE NOT EXISTS (SELECT 1 FROM "model_versions" v WHERE v."model_name" = x."model_name" AND v."version" = x."version");--> statement-breakpoint
DELETE FROM "model_cards" x WHERE NOT EXISTS (SELECT 1 FROM "model_versions" v WHERE v."model_name" = x."model_name" AND v."version" = x."version");--> statement-breakpoint
DELETE FROM "model_link_decisions" x WHERE NOT EXISTS (SELECT 1 FROM "model_versions" v WHERE v."model_name" = x."model_name" AND v."version" = x."version");--> statement-breakpoint
DELETE FROM "model_version_tags" x WHERE NOT EXISTS (SELECT 1 FROM "model_versions" v WHERE v."model_name" = x."model_name" AND v."version" = x."version");--> statement-breakpoint
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_approvals" ADD CONSTRAINT "model_approvals_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_cards" ADD CONSTRAINT "model_cards_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_link_decisions" ADD CONSTRAINT "model_link_decisions_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_version_tags" ADD CONSTRAINT "model_version_tags_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_model_fk" FOREIGN KEY ("model_name") REFERENCES "public"."registered_models"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registered_model_tags" ADD CONSTRAINT "registered_model_tags_model_fk" FOREIGN KEY ("model_name") REFERENCES "public"."registered_models"("name") ON DELETE cascade ON UPDATE no action;