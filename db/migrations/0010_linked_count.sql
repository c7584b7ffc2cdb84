ALTER TABLE "sync_connections" ADD COLUMN "linked_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- sync_connections.linked_count follows the connection's links to provider contacts (not the
-- placeholders of creates not yet confirmed): one update per statement that changes links.
CREATE FUNCTION "sync_links_count"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its event has.
  IF TG_OP = 'INSERT' THEN
    UPDATE "sync_connections" c SET "linked_count" = c."linked_count" + d."delta"
    FROM (SELECT "connection_id", count(*)::int AS "delta" FROM "new_rows"
          WHERE "provider_id" !~ '^(pending|unconfirmed|tocreate):' GROUP BY "connection_id") AS d
    WHERE c."id" = d."connection_id";
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE "sync_connections" c SET "linked_count" = c."linked_count" - d."delta"
    FROM (SELECT "connection_id", count(*)::int AS "delta" FROM "old_rows"
          WHERE "provider_id" !~ '^(pending|unconfirmed|tocreate):' GROUP BY "connection_id") AS d
    WHERE c."id" = d."connection_id";
  ELSE
    UPDATE "sync_connections" c SET "linked_count" = c."linked_count" + d."delta"
    FROM (SELECT "connection_id", sum("delta")::int AS "delta" FROM (
            SELECT "connection_id", 1 AS "delta" FROM "new_rows" WHERE "provider_id" !~ '^(pending|unconfirmed|tocreate):'
            UNION ALL
            SELECT "connection_id", -1 FROM "old_rows" WHERE "provider_id" !~ '^(pending|unconfirmed|tocreate):'
          ) AS "changes" GROUP BY "connection_id") AS d
    WHERE c."id" = d."connection_id" AND d."delta" <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "sync_links_count_insert" AFTER INSERT ON "sync_links" REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "sync_links_count"();
--> statement-breakpoint
CREATE TRIGGER "sync_links_count_update" AFTER UPDATE ON "sync_links" REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "sync_links_count"();
--> statement-breakpoint
CREATE TRIGGER "sync_links_count_delete" AFTER DELETE ON "sync_links" REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "sync_links_count"();
--> statement-breakpoint
UPDATE "sync_connections" c SET "linked_count" = (SELECT count(*) FROM "sync_links" l WHERE l."connection_id" = c."id" AND l."provider_id" !~ '^(pending|unconfirmed|tocreate):');
