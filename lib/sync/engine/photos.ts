// Photos come after the run. A run only notes, on the link it creates, which photo the provider
// may have (sync_links.photo_url); syncPhotos fetches them afterwards. Graph cannot say in a
// delta which contacts have a photo, so every new Microsoft contact is a candidate: 25,000
// contacts are 1,250 `$batch` calls, which would be 98 % of an initial run's calls while adding
// nothing to its contacts. The backlog is durable: a crash or a failing photo server only
// defers photos to the next time. A picture already set in the CRM is never replaced, and only
// persons the connection's user may edit get one.
import crypto from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { addMissingPictures, asConnection } from "@/db/queries/person-writes";
import { getViewer } from "@/db/queries/users";
import { personPictures, syncConnections, syncLinks } from "@/db/schema";
import { silentLogger, type Logger } from "@/lib/logger";
import { acquireLease, keepLease, LeaseLostError, releaseLease, renewLease } from "../lease";
import type { Photo, ProviderAdapter } from "../provider";

const PHOTO_BATCH = 100;
const PHOTO_BUDGET_MS = 5 * 60_000;

export type PhotoSummary =
  | { status: "skipped"; reason: "busy" | "user_inactive" }
  | { status: "done"; fetched: number; checked: number; remaining: boolean; error?: string };

export type SyncPhotosOptions = {
  db: DB;
  connectionId: string;
  adapter: Pick<ProviderAdapter, "fetchPhotos">;
  logger?: Logger;
  /** Stops after this long (the backlog left is fetched next time). */
  budgetMs?: number;
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Fetches the photos the connection's runs noted, while the person still has no picture.
 * One connection's photos at a time (the run lease). */
export async function syncPhotos(opts: SyncPhotosOptions): Promise<PhotoSummary> {
  const { db, connectionId, adapter } = opts;
  const logger = opts.logger ?? silentLogger;
  const [conn] = await db.select({ userId: syncConnections.userId }).from(syncConnections).where(eq(syncConnections.id, connectionId));
  const user = conn ? await getViewer(db, conn.userId) : null;
  if (!user) return { status: "skipped", reason: "user_inactive" };
  const actor = asConnection(connectionId, user);
  const owner = `photos:${crypto.randomUUID()}`;
  if (!(await acquireLease(db, connectionId, owner))) return { status: "skipped", reason: "busy" };
  const lease = keepLease(db, connectionId, owner);
  const until = Date.now() + (opts.budgetMs ?? PHOTO_BUDGET_MS);
  let fetched = 0;
  let checked = 0;
  try {
    for (;;) {
      if (Date.now() > until) return { status: "done", fetched, checked, remaining: true };
      const batch = await db
        .select({
          id: syncLinks.id,
          personId: syncLinks.personId,
          providerId: syncLinks.providerId,
          photoUrl: syncLinks.photoUrl,
          hasPicture: sql<boolean>`${personPictures.personId} is not null`,
        })
        .from(syncLinks)
        .leftJoin(personPictures, eq(personPictures.personId, syncLinks.personId))
        .where(and(eq(syncLinks.connectionId, connectionId), sql`${syncLinks.photoUrl} is not null`))
        .limit(PHOTO_BATCH);
      if (batch.length === 0) return { status: "done", fetched, checked, remaining: false };
      const wanted = batch.filter((b) => !b.hasPicture);
      let photos: (Photo | null)[] = [];
      if (wanted.length > 0) {
        try {
          photos = await adapter.fetchPhotos(wanted.map((b) => ({ id: b.providerId, photoUrl: b.photoUrl! })));
        } catch (error) {
          // Transient (retries spent) or a revoked grant: the backlog stays for the next time.
          logger.warn("photo fetch failed", { connectionId, error: messageOf(error) });
          return { status: "done", fetched, checked, remaining: true, error: messageOf(error) };
        }
      }
      const pictures = wanted.flatMap((b, k) => {
        const photo = photos[k];
        return photo ? [{ personId: b.personId, contentType: photo.contentType, data: photo.data }] : [];
      });
      lease.progress();
      if (lease.lost || !(await renewLease(db, connectionId, owner))) throw new LeaseLostError();
      await db.transaction(async (tx) => {
        await addMissingPictures(tx, actor, pictures);
        // Cleared only if not noted again meanwhile (a link re-created by a later run).
        await tx.execute(sql`update ${syncLinks} l set photo_url = null
          from json_to_recordset(${JSON.stringify(batch.map((b) => ({ id: b.id, url: b.photoUrl })))}::json) as v(id uuid, url text)
          where l.id = v.id and l.photo_url = v.url`);
      });
      fetched += pictures.length;
      checked += batch.length;
    }
  } finally {
    lease.stop();
    await releaseLease(db, connectionId, owner);
  }
}
