// Live sync through a provider's change notifications (Graph): a connection subscribes after a
// successful run, renews well before the subscription lapses, and unsubscribes when paused or
// removed. A notification only asks for a run (lib/sync/live/receive.ts); the run's delta
// listing reads what changed. Without a reachable https APP_URL (or the demo's local emulator,
// which calls the app directly) there are no notifications, and the connection polls.
import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import * as subscriptions from "@/db/queries/sync/subscriptions";
import { syncConnections, type SyncConnection } from "@/db/schema";
import { env } from "@/lib/env";
import type { Logger } from "@/lib/logger";
import type { NotificationTarget, ProviderAdapter } from "../model/provider";
import { providerDefinition } from "../providers/registry";

/** A subscription is renewed once less than this is left (Graph's contacts last 7 days at most). */
export const RENEW_WHEN_LEFT_MS = 3 * 24 * 3_600_000;

export const NOTIFICATION_PATH = "/api/sync/notifications";
export const LIFECYCLE_PATH = "/api/sync/notifications/lifecycle";

/** Where the provider can reach us: APP_URL when it is https (Graph calls only https), or, for a
 * provider the demo's local emulator serves, the app on its local address. null: no notifications. */
export function notificationTarget(conn: Pick<SyncConnection, "provider">): NotificationTarget | null {
  const root = new URL(env().APP_URL);
  const { auth } = providerDefinition(conn.provider);
  const local = auth.kind === "oauth" && auth.config().demo && ["localhost", "127.0.0.1", "[::1]"].includes(root.hostname);
  if (root.protocol !== "https:" && !local) return null;
  const at = (path: string) => new URL(path, root).toString();
  return { notificationUrl: at(NOTIFICATION_PATH), lifecycleUrl: at(LIFECYCLE_PATH) };
}

/** Whether the connection is kept in step by notifications (else it polls). */
export function hasNotifications(adapterOrProvider: { notifications?: unknown } | null, conn: Pick<SyncConnection, "provider">): boolean {
  return !!adapterOrProvider?.notifications && notificationTarget(conn) !== null;
}

export type KeepOutcome = "none" | "subscribed" | "renewed" | "kept" | "failed";

/** After a successful run: subscribes if the connection has no subscription, renews one that
 * lapses within RENEW_WHEN_LEFT_MS, and makes sure a run comes before it would lapse (a
 * connection that runs only on Refresh still renews). Never throws: without a subscription the
 * connection polls as before. */
export async function keepSubscription(
  db: DB,
  conn: Pick<SyncConnection, "id" | "provider" | "syncIntervalMinutes"> & { nextRunAt?: Date | null },
  adapter: ProviderAdapter,
  target: NotificationTarget | null,
  opts: { logger?: Logger; now?: () => number } = {},
): Promise<KeepOutcome> {
  const channel = adapter.notifications;
  if (!channel || !target) return "none";
  // Synced only on Refresh: not told of changes (a subscription from before goes).
  if (conn.syncIntervalMinutes === 0) {
    const held = await subscriptions.ofConnection(db, conn.id);
    if (held) await channel.unsubscribe(held.subscriptionId).catch(() => {});
    await subscriptions.forget(db, { connectionId: conn.id });
    return "none";
  }
  const now = (opts.now ?? Date.now)();
  const lifetime = channel.maxLifetimeMs;
  let outcome: KeepOutcome = "kept";
  try {
    const current = await subscriptions.ofConnection(db, conn.id);
    let expiresAt = current?.expiresAt ?? null;
    if (current && current.expiresAt.getTime() - now < RENEW_WHEN_LEFT_MS) {
      const renewed = await channel.renew(current.subscriptionId, new Date(now + lifetime));
      if (renewed) {
        await subscriptions.renewed(db, conn.id, renewed.expiresAt);
        expiresAt = renewed.expiresAt;
        outcome = "renewed";
      } else {
        await subscriptions.forget(db, { connectionId: conn.id });
        expiresAt = null;
      }
    }
    if (!expiresAt) {
      const clientState = crypto.randomBytes(32).toString("base64url");
      const made = await channel.subscribe({ ...target, clientState, expiresAt: new Date(now + lifetime) });
      await subscriptions.save(db, { connectionId: conn.id, subscriptionId: made.id, clientState, expiresAt: made.expiresAt });
      expiresAt = made.expiresAt;
      outcome = "subscribed";
    }
    // The run that renews it comes before it lapses, whatever the connection's interval (a
    // connection's next run, already sooner, is left alone: no write on every run).
    const renewAt = new Date(Math.max(now, expiresAt.getTime() - RENEW_WHEN_LEFT_MS / 2));
    if (conn.nextRunAt && conn.nextRunAt <= renewAt) return outcome;
    await db
      .update(syncConnections)
      .set({ nextRunAt: sql`least(${syncConnections.nextRunAt}, ${renewAt.toISOString()}::timestamptz)` })
      .where(eq(syncConnections.id, conn.id));
    return outcome;
  } catch (error) {
    opts.logger?.warn("could not subscribe to change notifications", { connectionId: conn.id, provider: conn.provider, error: error instanceof Error ? error.message : String(error) });
    return "failed";
  }
}

/** Paused or removed: the provider stops notifying. Best effort at the provider (a grant that no
 * longer works cannot unsubscribe; the subscription then lapses by itself); always forgotten here. */
export async function dropSubscription(db: DB, conn: SyncConnection, adapterFor: (conn: SyncConnection) => Promise<ProviderAdapter>): Promise<void> {
  const current = await subscriptions.ofConnection(db, conn.id);
  if (!current) return;
  try {
    const adapter = await adapterFor(conn);
    await adapter.notifications?.unsubscribe(current.subscriptionId);
  } catch {
    // (It lapses at its expiry; notifications until then find no runnable connection.)
  }
  await subscriptions.forget(db, { connectionId: conn.id });
}
