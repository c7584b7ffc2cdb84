// Requests for runs: what asks a worker to run a connection before its interval, and when.
// - Refresh, a provider's notification, a check that saw a change: as soon as a worker is free.
// - A CRM edit of a person a two-way connection links, or a new person of the connection's user:
//   in CHANGE_DEBOUNCE_MS, so that a burst of edits (a form saved twice, a bulk change, a sync of
//   another connection writing the person) is one run.
// A connection the user set to sync only when they press Refresh is never asked by an edit, a
// notification or a check: it syncs when they say so.
// A request joins one already waiting (they coalesce); one made during a run waits for it to end
// (lib/sync/jobs/scheduler.ts claims a request only once it is due).
import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { executeRows, type DB, type Tx } from "../../client";
import { syncConnections, users, type RequestReason } from "../../schema";
import { wakeWorkers, wakeWorkersAt } from "@/lib/wakeups";
import { RUNNABLE_STATUSES } from "./connection-status";

type Db = DB | Tx;

/** How long a CRM edit's run waits for the rest of its burst. */
export const CHANGE_DEBOUNCE_MS = 2_000;

const runnable = sql.raw(`(${RUNNABLE_STATUSES.map((s) => `'${s}'`).join(", ")})`);

/** Asks for a run as soon as a worker is free; a request waiting for later (an edit's) is
 * brought forward. null: no such connection. alreadyWaiting: a due request was waiting already,
 * and this one joined it. */
export async function requestRun(
  db: Db,
  connectionId: string,
  reason: RequestReason,
  opts: { unlessManual?: boolean } = {},
): Promise<{ alreadyWaiting: boolean } | null> {
  const c = syncConnections;
  // (Compared with the clock, not the transaction's start: a request made by a statement that
  // began earlier but waited for this row must join the one it waited for.)
  const made = await db
    .update(c)
    .set({ runRequestedAt: sql`now()`, runRequestReason: reason })
    .where(
      and(
        eq(c.id, connectionId),
        or(isNull(c.runRequestedAt), sql`${c.runRequestedAt} > clock_timestamp()`),
        opts.unlessManual ? sql`${c.syncIntervalMinutes} is distinct from 0` : undefined,
      ),
    )
    .returning({ id: c.id });
  if (made.length > 0) {
    wakeWorkers();
    return { alreadyWaiting: false };
  }
  const [exists] = await db.select({ id: c.id }).from(c).where(eq(c.id, connectionId));
  return exists ? { alreadyWaiting: true } : null;
}

/** These persons were written: each two-way connection that links one of them (but `except`,
 * the connection writing) runs in CHANGE_DEBOUNCE_MS to send the change. A connection whose row
 * is being written at this moment (its own run committing a page) is not waited for — waiting
 * could deadlock with that run's person writes: its push reads the link's mark anyway, or, if
 * it is past its push, the next interval sends the change. */
export async function requestPushes(db: Db, personIds: string[], except: string | null): Promise<void> {
  if (personIds.length === 0) return;
  await requestChangeRuns(
    db,
    sql`c.id in (select l.connection_id from sync_links l
      where l.person_id = any(array(select value::uuid from json_array_elements_text(${JSON.stringify(personIds)}::json))))
      ${except ? sql`and c.id <> ${except}` : sql``}`,
  );
}

/** New persons owned by these users: their two-way connections run in CHANGE_DEBOUNCE_MS to
 * create them at the provider. */
export async function requestNewPersonPushes(db: Db, ownerIds: string[]): Promise<void> {
  const owners = [...new Set(ownerIds)];
  if (owners.length === 0) return;
  await requestChangeRuns(db, sql`c.user_id = any(array(select value::uuid from json_array_elements_text(${JSON.stringify(owners)}::json)))`);
}

async function requestChangeRuns(db: Db, which: ReturnType<typeof sql>): Promise<void> {
  const rows = await executeRows<{ at: string | Date }>(db, sql`
    update sync_connections s set run_requested_at = now() + ${`${CHANGE_DEBOUNCE_MS} milliseconds`}::interval, run_request_reason = 'change'
    from (select c.id from sync_connections c
      where ${which} and c.direction = 'two_way' and c.status in ${runnable} and c.group_id is not null and c.run_requested_at is null
        and c.sync_interval_minutes is distinct from 0
      for update skip locked) t
    where s.id = t.id
    returning s.run_requested_at as at`);
  // Wake this process's workers when the first of them falls due (they are all due together).
  if (rows.length > 0) wakeWorkersAt(new Date(rows[0]!.at));
}

/** A user seen within this long is active: their connections are checked for changes between runs. */
export const ACTIVE_WINDOW_MS = 3_600_000;

/** The user was seen (a page, the dashboard's status poll). At most once a minute it is noted,
 * and their connections to providers in `checkedProviders` (those that are checked rather than
 * notify) are checked from now on, every minute while the user stays active
 * (lib/sync/jobs/scheduler.ts stops checking an hour after the last sight). */
export async function noteUserSeen(db: Db, userId: string, checkedProviders: string[]): Promise<void> {
  const seen = await db
    .update(users)
    .set({ lastSeenAt: sql`now()` })
    .where(and(eq(users.id, userId), or(isNull(users.lastSeenAt), sql`${users.lastSeenAt} < now() - interval '1 minute'`)))
    .returning({ id: users.id });
  if (seen.length === 0 || checkedProviders.length === 0) return;
  await db
    .update(syncConnections)
    .set({ nextCheckAt: sql`coalesce(${syncConnections.nextCheckAt}, now())` })
    .where(
      and(
        eq(syncConnections.userId, userId),
        inArray(syncConnections.provider, checkedProviders),
        inArray(syncConnections.status, [...RUNNABLE_STATUSES]),
        sql`${syncConnections.syncIntervalMinutes} is distinct from 0`,
      ),
    );
}
