ALTER TYPE "public"."sync_run_outcome" ADD VALUE 'interrupted';--> statement-breakpoint
ALTER TYPE "public"."sync_run_trigger" ADD VALUE 'resume';--> statement-breakpoint
DROP INDEX "sync_links_pending_idx";--> statement-breakpoint
ALTER TABLE "sync_connections" ADD COLUMN "resume" jsonb;--> statement-breakpoint
ALTER TABLE "sync_links" ADD COLUMN "listed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sync_links" ADD COLUMN "gone" text;--> statement-breakpoint
CREATE INDEX "sync_links_placeholder_idx" ON "sync_links" USING btree ("connection_id") WHERE "sync_links"."provider_id" like 'pending:%' or "sync_links"."provider_id" like 'unconfirmed:%' or "sync_links"."provider_id" like 'tocreate:%';--> statement-breakpoint
CREATE INDEX "sync_links_gone_idx" ON "sync_links" USING btree ("connection_id") WHERE "sync_links"."gone" is not null;