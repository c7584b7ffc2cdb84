// One run per connection at a time, across processes and machines: a run takes a time-limited
// lease on the connection row and renews it while it works — on a timer, whatever the run is
// doing (a provider call waiting out a Retry-After included). A worker that dies simply stops
// renewing; once the lease lapses the connection is due at once (scheduler.ts) and the next
// worker resumes the work. The lease is short (20 s, renewed every 5 s) so that an interrupted
// run is taken over within about 25 s; a renewal is one small UPDATE of a running connection.
import { and, eq, gt, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { syncConnections } from "@/db/schema";

export const LEASE_MS = 20_000;
export const LEASE_RENEW_MS = 5_000;
/** A run that has made no progress for this long (a call that never returns) stops renewing,
 * so its connection is not held forever by a live but stuck process. */
export const LEASE_STALL_MS = 5 * 60_000;

export async function acquireLease(db: DB, connectionId: string, owner: string, ms = LEASE_MS): Promise<boolean> {
  const rows = await db
    .update(syncConnections)
    .set({ leaseOwner: owner, leaseUntil: sql`now() + ${`${ms} milliseconds`}::interval` })
    .where(
      and(
        eq(syncConnections.id, connectionId),
        or(isNull(syncConnections.leaseUntil), lt(syncConnections.leaseUntil, sql`now()`), eq(syncConnections.leaseOwner, owner)),
      ),
    )
    .returning({ id: syncConnections.id });
  return rows.length > 0;
}

/** Extends the lease; false when it was lost (expired and taken by another worker). */
export async function renewLease(db: DB, connectionId: string, owner: string, ms = LEASE_MS): Promise<boolean> {
  const rows = await db
    .update(syncConnections)
    .set({ leaseUntil: sql`now() + ${`${ms} milliseconds`}::interval` })
    .where(and(eq(syncConnections.id, connectionId), eq(syncConnections.leaseOwner, owner)))
    .returning({ id: syncConnections.id });
  return rows.length > 0;
}

/** With the embedded database one process owns the data: at its start, any lease in it is a
 * previous incarnation's, dead with it. Lapsed at once, its runs resume without waiting. */
export async function lapseLeftoverLeases(db: DB): Promise<number> {
  const rows = await db
    .update(syncConnections)
    .set({ leaseUntil: sql`now() - interval '1 second'` })
    .where(and(isNotNull(syncConnections.leaseOwner), gt(syncConnections.leaseUntil, sql`now()`)))
    .returning({ id: syncConnections.id });
  return rows.length;
}

export async function releaseLease(db: DB, connectionId: string, owner: string): Promise<void> {
  await db
    .update(syncConnections)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(and(eq(syncConnections.id, connectionId), eq(syncConnections.leaseOwner, owner)));
}

/** Renews the lease every LEASE_RENEW_MS until stopped, as long as the holder reports progress
 * (`progress()`) within LEASE_STALL_MS; `lost` turns true if another worker took the connection
 * meanwhile (this one froze past the lease). The timer never keeps a process up. */
export function keepLease(db: DB, connectionId: string, owner: string): { stop(): void; progress(): void; readonly lost: boolean } {
  let lost = false;
  let lastProgress = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - lastProgress > LEASE_STALL_MS) return;
    renewLease(db, connectionId, owner).then(
      (ok) => void (lost ||= !ok),
      () => {}, // a failed renewal is retried at the next tick; the lease has slack for it
    );
  }, LEASE_RENEW_MS);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    progress: () => void (lastProgress = Date.now()),
    get lost() {
      return lost;
    },
  };
}

export class LeaseLostError extends Error {
  constructor() {
    super("Another worker took over this connection's run");
    this.name = "LeaseLostError";
  }
}
