DROP INDEX "persons_owner_idx";--> statement-breakpoint
ALTER TABLE "sync_links" ADD COLUMN "crm_changed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "persons_owner_created_idx" ON "persons" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "sync_links_crm_changed_idx" ON "sync_links" USING btree ("connection_id") WHERE "sync_links"."crm_changed";--> statement-breakpoint
-- Links whose person changed before this migration keep waiting to be sent.
UPDATE "sync_links" SET "crm_changed" = true FROM "persons" WHERE "persons"."id" = "sync_links"."person_id" AND "persons"."version" <> "sync_links"."crm_version";
