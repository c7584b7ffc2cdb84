CREATE TYPE "public"."sync_connection_status" AS ENUM('active', 'paused', 'needs_confirmation', 'reconnect_needed', 'error');--> statement-breakpoint
CREATE TYPE "public"."sync_direction" AS ENUM('one_way', 'two_way');--> statement-breakpoint
CREATE TYPE "public"."sync_event_kind" AS ENUM('added', 'updated', 'deleted', 'conflict', 'error', 'held_deletion', 'restored');--> statement-breakpoint
CREATE TYPE "public"."sync_provider" AS ENUM('google', 'microsoft');--> statement-breakpoint
CREATE TYPE "public"."sync_run_outcome" AS ENUM('running', 'succeeded', 'held', 'failed', 'reconnect_needed');--> statement-breakpoint
CREATE TYPE "public"."sync_run_trigger" AS ENUM('initial', 'scheduled', 'manual', 'cli');--> statement-breakpoint
CREATE TYPE "public"."sync_side" AS ENUM('crm', 'provider');--> statement-breakpoint
CREATE TABLE "sync_connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"provider" "sync_provider" NOT NULL,
	"account_email" text NOT NULL,
	"tokens" text,
	"group_id" text,
	"group_name" text,
	"direction" "sync_direction" DEFAULT 'one_way' NOT NULL,
	"visibility" "visibility" DEFAULT 'company' NOT NULL,
	"status" "sync_connection_status" DEFAULT 'active' NOT NULL,
	"last_error" text,
	"cursor" text,
	"push_watermark" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"lease_owner" text,
	"last_run_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_connections_user_account_uq" UNIQUE("user_id","provider","account_email")
);
--> statement-breakpoint
CREATE TABLE "sync_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"run_id" uuid,
	"person_id" uuid,
	"provider_id" text,
	"kind" "sync_event_kind" NOT NULL,
	"side" "sync_side" NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"provider_id" text NOT NULL,
	"etag" text,
	"base" jsonb NOT NULL,
	"crm_version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_links_provider_uq" UNIQUE("connection_id","provider_id"),
	CONSTRAINT "sync_links_person_uq" UNIQUE("connection_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"trigger" "sync_run_trigger" NOT NULL,
	"outcome" "sync_run_outcome" DEFAULT 'running' NOT NULL,
	"full_sync" boolean DEFAULT false NOT NULL,
	"counts" jsonb NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"total" integer,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "persons" DROP CONSTRAINT "persons_has_name";--> statement-breakpoint
ALTER TABLE "sync_connections" ADD CONSTRAINT "sync_connections_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_connections" ADD CONSTRAINT "sync_connections_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_events" ADD CONSTRAINT "sync_events_connection_id_sync_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."sync_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_events" ADD CONSTRAINT "sync_events_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_events" ADD CONSTRAINT "sync_events_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_links" ADD CONSTRAINT "sync_links_connection_id_sync_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."sync_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_links" ADD CONSTRAINT "sync_links_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_connection_id_sync_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."sync_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_connections_company_idx" ON "sync_connections" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "sync_events_connection_idx" ON "sync_events" USING btree ("connection_id","created_at");--> statement-breakpoint
CREATE INDEX "sync_events_person_idx" ON "sync_events" USING btree ("person_id","created_at");--> statement-breakpoint
CREATE INDEX "sync_links_person_idx" ON "sync_links" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "sync_runs_connection_idx" ON "sync_runs" USING btree ("connection_id","started_at");