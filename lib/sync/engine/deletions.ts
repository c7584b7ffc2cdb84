// Deletions the provider reports (tombstones, contacts that left the group, contacts missing
// from a complete full listing) are collected over the whole pull and settled at its end, in the
// transaction that stores the cursor (pull.ts): applied, or — when the run would delete more than
// max(DELETE_GUARD_MIN, DELETE_GUARD_SHARE) of the linked persons, or the group came back
// empty — held for the user to confirm (resolveHeldDeletions). Persons go to the trash, so
// every deletion by sync can be restored.
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { DB, Tx } from "@/db/client";
import { asConnection, softDeletePersons, type Actor } from "@/db/queries/person-writes";
import type { PersonForSync } from "@/db/queries/sync/persons";
import { getViewer } from "@/db/queries/users";
import { syncConnections, syncEvents, type GoneReason } from "@/db/schema";
import { transition } from "@/db/queries/sync/connection-status";
import * as links from "@/db/queries/sync/links";
import { decideProviderGone } from "../model/plan";
import type { Run } from "./context";
import { contactLabel, fieldChanges, recordEvents, type EventRow } from "./run-log";

export const DELETE_GUARD_MIN = 10;
export const DELETE_GUARD_SHARE = 0.2;

export type DeletionReason = GoneReason | "missing_from_full_listing";
export type PendingDeletion = { link: links.LinkedLink; person: PersonForSync | null; reason: DeletionReason };

/** What the listing's deletions come to: applied, or held for the user when too many. */
export type DeletionPlan = {
  /** Gone on both sides, or no longer the user's to change: only unlinked. */
  unlink: PendingDeletion[];
  untouchable: PendingDeletion[];
  /** The persons to trash (or to hold). */
  toDelete: PendingDeletion[];
  hold: boolean;
  emptied: boolean;
  linkCount: number;
};

/** Decides the collected deletions: held when the run would delete more than the guard allows,
 * or the group came back empty. */
export async function planDeletions(run: Run, pending: PendingDeletion[], emptied: boolean): Promise<DeletionPlan> {
  const live = pending.filter((p) => p.person && !p.person.deletedAt);
  const toDelete = live.filter((p) => p.person!.editable);
  const untouchable = live.filter((p) => !p.person!.editable);
  const quiet = pending.filter((p) => !p.person || p.person.deletedAt);
  // The guard's limit is at least DELETE_GUARD_MIN: below it the links need not be counted
  // (which reads every link of the connection), so a small incremental run stays small.
  const linkCount = toDelete.length > DELETE_GUARD_MIN || (emptied && toDelete.length > 0) ? await links.countLinked(run.db, run.conn.id) : 0;
  const limit = Math.max(DELETE_GUARD_MIN, Math.floor(DELETE_GUARD_SHARE * linkCount));
  const hold = toDelete.length > 0 && (emptied || toDelete.length > limit);
  return { unlink: [...quiet, ...untouchable], untouchable, toDelete, hold, emptied, linkCount };
}

export const nothingToSettle = (plan: DeletionPlan) => plan.unlink.length === 0 && plan.toDelete.length === 0;

/** Makes the deletions' writes (and records their events) in the transaction that stores the
 * listing's cursor (pull.ts). */
export async function applyDeletions(run: Run, tx: Tx, plan: DeletionPlan): Promise<void> {
  const { toDelete } = plan;
  // Gone on both sides: drop the link quietly. Gone at the provider but no longer the user's to
  // change: unlink, and leave the person alone.
  await links.unlink(tx, plan.unlink.map((p) => p.link.id));
  for (const p of plan.untouchable) recordSkippedDeletion(run, p);
  if (!plan.hold) {
    for (const p of toDelete) await deleteSyncedPerson(run, tx, p);
    return;
  }
  // The held ones wait in their events; their links are no longer "gone" for the next run.
  await links.clearGone(tx, toDelete.map((p) => p.link.id));
  for (const p of toDelete) {
    run.log.record({
      personId: p.person!.id,
      providerId: p.link.providerId,
      kind: "held_deletion",
      side: "crm",
      label: contactLabel(run.crmContact(p.person!)),
      detail: { reason: plan.emptied ? "group_emptied" : "mass_delete", total: toDelete.length, linked: plan.linkCount },
    });
  }
}

function recordSkippedDeletion(run: Run, p: PendingDeletion): void {
  run.log.record({
    personId: p.person!.id,
    providerId: p.link.providerId,
    kind: "skipped",
    side: "crm",
    label: contactLabel(p.link.base),
    detail: { reason: "not_editable", wanted: "delete" },
  });
}

/** What a contact gone at the provider does to its linked person — in the run, and when the
 * user confirms held deletions alike: the link goes; the person goes to the trash, unless
 * another address book still links it (then it is only unlinked: that one still has it), or
 * the connection's user may not change it. */
async function removeLinkedPerson(tx: Tx, actor: Actor, link: links.LinkedLink): Promise<{ trashed: number } | "unlinked" | "refused"> {
  const other = await links.linkedElsewhere(tx, link.personId, link.connectionId);
  await links.unlink(tx, [link.id]);
  if (other) return "unlinked";
  const [trashed] = await softDeletePersons(tx, actor, [link.personId]);
  return trashed ? { trashed: trashed.version } : "refused";
}

async function deleteSyncedPerson(run: Run, tx: Tx, p: PendingDeletion): Promise<void> {
  const person = p.person!;
  const crm = run.crmContact(person);
  const decision = decideProviderGone({ base: p.link.base, crm, direction: run.conn.direction });
  if (decision.action !== "delete_person") return links.unlink(tx, [p.link.id]);
  const outcome = await removeLinkedPerson(tx, run.actor, p.link);
  if (outcome === "refused") return recordSkippedDeletion(run, p);
  if (outcome === "unlinked") return;
  if (decision.lostEdit) {
    run.log.record({
      personId: person.id,
      providerId: p.link.providerId,
      kind: "conflict",
      side: "crm",
      label: contactLabel(crm),
      changes: fieldChanges(p.link.base, crm),
      detail: { rule: "delete wins", deletedOn: "provider" },
    });
  }
  const reason = p.reason;
  run.log.record({
    personId: person.id,
    providerId: p.link.providerId,
    kind: "deleted",
    side: "crm",
    label: contactLabel(crm),
    detail: { reason, restorable: true, personVersion: outcome.trashed },
  });
}

/** The user's answer to held deletions: confirm deletes those persons (restorably); reject
 * keeps them and unlinks them from the provider contacts that are gone. The deletions are made
 * for the connection's user, bound as the run would have been. */
export async function resolveHeldDeletions(db: DB, connectionId: string, confirm: boolean): Promise<number> {
  const [conn] = await db.select({ userId: syncConnections.userId }).from(syncConnections).where(eq(syncConnections.id, connectionId));
  const user = conn ? await getViewer(db, conn.userId) : null;
  if (!user) return 0;
  const actor = asConnection(connectionId, user);
  return db.transaction(async (tx) => {
    const held = await tx
      .select()
      .from(syncEvents)
      .where(and(eq(syncEvents.connectionId, connectionId), eq(syncEvents.kind, "held_deletion"), isNull(syncEvents.resolvedAt)));
    const deleted: EventRow[] = [];
    for (const e of held) {
      if (!e.providerId) continue;
      const link = await links.byProviderId(tx, connectionId, e.providerId);
      if (!link) continue;
      if (!confirm) {
        await links.unlink(tx, [link.id]);
        continue;
      }
      // What the run would have done.
      const outcome = await removeLinkedPerson(tx, actor, link);
      if (typeof outcome !== "object") continue;
      deleted.push({
        connectionId,
        personId: link.personId,
        providerId: e.providerId,
        kind: "deleted",
        side: "crm",
        label: e.label,
        detail: { reason: "confirmed_by_user", restorable: true, personVersion: outcome.trashed },
      });
    }
    await recordEvents(tx, deleted);
    if (held.length > 0) await tx.update(syncEvents).set({ resolvedAt: new Date() }).where(inArray(syncEvents.id, held.map((e) => e.id)));
    await transition(tx, connectionId, "deletionsAnswered", { lastError: null });
    return held.length;
  });
}
