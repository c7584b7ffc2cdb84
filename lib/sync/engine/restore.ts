// Restoring a person that sync moved to the trash, from its "deleted" event — only while that
// deletion is still what happened last to the person: an older deletion does not undo what
// someone did since (restored it, edited and deleted it again). The restore is made for the
// connection's user, bound by the same rule as any other person write; the event is marked
// restored; and a two-way connection sends the person to the address book again (as a new
// contact: the old one is gone there).
import { and, eq } from "drizzle-orm";
import type { DB } from "@/db/client";
import { asConnection, restorePersons } from "@/db/queries/person-writes";
import * as links from "@/db/queries/sync/links";
import { getViewer } from "@/db/queries/users";
import { persons, syncConnections, syncEvents } from "@/db/schema";
import { englishMessage, type ErrorKeyIn } from "@/lib/errors";
import { recordEvents } from "./run-log";

/** Why a restore was refused: a message under "errors.restore". */
export type RestoreRefusal = ErrorKeyIn<"restore">;
/** `reason`: the refusal in English (logs, tests). */
export type RestoreOutcome = { ok: true; personId: string } | { ok: false; refusal: RestoreRefusal; reason: string };

function refused(refusal: RestoreRefusal): RestoreOutcome {
  return { ok: false, refusal, reason: englishMessage(`restore.${refusal}`) };
}

/** Deletions recorded before events carried the person's version: the trash time must be the
 * event's (the same transaction wrote both). */
const LEGACY_WINDOW_MS = 60_000;

export async function restoreDeletedPerson(db: DB, eventId: string): Promise<RestoreOutcome> {
  const [row] = await db
    .select({ event: syncEvents, conn: syncConnections })
    .from(syncEvents)
    .innerJoin(syncConnections, eq(syncConnections.id, syncEvents.connectionId))
    .where(and(eq(syncEvents.id, eventId), eq(syncEvents.kind, "deleted"), eq(syncEvents.side, "crm")));
  const personId = row?.event.personId;
  if (!row || !personId) return refused("notFromSync");
  const { event, conn } = row;
  const user = await getViewer(db, conn.userId);
  if (!user) return refused("userInactive");
  const [person] = await db.select({ deletedAt: persons.deletedAt, version: persons.version, ownerId: persons.ownerId }).from(persons).where(eq(persons.id, personId));
  if (!person?.deletedAt) return refused("notDeleted");
  if (event.resolvedAt) return refused("alreadyUndone");
  const version = (event.detail as { personVersion?: unknown }).personVersion;
  const current =
    typeof version === "number" ? person.version === version : Math.abs(person.deletedAt.getTime() - event.createdAt.getTime()) <= LEGACY_WINDOW_MS;
  if (!current) return refused("changedSince");

  return db.transaction(async (tx): Promise<RestoreOutcome> => {
    const restored = await restorePersons(tx, asConnection(conn.id, user), [personId]);
    if (restored.length === 0) return refused("mayNotChange");
    await tx.update(syncEvents).set({ resolvedAt: new Date() }).where(eq(syncEvents.id, event.id));
    await recordEvents(tx, [{ connectionId: conn.id, personId, kind: "restored", side: "crm", label: event.label, detail: { restoredEvent: event.id } }]);
    if (conn.direction === "two_way" && person.ownerId === conn.userId) {
      await links.requestCreate(tx, conn.id, personId);
    }
    return { ok: true, personId };
  });
}
