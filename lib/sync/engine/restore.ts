// Restoring a person that sync moved to the trash, from its "deleted" event. The restore is made
// for the connection's user, bound by the same rule as any other person write.
import { and, eq } from "drizzle-orm";
import type { DB } from "@/db/client";
import { asConnection, restorePersons } from "@/db/queries/person-writes";
import { getViewer } from "@/db/queries/users";
import { syncConnections, syncEvents } from "@/db/schema";
import { recordEvents } from "./run-log";

/** Brings back a person deleted by sync; returns its id, or null when it cannot be restored.
 * The next two-way run sends it to the provider again as a new contact. */
export async function restoreDeletedPerson(db: DB, eventId: string): Promise<string | null> {
  const [e] = await db
    .select({ event: syncEvents, userId: syncConnections.userId })
    .from(syncEvents)
    .innerJoin(syncConnections, eq(syncConnections.id, syncEvents.connectionId))
    .where(and(eq(syncEvents.id, eventId), eq(syncEvents.kind, "deleted"), eq(syncEvents.side, "crm")));
  const personId = e?.event.personId;
  if (!e || !personId) return null;
  const user = await getViewer(db, e.userId);
  if (!user) return null;
  return db.transaction(async (tx) => {
    // Restored as if created now, so that the push phase offers it to the address book again.
    const restored = await restorePersons(tx, asConnection(e.event.connectionId, user), [personId], { asNew: true });
    if (restored.length === 0) return null;
    await recordEvents(tx, [{ connectionId: e.event.connectionId, personId, kind: "restored", side: "crm", label: e.event.label }]);
    return personId;
  });
}
