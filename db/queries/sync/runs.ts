// The run store: a run's row (sync_runs) from open to finish, and the connection's checkpoint —
// where an unfinished listing goes on (sync_connections.resume) and the cursor the next run
// starts from. The cursor is stored only by `storeCursor`, which the engine calls once
// everything the listing covered is committed, and only while the run holds the lease.
import { and, eq, sql } from "drizzle-orm";
import type { DB, Tx } from "../../client";
import { syncConnections, syncRuns, type ListingResume, type RunCounts, type RunOutcome, type RunTrigger } from "../../schema";
import { lastErrorAfter, statusAfter, type ConnectionEvent } from "./connection-status";

type Db = DB | Tx;

const INTERRUPTED = "Interrupted: the worker running it stopped before it finished; the next run resumed its work.";

export async function open(db: Db, run: { id: string; connectionId: string; trigger: RunTrigger; counts: RunCounts; startedAt: Date }): Promise<void> {
  await db.insert(syncRuns).values(run);
}

/** What the run has done so far (the dashboard's live figures). */
export async function progress(db: Db, runId: string, processed: number, counts: RunCounts): Promise<void> {
  await db.update(syncRuns).set({ processed, counts }).where(eq(syncRuns.id, runId));
}

/** The run a dead worker left is closed as interrupted, when its last renewal of the lease says
 * it stopped (a zombie that wakes up later finds its lease gone and writes nothing more). */
export async function closeInterrupted(db: Db, connectionId: string, runId: string, stoppedAt: Date): Promise<void> {
  await db
    .update(syncRuns)
    .set({ outcome: "interrupted", error: INTERRUPTED, finishedAt: stoppedAt })
    .where(and(eq(syncRuns.connectionId, connectionId), eq(syncRuns.id, runId), eq(syncRuns.outcome, "running")));
}

/** The connection's event for a run's outcome. */
const EVENT_OF: Record<Exclude<RunOutcome, "running" | "interrupted">, ConnectionEvent> = {
  succeeded: "runSucceeded",
  held: "deletionsHeld",
  failed: "runFailed",
  reconnect_needed: "grantRevoked",
};

export type Finish = {
  runId: string;
  connectionId: string;
  outcome: Exclude<RunOutcome, "running" | "interrupted">;
  counts: RunCounts;
  processed: number;
  full: boolean;
  error: string | null;
  /** The connection's last error with this outcome. */
  lastError: string | null;
  startedAt: Date;
  /** Two-way: everything created before this instant has been offered to the provider. */
  pushedUntil: Date | null;
};

/** Closes the run with its outcome, and moves the connection on: its status (as the outcome's
 * event allows), its times, its push watermark; the lease goes with it. The connection is
 * written only while this run still holds the lease: a worker that froze and woke up after
 * another took over must not overwrite that worker's outcome. */
export async function finish(db: Db, f: Finish): Promise<void> {
  const event = EVENT_OF[f.outcome];
  const succeeded = f.outcome === "succeeded" || f.outcome === "held";
  const c = syncConnections;
  // One statement (the run's row in a CTE): a run that wrote nothing else ends without a
  // transaction of its own.
  await db.execute(sql`
    with closed as (
      update ${syncRuns} set outcome = ${f.outcome}::sync_run_outcome, counts = ${JSON.stringify(f.counts)}::jsonb, processed = ${f.processed},
        full_sync = ${f.full}, error = ${f.error}::text, finished_at = now()
      where id = ${f.runId})
    update ${c} set
      status = ${statusAfter(event)},
      last_error = ${lastErrorAfter(event, f.lastError)},
      last_run_at = ${f.startedAt.toISOString()}::timestamptz,
      last_success_at = ${succeeded ? sql`now()` : sql`${c.lastSuccessAt}`},
      push_watermark = ${f.pushedUntil ? sql`${f.pushedUntil.toISOString()}::timestamptz` : sql`${c.pushWatermark}`},
      lease_until = null, lease_owner = null, updated_at = now()
    where ${c.id} = ${f.connectionId} and ${c.leaseOwner} = ${f.runId}`);
}

/** Where the listing goes on after an interruption (committed with the page it follows). */
export async function checkpoint(tx: Tx, connectionId: string, resume: ListingResume): Promise<void> {
  await tx.update(syncConnections).set({ resume }).where(eq(syncConnections.id, connectionId));
}

/** The listing is complete: the cursor the next run starts from, and no resume point. Stored
 * only while `runId` holds the connection; returns false (having written nothing) otherwise. */
export async function storeCursor(db: Db, connectionId: string, runId: string, cursor: string): Promise<boolean> {
  const stored = await db
    .update(syncConnections)
    .set({ cursor, resume: null, updatedAt: new Date() })
    .where(and(eq(syncConnections.id, connectionId), eq(syncConnections.leaseOwner, runId)))
    .returning({ id: syncConnections.id });
  return stored.length > 0;
}
