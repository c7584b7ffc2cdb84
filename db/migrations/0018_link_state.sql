-- A link's state is a column instead of a prefix on its provider id ("pending:<person id>",
-- "unconfirmed:<person id>", "tocreate:<person id>"), and "waiting to be sent" is a null
-- crm_version instead of -1. Every row keeps what it meant; the prefix's person id is the link's
-- own person_id (placeholders were only ever made from it).
CREATE TYPE "public"."sync_link_state" AS ENUM('linked', 'pending_create', 'unconfirmed', 'to_create');--> statement-breakpoint
ALTER TABLE "sync_links" ADD COLUMN "state" "sync_link_state" DEFAULT 'linked' NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_links" ALTER COLUMN "provider_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_links" ALTER COLUMN "base" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_links" ALTER COLUMN "crm_version" DROP NOT NULL;--> statement-breakpoint
-- (The linked_count triggers of migration 0010 do not count placeholders, nor a null provider
-- id: these updates leave the counters as they are.)
UPDATE "sync_links" SET "state" = 'pending_create', "provider_id" = NULL WHERE "provider_id" LIKE 'pending:%';--> statement-breakpoint
UPDATE "sync_links" SET "state" = 'unconfirmed', "provider_id" = NULL WHERE "provider_id" LIKE 'unconfirmed:%';--> statement-breakpoint
-- A request to create carried no contact (its base was {}) and no version (0).
UPDATE "sync_links" SET "state" = 'to_create', "provider_id" = NULL, "base" = NULL, "crm_version" = NULL WHERE "provider_id" LIKE 'tocreate:%';--> statement-breakpoint
UPDATE "sync_links" SET "crm_version" = NULL WHERE "crm_version" = -1;--> statement-breakpoint
DROP INDEX "sync_links_placeholder_idx";--> statement-breakpoint
CREATE INDEX "sync_links_unlinked_idx" ON "sync_links" USING btree ("connection_id","state") WHERE "sync_links"."state" <> 'linked';--> statement-breakpoint
ALTER TABLE "sync_links" ADD CONSTRAINT "sync_links_provider_id_ck" CHECK (("sync_links"."state" = 'linked') = ("sync_links"."provider_id" is not null));--> statement-breakpoint
ALTER TABLE "sync_links" ADD CONSTRAINT "sync_links_base_ck" CHECK ("sync_links"."base" is not null or "sync_links"."state" = 'to_create');--> statement-breakpoint
-- sync_connections.linked_count counts the links in state "linked".
CREATE OR REPLACE FUNCTION "sync_links_count"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its event has.
  IF TG_OP = 'INSERT' THEN
    UPDATE "sync_connections" c SET "linked_count" = c."linked_count" + d."delta"
    FROM (SELECT "connection_id", count(*)::int AS "delta" FROM "new_rows"
          WHERE "state" = 'linked' GROUP BY "connection_id") AS d
    WHERE c."id" = d."connection_id";
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE "sync_connections" c SET "linked_count" = c."linked_count" - d."delta"
    FROM (SELECT "connection_id", count(*)::int AS "delta" FROM "old_rows"
          WHERE "state" = 'linked' GROUP BY "connection_id") AS d
    WHERE c."id" = d."connection_id";
  ELSE
    UPDATE "sync_connections" c SET "linked_count" = c."linked_count" + d."delta"
    FROM (SELECT "connection_id", sum("delta")::int AS "delta" FROM (
            SELECT "connection_id", 1 AS "delta" FROM "new_rows" WHERE "state" = 'linked'
            UNION ALL
            SELECT "connection_id", -1 FROM "old_rows" WHERE "state" = 'linked'
          ) AS "changes" GROUP BY "connection_id") AS d
    WHERE c."id" = d."connection_id" AND d."delta" <> 0;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
UPDATE "sync_connections" c SET "linked_count" = (SELECT count(*) FROM "sync_links" l WHERE l."connection_id" = c."id" AND l."state" = 'linked');
