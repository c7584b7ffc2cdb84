CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "persons_company_name_idx";--> statement-breakpoint
ALTER TABLE "sync_links" ADD COLUMN "photo_url" text;--> statement-breakpoint
CREATE INDEX "persons_list_name_idx" ON "persons" USING btree ("company_id",lower("last_name"),lower("first_name"),"id") WHERE "persons"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "persons_search_trgm_idx" ON "persons" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "sync_events_kind_idx" ON "sync_events" USING btree ("connection_id","kind","created_at");--> statement-breakpoint
CREATE INDEX "sync_links_pending_idx" ON "sync_links" USING btree ("connection_id") WHERE "sync_links"."provider_id" like 'pending:%';--> statement-breakpoint
CREATE INDEX "sync_links_photo_idx" ON "sync_links" USING btree ("connection_id") WHERE "sync_links"."photo_url" is not null;