-- Renaming a registered model (MLflow's registered-models/rename) is one UPDATE of its row: everything keyed by
-- its name, and by its versions, follows through ON UPDATE CASCADE.
ALTER TABLE "model_aliases" DROP CONSTRAINT "model_aliases_version_fk";
--> statement-breakpoint
ALTER TABLE "model_approvals" DROP CONSTRAINT "model_approvals_version_fk";
--> statement-breakpoint
ALTER TABLE "model_cards" DROP CONSTRAINT "model_cards_version_fk";
--> statement-breakpoint
ALTER TABLE "model_link_decisions" DROP CONSTRAINT "model_link_decisions_version_fk";
--> statement-breakpoint
ALTER TABLE "model_version_links" DROP CONSTRAINT "model_version_links_version_fk";
--> statement-breakpoint
ALTER TABLE "model_version_tag_parts" DROP CONSTRAINT "model_version_tag_parts_version_fk";
--> statement-breakpoint
ALTER TABLE "model_version_tags" DROP CONSTRAINT "model_version_tags_version_fk";
--> statement-breakpoint
ALTER TABLE "model_versions" DROP CONSTRAINT "model_versions_model_fk";
--> statement-breakpoint
ALTER TABLE "registered_model_tags" DROP CONSTRAINT "registered_model_tags_model_fk";
--> statement-breakpoint
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "model_approvals" ADD CONSTRAINT "model_approvals_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "model_cards" ADD CONSTRAINT "model_cards_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "model_link_decisions" ADD CONSTRAINT "model_link_decisions_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "model_version_links" ADD CONSTRAINT "model_version_links_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "model_version_tag_parts" ADD CONSTRAINT "model_version_tag_parts_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "model_version_tags" ADD CONSTRAINT "model_version_tags_version_fk" FOREIGN KEY ("model_name","version") REFERENCES "public"."model_versions"("model_name","version") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_model_fk" FOREIGN KEY ("model_name") REFERENCES "public"."registered_models"("name") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "registered_model_tags" ADD CONSTRAINT "registered_model_tags_model_fk" FOREIGN KEY ("model_name") REFERENCES "public"."registered_models"("name") ON DELETE cascade ON UPDATE cascade;