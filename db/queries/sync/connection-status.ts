// A connection's status as a state machine: what may happen to a connection (an event), from
// which statuses, and the status it leads to — one table, and the one function that applies it
// (the only writer of sync_connections.status). An event from a status the table does not list
// changes nothing: a user who paused a connection during a run finds it paused when the run ends.
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DB, Tx } from "../../client";
import { CONNECTION_STATUSES, syncConnections, type ConnectionStatus } from "../../schema";

/** The statuses a worker runs. "error" is a failed last run: the next one may well succeed.
 * The others wait for the user (paused, reconnect, held deletions, a first sync's preview). */
export const RUNNABLE_STATUSES = ["active", "error"] as const satisfies readonly ConnectionStatus[];

export function isRunnable(status: ConnectionStatus): status is (typeof RUNNABLE_STATUSES)[number] {
  return (RUNNABLE_STATUSES as readonly ConnectionStatus[]).includes(status);
}

const ANY = CONNECTION_STATUSES;

export const CONNECTION_EVENTS = {
  /** A run ended well. */
  runSucceeded: { from: RUNNABLE_STATUSES, to: "active" },
  /** A run failed (the next one may succeed). */
  runFailed: { from: RUNNABLE_STATUSES, to: "error" },
  /** A run would delete too many persons: it holds them for the user. */
  deletionsHeld: { from: RUNNABLE_STATUSES, to: "needs_confirmation" },
  /** The user confirmed or rejected held deletions. */
  deletionsAnswered: { from: ["needs_confirmation"], to: "active" },
  /** The provider refused the grant (revoked, expired, password changed). */
  grantRevoked: { from: ANY, to: "reconnect_needed" },
  /** Two-way was chosen on a read-only grant: the user must allow writing. */
  writeAccessNeeded: { from: ANY, to: "reconnect_needed" },
  /** The user signed in to the account again (new tokens or password). A paused connection,
   * held deletions or a preview stay as they were: the tokens alone change. */
  reconnected: { from: ["reconnect_needed", "active", "error"], to: "active" },
  /** A new group's first sync waits for the user's look at how contacts pair with persons. */
  firstSyncPrepared: { from: ANY, to: "preview" },
  /** The first sync starts (the preview confirmed, or nothing to preview). */
  firstSyncStarted: { from: ["preview"], to: "active" },
  /** Back from the preview: the group is unset, nothing was synced. */
  previewLeft: { from: ["preview"], to: "active" },
  /** The user paused syncing. */
  paused: { from: RUNNABLE_STATUSES, to: "paused" },
  /** The user resumed syncing. */
  resumed: { from: ["paused"], to: "active" },
  /** The connection's user was deactivated or lost the right to sync: it waits for them. */
  accessLost: { from: RUNNABLE_STATUSES, to: "paused" },
} as const satisfies Record<string, { from: readonly ConnectionStatus[]; to: ConnectionStatus }>;

export type ConnectionEvent = keyof typeof CONNECTION_EVENTS;

/** The status `event` leads to from `current`, or null when the event may not happen there. */
export function nextStatus(current: ConnectionStatus, event: ConnectionEvent): ConnectionStatus | null {
  const { from, to } = CONNECTION_EVENTS[event];
  return (from as readonly ConnectionStatus[]).includes(current) ? to : null;
}

const allowed = (event: ConnectionEvent) => inArray(syncConnections.status, [...CONNECTION_EVENTS[event].from]);

/** Columns written with a transition, besides the status. */
type With = Partial<Omit<typeof syncConnections.$inferInsert, "id" | "status">>;

/** Applies `event` to the connection, with `set` (its last error, say), when its status allows
 * the event (and `where` holds). Returns false, having written nothing, otherwise. */
export async function transition(db: DB | Tx, connectionId: string, event: ConnectionEvent, set: With = {}, where?: SQL): Promise<boolean> {
  const moved = await db
    .update(syncConnections)
    .set({ ...set, status: CONNECTION_EVENTS[event].to, updatedAt: new Date() })
    .where(and(eq(syncConnections.id, connectionId), allowed(event), where))
    .returning({ id: syncConnections.id });
  return moved.length > 0;
}

/** For a write that goes ahead whatever the status (a run's end: its times, its lease): the
 * status `event` leads to where the status allows the event, else the status as it is. */
export function statusAfter(event: ConnectionEvent): SQL<ConnectionStatus> {
  const { to } = CONNECTION_EVENTS[event];
  return sql<ConnectionStatus>`case when ${allowed(event)} then ${to}::sync_connection_status else ${syncConnections.status} end`;
}

/** The last error that goes with `event` where the status allows the event, else the one kept. */
export function lastErrorAfter(event: ConnectionEvent, lastError: string | null): SQL<string | null> {
  return sql<string | null>`case when ${allowed(event)} then ${lastError}::text else ${syncConnections.lastError} end`;
}
