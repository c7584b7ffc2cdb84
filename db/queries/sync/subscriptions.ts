// A connection's subscription to its provider's change notifications (Graph): the only writer
// of sync_subscriptions. The client state a notification must carry is kept as its SHA-256 only.
import crypto from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import type { DB, Tx } from "../../client";
import { syncSubscriptions, type SyncSubscription } from "../../schema";

type Db = DB | Tx;

export function hashClientState(clientState: string): string {
  return crypto.createHash("sha256").update(clientState, "utf8").digest("hex");
}

/** Whether `clientState` is the subscription's, compared in constant time. */
export function clientStateMatches(sub: Pick<SyncSubscription, "clientStateHash">, clientState: string): boolean {
  const expected = Buffer.from(sub.clientStateHash, "hex");
  const given = Buffer.from(hashClientState(clientState), "hex");
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

export async function ofConnection(db: Db, connectionId: string): Promise<SyncSubscription | null> {
  const [row] = await db.select().from(syncSubscriptions).where(eq(syncSubscriptions.connectionId, connectionId));
  return row ?? null;
}

export async function bySubscriptionIds(db: Db, subscriptionIds: string[]): Promise<SyncSubscription[]> {
  if (subscriptionIds.length === 0) return [];
  return db.select().from(syncSubscriptions).where(inArray(syncSubscriptions.subscriptionId, subscriptionIds));
}

/** A new subscription replaces the connection's old one. */
export async function save(db: Db, s: { connectionId: string; subscriptionId: string; clientState: string; expiresAt: Date }): Promise<void> {
  const row = { subscriptionId: s.subscriptionId, clientStateHash: hashClientState(s.clientState), expiresAt: s.expiresAt, createdAt: new Date(), renewedAt: null };
  await db
    .insert(syncSubscriptions)
    .values({ connectionId: s.connectionId, ...row })
    .onConflictDoUpdate({ target: syncSubscriptions.connectionId, set: row });
}

export async function renewed(db: Db, connectionId: string, expiresAt: Date): Promise<void> {
  await db.update(syncSubscriptions).set({ expiresAt, renewedAt: new Date() }).where(eq(syncSubscriptions.connectionId, connectionId));
}

/** The provider asks for the subscription to be renewed now (reauthorization): the next run does. */
export async function renewSoon(db: Db, subscriptionId: string): Promise<void> {
  await db.update(syncSubscriptions).set({ expiresAt: sql`least(${syncSubscriptions.expiresAt}, now())` }).where(eq(syncSubscriptions.subscriptionId, subscriptionId));
}

export async function forget(db: Db, where: { connectionId: string } | { subscriptionId: string }): Promise<void> {
  await db
    .delete(syncSubscriptions)
    .where("connectionId" in where ? eq(syncSubscriptions.connectionId, where.connectionId) : eq(syncSubscriptions.subscriptionId, where.subscriptionId));
}
