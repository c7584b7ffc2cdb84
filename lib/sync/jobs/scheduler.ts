// The background job runner for sync. The queue is the connections table itself, so it works
// the same on PGlite (the worker runs inside the app) and on a Postgres server (`npm run worker`
// adds workers on this or other machines, all sharing the table):
// - "Sync now", a notification or a CRM edit sets runRequestedAt (db/queries/sync/run-requests.ts;
//   an edit's lies ~2 s ahead): requests made while one is waiting coalesce into it, and a request
//   made during a run waits for the run to end (never lost, at most one extra run follows).
// - While its user is active (seen within the hour), a connection whose provider cannot notify
//   is also claimed every minute for a check (lib/sync/live/checks.ts): one cheap request, and
//   a run only if it says something changed. The check leaves the scheduled run where it was.
// - A worker claims a due connection, or one whose request is due, with one atomic statement (FOR UPDATE SKIP
//   LOCKED), which clears the request and moves nextRunAt on by the interval, then runs it.
// - At most one run per connection at a time, and a dead worker's connection becoming runnable
//   again, come from the engine's lease (lease.ts): a claim skips leased connections, and a run
//   that finds the lease taken gives its request back.
// It does not retry failed runs early (the next interval or "sync now" does), and it does not
// push wake-ups across processes: other processes notice requests on their next poll.
import crypto from "node:crypto";
import os from "node:os";
import { and, eq, getTableColumns, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { DB } from "@/db/client";
import { RUNNABLE_STATUSES } from "@/db/queries/sync/connection-status";
import * as runs from "@/db/queries/sync/runs";
import { ACTIVE_WINDOW_MS, requestRun } from "@/db/queries/sync/run-requests";
import { syncConnections, users, type RequestReason, type RunTrigger, type SyncConnection } from "@/db/schema";
import { sleepUntilWoken, wakeGeneration, wakeWorkers } from "@/lib/wakeups";
import { env } from "@/lib/env";
import { isUuid } from "@/lib/uuid";
import { silentLogger, textLogger, type Logger } from "@/lib/logger";
import { adapterForConnection } from "../accounts/connections";
import { syncPhotos } from "../engine/photos";
import { runSync, type RunSummary } from "../engine/run";
import { LEASE_MS, releaseLease } from "./lease";
import type { NotificationTarget, ProviderAdapter } from "../model/provider";
import { keepSubscription, notificationTarget } from "../live/subscriptions";
import { checkedProviders } from "../live/checks";

export const DEFAULT_POLL_MS = 5_000;
/** While its user is active, a connection whose provider cannot notify is checked this often. */
export const CHECK_INTERVAL_MS = 60_000;
export const WORKER_CONCURRENCY = 2;


// Process-wide, on globalThis so that module copies (Next.js dev reloads, route bundles) share
// one in-process worker.
type SchedulerState = { inProcess?: InProcessWorker };
const store = globalThis as unknown as { __tandemSyncScheduler?: SchedulerState };
const state: SchedulerState = (store.__tandemSyncScheduler ??= {});

export { wakeWorkers };

/** "Sync now": asks for a run as soon as a worker is free and the connection is not running.
 * alreadyWaiting: an earlier request was still waiting, and this one joined it. */
export async function requestSync(db: DB, connectionId: string, reason: RequestReason = "manual"): Promise<{ alreadyWaiting: boolean }> {
  const made = await requestRun(db, connectionId, reason);
  if (!made) throw new Error(`No sync connection ${connectionId}`);
  return made;
}

export type Claim = {
  /** The run this claim leased the connection for. */
  runId: string;
  connection: SyncConnection;
  trigger: RunTrigger;
  /** When a run was asked for, if this claim took a request, and what asked. */
  requestedAt: Date | null;
  reason: RequestReason | null;
  /** The run a dead worker left, whose lease lapsed: this one resumes its work. */
  interrupted: { runId: string; stoppedAt: Date } | null;
  /** Not due: its user is active and it is checked for changes (trigger "check"); it runs only
   * if the provider says something changed. */
  checkOnly: boolean;
  /** Its user was seen within the hour (an inactive user's check is not made: checks stop). */
  active: boolean;
};

/** The time between scheduled runs of a connection whose interval is `minutes` (an integer SQL
 * expression): 0 runs only when asked (never by the clock), null takes the deployment's. */
export function runInterval(minutes: SQL, defaultIntervalMs: number): SQL {
  return sql`(case
    when ${minutes} = 0 then interval '100 years'
    when ${minutes} is null then ${`${defaultIntervalMs} milliseconds`}::interval
    else make_interval(mins => ${minutes}) end)`;
}

/** Takes the next connection to run: those a dead worker left (lease lapsed, never released:
 * due at once, whatever the interval), then requested ones (oldest request first), then due ones
 * (longest overdue first); never one whose lease is live. Concurrent claimers, in this or other
 * processes, never get the same connection. */
export async function claimNextConnection(db: DB, { intervalMs, checkIntervalMs = CHECK_INTERVAL_MS }: { intervalMs: number; checkIntervalMs?: number }): Promise<Claim | null> {
  const c = syncConnections;
  const requestDue = sql`${c.runRequestedAt} <= now()`;
  const next = db
    .select({
      id: c.id,
      // (A request that lies ahead, an edit's, is not this claim's: a check leaves it waiting.)
      requestedAt: sql<string | null>`case when ${requestDue} then ${c.runRequestedAt} end`.as("requested_at"),
      reason: sql<RequestReason | null>`case when ${requestDue} then ${c.runRequestReason} end`.as("reason"),
      // Due to run, or only to be checked for changes (its user is active: the check's column).
      due: sql<boolean>`(${requestDue} or ${c.nextRunAt} <= now() or ${c.leaseOwner} is not null)`.as("due"),
      active: sql<boolean>`exists (select 1 from ${users} u where u.id = ${c.userId} and u.last_seen_at > now() - ${`${ACTIVE_WINDOW_MS} milliseconds`}::interval)`.as("active"),
      oldOwner: sql<string | null>`${c.leaseOwner}`.as("old_owner"),
      oldLeaseUntil: sql<string | null>`${c.leaseUntil}`.as("old_lease_until"),
    })
    .from(c)
    .where(
      and(
        inArray(c.status, [...RUNNABLE_STATUSES]),
        isNotNull(c.groupId),
        or(requestDue, lte(c.nextRunAt, sql`now()`), isNotNull(c.leaseOwner), lte(c.nextCheckAt, sql`now()`)),
        or(isNull(c.leaseUntil), lt(c.leaseUntil, sql`now()`)),
      ),
    )
    .orderBy(sql`${c.leaseOwner} is null`, sql`${c.runRequestedAt} asc nulls last`, c.nextRunAt)
    .limit(1)
    .for("update", { skipLocked: true })
    .as("next");
  // The claim takes the lease for the run it is about to start, so between this statement and
  // the run's first write nobody (another worker, or the dashboard) sees the connection idle.
  const runId = crypto.randomUUID();
  const [row] = await db
    .update(c)
    .set({
      runRequestedAt: sql`case when ${next.due} then null else ${c.runRequestedAt} end`,
      runRequestReason: sql`case when ${next.due} then null else ${c.runRequestReason} end`,
      nextRunAt: sql`case when ${next.due} then now() + ${runInterval(sql`${c.syncIntervalMinutes}`, intervalMs)} else ${c.nextRunAt} end`,
      // Checked again in a minute while its user is active; not at all once they are not.
      // (Only providers that are checked: the others notify, or wait for their interval.)
      nextCheckAt: sql`case when ${next.active} and ${inArray(c.provider, checkedProviders())} and ${c.syncIntervalMinutes} is distinct from 0 then now() + ${`${checkIntervalMs} milliseconds`}::interval end`,
      leaseOwner: runId,
      leaseUntil: sql`now() + ${`${LEASE_MS} milliseconds`}::interval`,
    })
    .from(next)
    .where(eq(c.id, next.id))
    .returning({
      connection: getTableColumns(c),
      requestedAt: next.requestedAt,
      reason: next.reason,
      due: next.due,
      active: next.active,
      oldOwner: next.oldOwner,
      oldLeaseUntil: next.oldLeaseUntil,
    });
  if (!row) return null;
  // A lease that lapsed instead of being released: its run's worker died (a run's lease owner
  // is its run id; the photo phase's is "photos:…").
  const interrupted =
    row.oldOwner && isUuid(row.oldOwner) && row.oldLeaseUntil
      ? { runId: row.oldOwner, stoppedAt: new Date(new Date(row.oldLeaseUntil).getTime() - LEASE_MS) }
      : null;
  const requestedAt = row.requestedAt ? new Date(row.requestedAt) : null;
  const trigger: RunTrigger = interrupted ? "resume" : !row.connection.lastRunAt ? "initial" : requestedAt ? (row.reason ?? "manual") : row.due ? "scheduled" : "check";
  return { connection: row.connection, trigger, requestedAt, reason: row.reason, runId, interrupted, checkOnly: !row.due && !!row.connection.lastRunAt, active: row.active };
}

/** A check between runs: one cheap request to the provider. No cursor yet, no way to check, or a
 * check that fails: no run (the interval comes anyway). */
async function somethingChanged(conn: SyncConnection, adapter: ProviderAdapter, logger: Logger, line: object): Promise<boolean> {
  if (!conn.cursor || !adapter.changedSince) return false;
  try {
    return await adapter.changedSince(conn.cursor);
  } catch (error) {
    logger.warn("could not check for changes", { ...line, error: messageOf(error) });
    return false;
  }
}

/** Gives a request back (its run could not start); an earlier waiting request is kept. */
async function restoreRequest(db: DB, connectionId: string, requestedAt: Date, reason: RequestReason | null): Promise<void> {
  await db
    .update(syncConnections)
    .set({
      runRequestedAt: sql`coalesce(${syncConnections.runRequestedAt}, ${requestedAt.toISOString()}::timestamptz)`,
      runRequestReason: sql`case when ${syncConnections.runRequestedAt} is null then ${reason}::text else ${syncConnections.runRequestReason} end`,
    })
    .where(eq(syncConnections.id, connectionId));
}


export type WorkerOptions = {
  db: DB;
  /** Names this worker in logs. */
  workerId?: string;
  /** Time between two scheduled runs of a connection. */
  intervalMs: number;
  /** How often an idle worker looks for work that no in-process wake-up announced. */
  pollMs?: number;
  /** Aborting stops claiming; runs in progress finish first (runWorker resolves then). */
  signal: AbortSignal;
  adapterFor: (conn: SyncConnection) => Promise<ProviderAdapter>;
  logger?: Logger;
  /** Runs at once (each of a different connection). */
  concurrency?: number;
  /** Where providers that push send their notifications (default: from APP_URL; null: none). */
  notificationTarget?: (conn: SyncConnection) => NotificationTarget | null;
  /** How often a connection of an active user is checked for changes (CHECK_INTERVAL_MS). */
  checkIntervalMs?: number;
  /** The clock subscriptions are renewed by (tests move it with the emulator's). */
  now?: () => number;
};

/** Claims and runs connections until aborted. A failing run is logged and never stops it. */
export async function runWorker(opts: WorkerOptions): Promise<void> {
  const concurrency = Math.max(1, opts.concurrency ?? WORKER_CONCURRENCY);
  await Promise.all(Array.from({ length: concurrency }, () => lane(opts)));
}

async function lane(opts: WorkerOptions): Promise<void> {
  const { db, signal, intervalMs } = opts;
  const logger = opts.logger ?? silentLogger;
  const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
  while (!signal.aborted) {
    // A wake-up that arrives while we look finds no waiter; the generation tells us about it.
    const seen = wakeGeneration();
    let claim: Claim | null;
    try {
      claim = await claimNextConnection(db, { intervalMs, checkIntervalMs: opts.checkIntervalMs });
    } catch (error) {
      logger.error("could not look for sync work", { workerId: opts.workerId, error: messageOf(error) });
      await sleepUntilWoken(pollMs, signal, wakeGeneration());
      continue;
    }
    if (claim) await runClaimed(opts, logger, claim);
    else await sleepUntilWoken(pollMs, signal, seen);
  }
}

async function runClaimed(opts: WorkerOptions, logger: Logger, claim: Claim): Promise<void> {
  const { db, workerId } = opts;
  const { connection: conn, trigger, requestedAt, reason, runId: claimedRunId, interrupted } = claim;
  if (interrupted) await runs.closeInterrupted(db, conn.id, interrupted.runId, interrupted.stoppedAt).catch(() => {});
  const started = Date.now();
  const line = { workerId, connectionId: conn.id, provider: conn.provider, trigger };
  let summary: RunSummary;
  let adapter: ProviderAdapter;
  try {
    if (claim.checkOnly && !claim.active) {
      await releaseLease(db, conn.id, claimedRunId);
      return;
    }
    adapter = await opts.adapterFor(conn);
    if (claim.checkOnly && !(await somethingChanged(conn, adapter, logger, line))) {
      await releaseLease(db, conn.id, claimedRunId);
      return;
    }
    summary = await runSync({ db, connectionId: conn.id, trigger, adapter, logger, runId: claimedRunId });
  } catch (error) {
    // Before or outside the run proper (no adapter, database gone): the next interval retries.
    await releaseLease(db, conn.id, claimedRunId).catch(() => {});
    logger.error("sync run crashed", { ...line, ms: Date.now() - started, error: messageOf(error) });
    return;
  }
  try {
    if (summary.status === "skipped") {
      // Busy: another worker took the lease between our claim and the run. A request goes back
      // and is claimed once that run ends.
      if (summary.reason === "busy" && requestedAt) await restoreRequest(db, conn.id, requestedAt, reason);
      logger.info("sync run skipped", { ...line, reason: summary.reason });
      return;
    }
    const { runId, outcome, full, counts, error } = summary;
    logger[outcome === "failed" ? "warn" : "info"]("sync run", { ...line, runId, outcome, full, ms: Date.now() - started, counts, ...(error ? { error } : {}) });
  } catch (error) {
    logger.error("sync run bookkeeping failed", { ...line, error: messageOf(error) });
  }
  if (summary.status === "done" && (summary.outcome === "succeeded" || summary.outcome === "held")) {
    // Subscribed to the provider's notifications (where it has them), renewed in time.
    const live = await keepSubscription(db, conn, adapter, (opts.notificationTarget ?? notificationTarget)(conn), { logger, now: opts.now });
    if (live === "subscribed" || live === "renewed") logger.info(`change notifications ${live}`, line);
    // The photos the run noted, after it: its persons are in the CRM already.
    const photosStarted = Date.now();
    try {
      const photos = await syncPhotos({ db, connectionId: conn.id, adapter, logger });
      if (photos.status === "done" && photos.checked > 0) logger.info("sync photos", { ...line, ...photos, ms: Date.now() - photosStarted });
    } catch (error) {
      logger.warn("sync photos failed", { ...line, error: messageOf(error) });
    }
  }
}

export type InProcessWorker = { readonly workerId: string; stop(): Promise<void> };

/** The app's own worker (the only one with PGlite; one among several with a Postgres server).
 * One per process: a second call, e.g. after a dev reload, returns the running worker. */
export function startInProcessWorker(
  opts: { db: DB } & Partial<Pick<WorkerOptions, "intervalMs" | "pollMs" | "adapterFor" | "logger" | "concurrency" | "workerId">>,
): InProcessWorker {
  if (state.inProcess) return state.inProcess;
  const { db } = opts;
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:app`;
  const controller = new AbortController();
  const done = runWorker({
    db,
    workerId,
    intervalMs: opts.intervalMs ?? env().SYNC_INTERVAL_MINUTES * 60_000,
    pollMs: opts.pollMs,
    concurrency: opts.concurrency,
    signal: controller.signal,
    adapterFor: opts.adapterFor ?? ((conn) => adapterForConnection(db, conn)),
    logger: opts.logger ?? textLogger("[tandem sync]"),
  });
  const worker: InProcessWorker = {
    workerId,
    async stop() {
      controller.abort();
      await done;
      if (state.inProcess === worker) state.inProcess = undefined;
    },
  };
  state.inProcess = worker;
  return worker;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
