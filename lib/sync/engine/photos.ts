// Photos come after the run. A run only notes, on the link it creates, which photo the provider
// may have (sync_links.photo_url); syncPhotos fetches them afterwards. Graph cannot say in a
// delta which contacts have a photo, so every new Microsoft contact is a candidate; rather than
// ask each (25,000 contacts were 25,000 requests, 2.5 times a mailbox's limit of 10,000 per 10
// minutes), the phase lists the folder's contacts that have one (contactsWithPhotos, Exchange's
// PidLidHasPicture) and fetches only those. Where the provider limits an account's requests
// (photoQuota), the phase keeps to its share, counted in sync_connections across phases, and
// leaves the rest for a later one. The backlog is durable: a crash or a failing photo server only
// defers photos to the next time. A picture already set in the CRM is never replaced, and only
// persons the connection's user may edit get one.
import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { addMissingPictures, asConnection } from "@/db/queries/person-writes";
import { getViewer } from "@/db/queries/users";
import * as links from "@/db/queries/sync/links";
import { syncConnections } from "@/db/schema";
import { silentLogger, type Logger } from "@/lib/logger";
import { acquireLease, keepLease, LeaseLostError, releaseLease, renewLease } from "../jobs/lease";
import type { Photo, PhotoQuota, ProviderAdapter } from "../model/provider";

const PHOTO_BATCH = 100;
const PHOTO_BUDGET_MS = 5 * 60_000;
/** The most picture data one phase stores (a phase follows every run): a backlog of thousands of
 * large photos — or a server that answers every card with 5 MB of one — is taken a share at a
 * time, the rest waiting for the next phase. */
export const PHOTO_BYTES_PER_PHASE = 256 * 1024 * 1024;
/** Asking each of this many candidates costs about what listing the contacts with photos does. */
const LIST_ABOVE = 20;

export type PhotoSummary =
  | { status: "skipped"; reason: "busy" | "user_inactive" }
  | {
      status: "done";
      fetched: number;
      /** Candidates settled: fetched, found to have no photo, or kept for a picture the CRM has. */
      checked: number;
      /** Provider requests made (each photo one, and the listing's calls). */
      requests: number;
      remaining: boolean;
      /** The provider's request share for the window is spent: the rest waits for the next one. */
      quotaSpent?: boolean;
      /** PHOTO_BYTES_PER_PHASE was reached: the rest waits for the next phase. */
      bytesSpent?: boolean;
      error?: string;
    };

export type SyncPhotosOptions = {
  db: DB;
  connectionId: string;
  adapter: Pick<ProviderAdapter, "fetchPhotos" | "contactsWithPhotos" | "photoQuota">;
  logger?: Logger;
  /** Stops after this long (the backlog left is fetched next time). */
  budgetMs?: number;
  /** Stops after storing this much picture data (PHOTO_BYTES_PER_PHASE). */
  bytesPerPhase?: number;
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The requests left in the connection's current quota window (a window past its end starts
 * again). Kept in the database: phases after successive runs, in any worker, share it. */
async function requestsLeft(db: DB, connectionId: string, quota: PhotoQuota): Promise<number> {
  const [row] = await db
    .update(syncConnections)
    .set({
      photoWindowStartedAt: sql`case when ${syncConnections.photoWindowStartedAt} > now() - make_interval(secs => ${quota.windowMs / 1000}) then ${syncConnections.photoWindowStartedAt} else now() end`,
      photoWindowRequests: sql`case when ${syncConnections.photoWindowStartedAt} > now() - make_interval(secs => ${quota.windowMs / 1000}) then ${syncConnections.photoWindowRequests} else 0 end`,
    })
    .where(eq(syncConnections.id, connectionId))
    .returning({ used: syncConnections.photoWindowRequests });
  return Math.max(0, quota.requests - (row?.used ?? 0));
}

async function spendRequests(db: DB, connectionId: string, n: number): Promise<void> {
  if (n > 0) await db.update(syncConnections).set({ photoWindowRequests: sql`${syncConnections.photoWindowRequests} + ${n}` }).where(eq(syncConnections.id, connectionId));
}

/** Fetches the photos the connection's runs noted, while the person still has no picture.
 * One connection's photos at a time (the run lease). */
export async function syncPhotos(opts: SyncPhotosOptions): Promise<PhotoSummary> {
  const { db, connectionId, adapter } = opts;
  const logger = opts.logger ?? silentLogger;
  // The backlog's size, counted up to the point where listing pays (sync_links_photo_idx). Most
  // runs note no photo: then nothing more is read or locked.
  const backlog = await links.photoBacklog(db, connectionId, LIST_ABOVE + 1);
  if (backlog === 0) return { status: "done", fetched: 0, checked: 0, requests: 0, remaining: false };
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
  let requests = 0;
  let bytes = 0;
  const quota = adapter.photoQuota;
  let left = quota ? await requestsLeft(db, connectionId, quota) : Infinity;
  const done = (extra: { remaining: boolean; quotaSpent?: boolean; bytesSpent?: boolean; error?: string }): PhotoSummary => ({ status: "done", fetched, checked, requests, ...extra });
  const spend = async (n: number) => {
    requests += n;
    left -= n;
    if (quota) await spendRequests(db, connectionId, n);
  };
  try {
    if (adapter.contactsWithPhotos && backlog > LIST_ABOVE) {
      if (left < 1) return done({ remaining: true, quotaSpent: true });
      let listed: { ids: Set<string>; requests: number };
      try {
        listed = await adapter.contactsWithPhotos();
      } catch (error) {
        logger.warn("photo listing failed", { connectionId, error: messageOf(error) });
        return done({ remaining: true, error: messageOf(error) });
      }
      await spend(listed.requests);
      // The candidates without a photo are settled at once, in one statement: nothing to fetch.
      checked += await links.clearPhotosExcept(db, connectionId, listed.ids);
    }
    for (;;) {
      if (Date.now() > until) return done({ remaining: true });
      const batch = await links.photosToFetch(db, connectionId, PHOTO_BATCH);
      if (batch.length === 0) return done({ remaining: false });
      if (bytes >= (opts.bytesPerPhase ?? PHOTO_BYTES_PER_PHASE)) {
        logger.info("photo phase: as much picture data as one phase stores; the rest waits for the next", { connectionId, bytes });
        return done({ remaining: true, bytesSpent: true });
      }
      const candidates = batch.filter((b) => !b.hasPicture);
      // Within the quota: what does not fit waits, noted, for the next window.
      const wanted = candidates.slice(0, Math.max(0, left));
      const settled = batch.filter((b) => b.hasPicture || wanted.includes(b));
      if (settled.length === 0) return done({ remaining: true, quotaSpent: true });
      let photos: (Photo | null)[] = [];
      if (wanted.length > 0) {
        try {
          photos = await adapter.fetchPhotos(wanted.map((b) => ({ id: b.providerId, photoUrl: b.photoUrl })));
        } catch (error) {
          // Transient (retries spent) or a revoked grant: the backlog stays for the next time.
          logger.warn("photo fetch failed", { connectionId, error: messageOf(error) });
          return done({ remaining: true, error: messageOf(error) });
        }
        await spend(wanted.length);
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
        await links.clearPhotos(tx, settled);
      });
      fetched += pictures.length;
      checked += settled.length;
      bytes += pictures.reduce((n, p) => n + p.data.length, 0);
      if (settled.length < batch.length) return done({ remaining: true, quotaSpent: true });
    }
  } finally {
    lease.stop();
    await releaseLease(db, connectionId, owner);
  }
}
