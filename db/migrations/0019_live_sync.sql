-- Live sync (#27): runs asked for by a CRM edit, a provider's notification or a cheap check say so
-- (new run triggers, and the reason of a waiting request, which may lie ~2 s ahead); a
-- connection's Graph subscription; when a user was last seen (an active user's connections are
-- checked every minute).
ALTER TYPE "public"."sync_run_trigger" ADD VALUE 'change';--> statement-breakpoint
ALTER TYPE "public"."sync_run_trigger" ADD VALUE 'notification';--> statement-breakpoint
ALTER TYPE "public"."sync_run_trigger" ADD VALUE 'check';--> statement-breakpoint
CREATE TABLE "sync_subscriptions" (
	"connection_id" uuid PRIMARY KEY NOT NULL,
	"subscription_id" text NOT NULL,
	"client_state_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"renewed_at" timestamp with time zone,
	CONSTRAINT "sync_subscriptions_subscription_uq" UNIQUE("subscription_id")
);
--> statement-breakpoint
ALTER TABLE "sync_connections" ADD COLUMN "run_request_reason" text;--> statement-breakpoint
ALTER TABLE "sync_connections" ADD COLUMN "next_check_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sync_subscriptions" ADD CONSTRAINT "sync_subscriptions_connection_id_sync_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."sync_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_subscriptions_expiry_idx" ON "sync_subscriptions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sync_connections_check_idx" ON "sync_connections" USING btree ("next_check_at") WHERE "sync_connections"."next_check_at" is not null;