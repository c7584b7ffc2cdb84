CREATE TABLE "sync_failures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"person_id" uuid,
	"provider_id" text,
	"operation" text NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"reason" text NOT NULL,
	"cause" text,
	"attempts" integer DEFAULT 1 NOT NULL,
	"person_version" integer,
	"first_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retry_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "sync_failures" ADD CONSTRAINT "sync_failures_connection_id_sync_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."sync_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_failures" ADD CONSTRAINT "sync_failures_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_failures_connection_idx" ON "sync_failures" USING btree ("connection_id","last_failed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_failures_person_uq" ON "sync_failures" USING btree ("connection_id","person_id") WHERE person_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "sync_failures_contact_uq" ON "sync_failures" USING btree ("connection_id","provider_id") WHERE operation = 'read';