// One sync run for one connection: pull → plan → apply → (two-way) push → commit cursor. It
// takes the lease, acts for the connection's user (paused when they may no longer sync), and
// ends with the outcome the connection's status follows. What a run guarantees, and how each
// guarantee is kept: docs/sync-run.md.
import "server-only";
import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { asConnection } from "@/db/queries/person-writes";
import { getViewer } from "@/db/queries/users";
import { isRunnable, transition } from "@/db/queries/sync/connection-status";
import * as runs from "@/db/queries/sync/runs";
import { companies, syncConnections, syncFailures, syncPreviewContacts, type RunCounts, type RunOutcome, type RunTrigger } from "@/db/schema";
import { silentLogger, type Logger } from "@/lib/logger";
import { ensureSyncCustomFields, OrganizationResolver } from "./crm-side";
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
  // The connection, its company's country, whether a first-sync preview is staged and whether
  // contacts wait in "Needs attention": one read.
  const [row] = await db
    .select({
      conn: syncConnections,
      defaultCountry: companies.defaultCountry,
      previewed: sql<boolean>`exists (select 1 from ${syncPreviewContacts} where ${syncPreviewContacts.connectionId} = ${syncConnections.id})`,
      hadFailures: sql<boolean>`exists (select 1 from ${syncFailures} where ${syncFailures.connectionId} = ${syncConnections.id})`,
    })
    .from(syncConnections)
    .innerJoin(companies, eq(companies.id, syncConnections.companyId))
    .where(eq(syncConnections.id, connectionId));
  if (!row) throw new Error(`No sync connection ${connectionId}`);
  const { conn } = row;
  if (!conn.groupId) return { status: "skipped", reason: "not_configured" };
  if (!isRunnable(conn.status)) return { status: "skipped", reason: conn.status };
  // The user the connection acts for, as the pages would see them now (a deactivated user is
  // nobody). Without them, or without the permissions sync needs, the connection pauses: it
  // resumes only when its user resumes it.
  const user = await getViewer(db, conn.userId);
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
      fieldIds: await ensureSyncCustomFields(db, conn.companyId),
      orgs: new OrganizationResolver(conn.companyId, conn.userId),
    };
    run.previewed = row.previewed;
    run.hadFailures = row.hadFailures;
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
  await db.transaction(async (tx) => {
    await run.log.flush(tx);
    // The first run applied the preview: it has served.
    if (run.previewed && (outcome === "succeeded" || outcome === "held")) {
      await tx.delete(syncPreviewContacts).where(eq(syncPreviewContacts.connectionId, conn.id));
    }
    await runs.finish(tx, {
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
    });
  });
  return { status: "done", runId: run.id, outcome, counts: run.log.counts, full, ...(failure ? { error: failure } : {}) };
}
