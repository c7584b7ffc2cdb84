// What a user may do with their connections — every function checks, on the server, that the
// connection is the viewer's and that the viewer may set up sync; settings are validated against
// the provider (the group must exist there) and the company's plan (visibility).
import { and, eq, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import type { Viewer } from "@/db/queries/visibility";
import { getCompany } from "@/db/queries/users";
import { asUser, softDeletePersons } from "@/db/queries/person-writes";
import { transition } from "@/db/queries/sync/connection-status";
import * as links from "@/db/queries/sync/links";
import { hasPairablePersons } from "@/db/queries/sync/persons";
import { syncConnections, syncEvents, syncFailures, type Direction, type PreviewDecision, type SyncConnection, type SyncInterval, type Visibility } from "@/db/schema";
import { env } from "@/lib/env";
import { NotFoundError, translated, UserError } from "@/lib/errors";
import { isUuid } from "@/lib/uuid";
import { isVisibilityAllowed } from "@/lib/visibility";
import { adapterForConnection, grantAllowsWrite } from "./connections";
import { ensureSyncCustomFields } from "../engine/crm-side";
import { getOwnConnection } from "../screens/dashboard";
import { LAST_ERROR } from "../model/last-error";
import { resolveHeldDeletions } from "../engine/deletions";
import { retryFailures } from "../engine/failures";
import { restoreDeletedPerson } from "../engine/restore";
import { startAuthorization } from "./oauth-flow";
import { requireSyncPermission } from "./permission";
import { buildPreview, decidePreviewContact, dropPreview, listPreview, previewSummary, type PreviewPage, type PreviewSummary } from "../first-sync/preview";
import type { OAuthConfig } from "../providers/definition";
import { InvalidGrantError, type ProviderGroup } from "../model/provider";
import { requestSync, runInterval } from "../jobs/scheduler";
import { dropSubscription } from "../live/subscriptions";

/** Tests point these at an emulator; the app uses the configured provider. */
export type ManageDeps = { apiBaseUrl?: string; oauthConfig?: OAuthConfig };

async function ownConnection(db: DB, viewer: Viewer, id: string): Promise<SyncConnection> {
  requireSyncPermission(viewer);
  const conn = await getOwnConnection(db, viewer, id);
  if (!conn) throw new NotFoundError("thisConnection");
  return conn;
}

/** The provider's groups (Google labels and My Contacts; Outlook folders), read live. */
export async function listProviderGroups(db: DB, viewer: Viewer, connectionId: string, deps: ManageDeps = {}): Promise<ProviderGroup[]> {
  const conn = await ownConnection(db, viewer, connectionId);
  const adapter = await adapterForConnection(db, { ...conn, groupId: conn.groupId ?? "unset" }, { apiBaseUrl: deps.apiBaseUrl });
  try {
    return await adapter.listGroups();
  } catch (error) {
    if (error instanceof InvalidGrantError) {
      await transition(db, connectionId, "grantRevoked", { lastError: LAST_ERROR.revoked });
    }
    throw error;
  }
}

/** `interval`: minutes between scheduled runs (0: only on Refresh); left out, it stays as it is. */
export type Settings = { groupId: string; direction: Direction; visibility: Visibility; interval?: SyncInterval };

/** Saves the settings. Two-way on a read-only grant returns the consent URL that widens
 * it (syncing waits until the user comes back). A new or changed group's first sync is
 * prepared: previewed when the user has persons to pair with, else started. */
export async function configureConnection(
  db: DB,
  viewer: Viewer,
  connectionId: string,
  settings: Settings,
  deps: ManageDeps = {},
): Promise<{ consentUrl: string } | { saved: true; started: boolean; preview: PreviewSummary | null }> {
  const conn = await ownConnection(db, viewer, connectionId);
  const company = await getCompany(db, viewer);
  if (!isVisibilityAllowed(company.plan, settings.visibility)) {
    throw new UserError("plan.visibilityNotOffered", {
      values: { visibility: translated(`visibility.label.${settings.visibility}`) },
      fields: { visibility: "field.notOnPlan" },
    });
  }
  const groups = await listProviderGroups(db, viewer, connectionId, deps);
  const group = groups.find((g) => g.id === settings.groupId);
  if (!group) throw new UserError("sync.groupGone", { fields: { groupId: "field.unknownGroup" } });
  const needsWrite = settings.direction === "two_way" && !grantAllowsWrite(conn);
  const groupChanged = conn.groupId !== settings.groupId;
  // A new group's first sync is prepared below (previewed, or started); until then the
  // connection waits in "preview", where no worker runs it.
  const firstSync = groupChanged && !needsWrite;
  await db.transaction(async (tx) => {
    if (groupChanged && conn.groupId) {
      // Another group is another scope: its persons stay in the CRM, unlinked; the new group
      // is listed in full.
      await links.unlinkAll(tx, connectionId);
      // What waited under Needs attention was about the old group.
      await tx.delete(syncFailures).where(eq(syncFailures.connectionId, connectionId));
    }
    await tx
      .update(syncConnections)
      .set({
        groupId: settings.groupId,
        groupName: group.name,
        direction: settings.direction,
        visibility: settings.visibility,
        // A new interval counts from the last run (a shorter one may make the connection due now).
        ...(settings.interval !== undefined && settings.interval !== conn.syncIntervalMinutes
          ? {
              syncIntervalMinutes: settings.interval,
              nextRunAt: sql`coalesce(${syncConnections.lastRunAt}, now()) + ${runInterval(sql`${settings.interval}::int`, env().SYNC_INTERVAL_MINUTES * 60_000)}`,
            }
          : {}),
        ...(groupChanged ? { cursor: null, pushWatermark: new Date() } : {}),
        ...(conn.direction !== "two_way" && settings.direction === "two_way" ? { pushWatermark: new Date() } : {}),
        updatedAt: new Date(),
      })
      .where(eq(syncConnections.id, connectionId));
    // Two-way on a read-only grant: the settings are kept, and syncing waits until the user
    // allows write access (the OAuth callback makes the connection active again).
    if (needsWrite) {
      await transition(tx, connectionId, "writeAccessNeeded", { lastError: LAST_ERROR.writeAccessNeeded, firstSyncAwaitsGrant: groupChanged || conn.firstSyncAwaitsGrant });
    }
    if (firstSync) await transition(tx, connectionId, "firstSyncPrepared", { lastError: null, resume: null, firstSyncAwaitsGrant: false });
  });
  if (needsWrite) {
    const { url } = await startAuthorization(db, viewer, { email: conn.accountEmail, provider: conn.provider, direction: "two_way", connectionId }, deps.oauthConfig);
    return { consentUrl: url };
  }
  if (!firstSync) return { saved: true, started: false, preview: null };
  const { preview } = await prepareFirstSync(db, viewer, connectionId, deps);
  return { saved: true, started: preview === null, preview };
}

/** The first sync of a connection's group (new, or changed). When the user has persons the
 * group's contacts could pair with, the group is listed and paired first, and the connection
 * waits in "preview" for the user to confirm (confirmPreview); when nothing pairs, or the user
 * has no persons to pair with, the first sync starts at once. A listing that fails leaves the
 * connection waiting, with the error, for another try (or Back). */
export async function prepareFirstSync(db: DB, viewer: Viewer, connectionId: string, deps: ManageDeps = {}): Promise<{ preview: PreviewSummary | null }> {
  const conn = await ownConnection(db, viewer, connectionId);
  if (!conn.groupId || conn.status !== "preview") throw new UserError("sync.notAwaitingFirstSync");
  const actor = asUser(viewer);
  const start = async () => {
    await dropPreview(db, connectionId);
    await transition(db, connectionId, "firstSyncStarted", { lastError: null });
    await requestSync(db, connectionId);
    return { preview: null };
  };
  if (!(await hasPairablePersons(db, actor, connectionId))) return start();
  let summary: PreviewSummary;
  try {
    summary = await buildPreview(db, actor, conn, await adapterForConnection(db, conn, { apiBaseUrl: deps.apiBaseUrl }));
  } catch (error) {
    const revoked = error instanceof InvalidGrantError;
    const reason = revoked ? "previewRevoked" : "previewListingFailed";
    if (revoked) await transition(db, connectionId, "grantRevoked", { lastError: LAST_ERROR[reason] });
    else await db.update(syncConnections).set({ lastError: LAST_ERROR[reason], updatedAt: new Date() }).where(eq(syncConnections.id, connectionId));
    throw new UserError(`lastError.${reason}`);
  }
  if (summary.link + summary.choose === 0) return start();
  await db.update(syncConnections).set({ lastError: null, updatedAt: new Date() }).where(eq(syncConnections.id, connectionId));
  return { preview: summary };
}

async function previewConnection(db: DB, viewer: Viewer, connectionId: string): Promise<SyncConnection> {
  const conn = await ownConnection(db, viewer, connectionId);
  if (conn.status !== "preview") throw new UserError("sync.noPreview");
  return conn;
}

/** The preview's figures and one page of its rows (of the decision asked for, else the first
 * with rows in it: the ties, the pairs, the creates), with what the first merge would do to
 * each pair. */
export async function readPreview(
  db: DB,
  viewer: Viewer,
  connectionId: string,
  opts: { decision?: PreviewDecision; page: number },
): Promise<{ summary: PreviewSummary; decision: PreviewDecision; page: PreviewPage }> {
  const conn = await previewConnection(db, viewer, connectionId);
  const company = await getCompany(db, viewer);
  const crm = { fieldIds: await ensureSyncCustomFields(db, conn.companyId), defaultCountry: company.defaultCountry };
  const summary = await previewSummary(db, conn.id);
  const decision = opts.decision ?? (["choose", "link", "create"] as const).find((d) => summary[d] > 0) ?? "choose";
  return { summary, decision, page: await listPreview(db, asUser(viewer), conn.id, crm, { decision, page: opts.page }) };
}

/** Links a contact of the preview to a person (one of its candidates), or unpairs it. */
export async function answerPreviewContact(db: DB, viewer: Viewer, connectionId: string, providerId: string, personId: string | null): Promise<void> {
  await previewConnection(db, viewer, connectionId);
  await decidePreviewContact(db, connectionId, providerId, personId);
}

/** Start syncing: the first run applies the preview as it stands. Refused while a contact still
 * waits for the user's choice. */
export async function confirmPreview(db: DB, viewer: Viewer, connectionId: string): Promise<void> {
  await previewConnection(db, viewer, connectionId);
  const summary = await previewSummary(db, connectionId);
  if (summary.link + summary.create + summary.choose === 0) throw new UserError("sync.previewNotReady");
  if (summary.choose > 0) {
    throw new UserError("sync.choicesLeft", { values: { count: summary.choose } });
  }
  if (!(await transition(db, connectionId, "firstSyncStarted", { lastError: null }))) throw new UserError("sync.noPreview");
  await requestSync(db, connectionId);
}

/** Back: the preview is dropped and the group unset, so the user chooses the settings again.
 * Nothing was synced. */
export async function leavePreview(db: DB, viewer: Viewer, connectionId: string): Promise<void> {
  await previewConnection(db, viewer, connectionId);
  await db.transaction(async (tx) => {
    await dropPreview(tx, connectionId);
    await transition(tx, connectionId, "previewLeft", { groupId: null, groupName: null, lastError: null, cursor: null, resume: null });
  });
}

export async function setPaused(db: DB, viewer: Viewer, connectionId: string, paused: boolean, deps: ManageDeps = {}): Promise<void> {
  const conn = await ownConnection(db, viewer, connectionId);
  const moved = paused ? await transition(db, conn.id, "paused") : await transition(db, conn.id, "resumed", { lastError: null });
  // A paused connection is not told of changes (resumed, its first run subscribes again).
  if (paused) await dropSubscription(db, conn, (c) => adapterForConnection(db, c, deps));
  if (moved && !paused) await requestSync(db, connectionId);
}

/** Removes the connection. With keepPersons false, its synced persons go to the trash first —
 * those the user may still edit, and not those another of their address books also links. */
export async function disconnect(db: DB, viewer: Viewer, connectionId: string, keepPersons: boolean, deps: ManageDeps = {}): Promise<{ removedPersons: number }> {
  const conn = await ownConnection(db, viewer, connectionId);
  await dropSubscription(db, conn, (c) => adapterForConnection(db, c, deps));
  return db.transaction(async (tx) => {
    let removed = 0;
    if (!keepPersons) {
      removed = (await softDeletePersons(tx, asUser(viewer), await links.personsOnlyHere(tx, connectionId))).length;
    }
    await tx.delete(syncConnections).where(eq(syncConnections.id, connectionId));
    return { removedPersons: removed };
  });
}

export async function answerHeldDeletions(db: DB, viewer: Viewer, connectionId: string, confirm: boolean): Promise<number> {
  const conn = await ownConnection(db, viewer, connectionId);
  if (conn.status !== "needs_confirmation") throw new UserError("sync.noHeldDeletions");
  const n = await resolveHeldDeletions(db, connectionId, confirm);
  await requestSync(db, connectionId);
  return n;
}

/** Restores a person deleted by sync, from its event in one of the viewer's connections. */
export async function restoreFromEvent(db: DB, viewer: Viewer, eventId: string): Promise<string> {
  requireSyncPermission(viewer);
  if (!isUuid(eventId)) throw new NotFoundError("thatActivity");
  const [event] = await db
    .select({ id: syncEvents.id })
    .from(syncEvents)
    .innerJoin(syncConnections, eq(syncConnections.id, syncEvents.connectionId))
    .where(and(eq(syncEvents.id, eventId), eq(syncConnections.userId, viewer.id)));
  if (!event) throw new NotFoundError("thatActivity");
  const outcome = await restoreDeletedPerson(db, eventId);
  if (!outcome.ok) throw new UserError(`restore.${outcome.refusal}`);
  return outcome.personId;
}

/** The user's answer about creates a crash cut short that the provider does not show: create
 * them again (the next run does), or leave them out of sync (they stay in the CRM, unlinked). */
export async function answerUnconfirmedCreates(db: DB, viewer: Viewer, connectionId: string, createAgain: boolean): Promise<number> {
  await ownConnection(db, viewer, connectionId);
  const answered = await links.answerUnconfirmed(db, connectionId, createAgain);
  if (answered === 0) throw new UserError("sync.nothingToAnswer");
  if (createAgain) await requestSync(db, connectionId);
  return answered;
}

/** Retry (Needs attention): the connection's refused contacts — or the one named — are sent
 * again by a run started now, with the full number of attempts again. */
export async function retryFailedContacts(db: DB, viewer: Viewer, connectionId: string, failureId?: string): Promise<number> {
  const conn = await ownConnection(db, viewer, connectionId);
  if (failureId !== undefined && !isUuid(failureId)) throw new NotFoundError("thatContact");
  if (conn.direction !== "two_way") throw new UserError("sync.readOnly");
  const n = await retryFailures(db, connectionId, failureId);
  if (n === 0) throw new UserError("sync.nothingToRetry");
  if (conn.status !== "paused" && conn.status !== "reconnect_needed" && conn.status !== "preview") await requestSync(db, connectionId);
  return n;
}

/** "Got it" on a conflict listed under Needs attention: it leaves the list (the person's
 * history keeps it). */
export async function dismissConflict(db: DB, viewer: Viewer, connectionId: string, eventId: string): Promise<void> {
  await ownConnection(db, viewer, connectionId);
  if (!isUuid(eventId)) throw new NotFoundError("thatConflict");
  const rows = await db
    .update(syncEvents)
    .set({ resolvedAt: new Date() })
    .where(and(eq(syncEvents.id, eventId), eq(syncEvents.connectionId, connectionId), eq(syncEvents.kind, "conflict")))
    .returning({ id: syncEvents.id });
  if (rows.length === 0) throw new NotFoundError("thatConflict");
}

export async function syncNow(db: DB, viewer: Viewer, connectionId: string): Promise<{ alreadyWaiting: boolean }> {
  const conn = await ownConnection(db, viewer, connectionId);
  if (!conn.groupId) throw new UserError("sync.chooseGroupFirst");
  if (conn.status === "paused") throw new UserError("sync.paused");
  if (conn.status === "reconnect_needed") throw new UserError("sync.reconnectFirst");
  if (conn.status === "preview") throw new UserError("sync.confirmPreviewFirst");
  return requestSync(db, connectionId);
}

export async function reconnect(db: DB, viewer: Viewer, connectionId: string, deps: ManageDeps = {}): Promise<string> {
  const conn = await ownConnection(db, viewer, connectionId);
  const { url } = await startAuthorization(
    db,
    viewer,
    { email: conn.accountEmail, provider: conn.provider, direction: conn.direction, connectionId },
    deps.oauthConfig,
  );
  return url;
}
