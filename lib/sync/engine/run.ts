// One sync run for one connection: pull → plan → apply → (two-way) push → commit cursor. It
// takes the lease, acts for the connection's user (paused when they may no longer sync), and
// ends with the outcome the connection's status follows. What a run guarantees, and how each
// guarantee is kept: docs/sync-run.md.
import "server-only";
import crypto from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { asConnection } from "@/db/queries/person-writes";
import { viewerColumns } from "@/db/queries/users";
import { isRunnable, transition } from "@/db/queries/sync/connection-status";
import * as runs from "@/db/queries/sync/runs";
import { companies, users, syncConnections, syncLinks, syncFailures, syncPreviewContacts, type RunCounts, type RunOutcome, type RunTrigger } from "@/db/schema";
import { silentLogger, type Logger } from "@/lib/logger";
import { ensureSyncCustomFields, OrganizationResolver, syncCustomFieldsSql } from "./crm-side";
import { LAST_ERROR } from "../model/last-error";
import { acquireLease, keepLease, LeaseLostError, releaseLease } from "../jobs/lease";
import { canSetUpSync } from "../accounts/permission";
import { InvalidGrantError, MAX_BOOK_CONTACTS, type ProviderAdapter } from "../model/provider";
import { Run, type FaultPoint } from "./context";
import { settleFailures } from "./failures";
import { pull } from "./pull";
import { push } from "./push";

export type RunSyncOptions = {
  db: DB;
  connectionId: string;
  trigger: RunTrigger;
  adapter: ProviderAdapter;
  logger?: Logger;
  /** Test hook: called at each fault point; throwing there simulates a crash. */
  fault?: (point: FaultPoint) => void | Promise<void>;
  /** The run id a scheduler already leased the connection for. */
  runId?: string;
  /** Contacts synced from one address book (MAX_BOOK_CONTACTS; tests use fewer). */
  maxContacts?: number;
};

/** How a run that started ends. */
type Finished = runs.Finish["outcome"];

export type RunSummary =
  | { status: "skipped"; reason: "busy" | "paused" | "reconnect_needed" | "needs_confirmation" | "preview" | "not_configured" | "user_inactive" | "no_permission" }
  | { status: "done"; runId: string; outcome: RunOutcome; counts: RunCounts; full: boolean; error?: string };

export async function runSync(opts: RunSyncOptions): Promise<RunSummary> {
  const { db, connectionId } = opts;
  // The connection, its company's country and sync custom fields, the user it acts for (as the
  // pages would see them now: a deactivated user is nobody), whether a first-sync preview is
  // staged and whether contacts wait in "Needs attention": one read.
  const [row] = await db
    .select({
      conn: syncConnections,
      defaultCountry: companies.defaultCountry,
      user: viewerColumns,
      fields: syncCustomFieldsSql(sql`${syncConnections.companyId}`),
      previewed: sql<boolean>`exists (select 1 from ${syncPreviewContacts} where ${syncPreviewContacts.connectionId} = ${syncConnections.id})`,
      hadFailures: sql<boolean>`exists (select 1 from ${syncFailures} where ${syncFailures.connectionId} = ${syncConnections.id})`,
      hadIntents: sql<boolean>`exists (select 1 from ${syncLinks} where ${syncLinks.connectionId} = ${syncConnections.id} and ${syncLinks.state} = 'pending_create')`,
      hadRequests: sql<boolean>`exists (select 1 from ${syncLinks} where ${syncLinks.connectionId} = ${syncConnections.id} and ${syncLinks.state} = 'to_create')`,
    })
    .from(syncConnections)
    .innerJoin(companies, eq(companies.id, syncConnections.companyId))
    .leftJoin(users, and(eq(users.id, syncConnections.userId), eq(users.active, true)))
    .where(eq(syncConnections.id, connectionId));
  if (!row) throw new Error(`No sync connection ${connectionId}`);
  const { conn } = row;
  if (!conn.groupId) return { status: "skipped", reason: "not_configured" };
  if (!isRunnable(conn.status)) return { status: "skipped", reason: conn.status };
  // Without its user, or without the permissions sync needs, the connection pauses: it resumes
  // only when its user resumes it.
  const user = row.user;
  if (!user || !canSetUpSync(user)) {
    await transition(db, conn.id, "accessLost", { lastError: user ? LAST_ERROR.pausedNoPermission : LAST_ERROR.pausedUserInactive });
    if (opts.runId) await releaseLease(db, conn.id, opts.runId);
    return { status: "skipped", reason: user ? "no_permission" : "user_inactive" };
  }
  const runId = opts.runId ?? crypto.randomUUID();
  // A scheduler's claim took the lease for this run a moment ago (the row read above shows it).
  const leased = opts.runId !== undefined && conn.leaseOwner === runId && conn.leaseUntil !== null && conn.leaseUntil.getTime() > Date.now() + 5_000;
  if (!leased && !(await acquireLease(db, conn.id, runId))) return { status: "skipped", reason: "busy" };

  const run = new Run(runId, db, conn, asConnection(conn.id, user), opts.adapter, opts.logger ?? silentLogger, opts.fault ?? (() => {}), opts.maxContacts ?? MAX_BOOK_CONTACTS);
  run.lease = keepLease(db, conn.id, runId);

  let outcome: Finished = "succeeded";
  let full = false;
  let failure: string | undefined;
  let pushedUntil: Date | null = null;
  const startedAt = new Date();
  try {
    await runs.open(db, { id: run.id, connectionId: conn.id, trigger: opts.trigger, counts: run.log.counts, startedAt });
    run.crm = {
      defaultCountry: row.defaultCountry,
      fieldIds: await ensureSyncCustomFields(db, conn.companyId, fieldsOf(row.fields)),
      orgs: new OrganizationResolver(conn.companyId, conn.userId),
    };
    run.previewed = row.previewed;
    run.hadFailures = row.hadFailures;
    run.hadIntents = row.hadIntents;
    run.hadRequests = row.hadRequests;
    const pulled = await pull(run);
    full = pulled.full;
    if (pulled.held) outcome = "held";
    if (conn.direction === "two_way") {
      await push(run);
      // Everything created before this run started has now been offered to the provider.
      pushedUntil = startedAt;
    }
    if (run.hadFailures) await settleFailures(run);
    await run.fault("before-finish");
  } catch (error) {
    run.log.discard();
    if (error instanceof InvalidGrantError) {
      outcome = "reconnect_needed";
      failure = LAST_ERROR.revoked;
    } else if (error instanceof LeaseLostError) {
      outcome = "failed";
      failure = error.message;
    } else {
      outcome = "failed";
      failure = error instanceof Error ? error.message : String(error);
      run.logger.error("sync run failed", { connectionId: conn.id, runId: run.id, error: failure });
    }
  }

  run.lease.stop();
  const finish: runs.Finish = {
    runId: run.id,
    connectionId: conn.id,
    outcome,
    counts: run.log.counts,
    processed: run.processed,
    full,
    error: failure ?? null,
    lastError: failure ?? (outcome === "held" ? LAST_ERROR.heldDeletions : null),
    startedAt,
    pushedUntil,
  };
  // The first run applied the preview: it has served.
  const previewServed = run.previewed && (outcome === "succeeded" || outcome === "held");
  if (run.log.empty && !previewServed) {
    await runs.finish(db, finish);
  } else {
    await db.transaction(async (tx) => {
      await run.log.flush(tx);
      if (previewServed) await tx.delete(syncPreviewContacts).where(eq(syncPreviewContacts.connectionId, conn.id));
      await runs.finish(tx, finish);
    });
  }
  return { status: "done", runId: run.id, outcome, counts: run.log.counts, full, ...(failure ? { error: failure } : {}) };
}

/** The custom fields the run's first read found (JSON: a string on some drivers), or undefined
 * when some are missing (ensureSyncCustomFields then makes them). */
function fieldsOf(raw: { id: string; key: string }[] | string | null): { id: string; key: string }[] | undefined {
  const rows = typeof raw === "string" ? (JSON.parse(raw) as { id: string; key: string }[]) : raw;
  return rows ?? undefined;
}
