ALTER TYPE "public"."sync_connection_status" ADD VALUE 'preview';--> statement-breakpoint
ALTER TYPE "public"."sync_event_kind" ADD VALUE 'linked';--> statement-breakpoint
CREATE TABLE "sync_preview_contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"provider_id" text NOT NULL,
	"contact" jsonb NOT NULL,
	"label" text NOT NULL,
	"decision" text NOT NULL,
	"person_id" uuid,
	"candidates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"matched_by" text,
	CONSTRAINT "sync_preview_contacts_uq" UNIQUE("connection_id","provider_id")
);
--> statement-breakpoint
ALTER TABLE "sync_connections" ADD COLUMN "first_sync_awaits_grant" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_preview_contacts" ADD CONSTRAINT "sync_preview_contacts_connection_id_sync_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."sync_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_preview_contacts" ADD CONSTRAINT "sync_preview_contacts_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_preview_contacts_order_idx" ON "sync_preview_contacts" USING btree ("connection_id","decision","label");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_preview_contacts_link_uq" ON "sync_preview_contacts" USING btree ("connection_id","person_id") WHERE decision = 'link';