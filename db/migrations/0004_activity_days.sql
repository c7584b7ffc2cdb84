CREATE TABLE "sync_activity_days" (
	"connection_id" uuid NOT NULL,
	"day" date NOT NULL,
	"added" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"deleted" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "sync_activity_days_connection_id_day_pk" PRIMARY KEY("connection_id","day")
);
--> statement-breakpoint
ALTER TABLE "sync_activity_days" ADD CONSTRAINT "sync_activity_days_connection_id_sync_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."sync_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The days of the events already recorded.
INSERT INTO "sync_activity_days" ("connection_id", "day", "added", "updated", "deleted")
SELECT "connection_id", ("created_at" AT TIME ZONE 'UTC')::date,
       count(*) FILTER (WHERE "kind" = 'added'), count(*) FILTER (WHERE "kind" = 'updated'), count(*) FILTER (WHERE "kind" = 'deleted')
FROM "sync_events" WHERE "kind" IN ('added', 'updated', 'deleted') GROUP BY 1, 2;
