// One run per connection at a time, across processes and machines: a run takes a time-limited
// lease on the connection row and renews it while it works. A worker that dies simply stops
// renewing; once the lease lapses another worker may run the connection.
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { syncConnections } from "@/db/schema";

export const LEASE_MS = 60_000;

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

export async function releaseLease(db: DB, connectionId: string, owner: string): Promise<void> {
  await db
    .update(syncConnections)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(and(eq(syncConnections.id, connectionId), eq(syncConnections.leaseOwner, owner)));
}

export class LeaseLostError extends Error {
  constructor() {
    super("Another worker took over this connection's run");
    this.name = "LeaseLostError";
  }
}
