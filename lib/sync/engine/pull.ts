// Pull: every page of contacts the provider reports changed (all of them on a full listing) is
// applied in one transaction — new contacts become persons, linked ones are merged (merge.ts),
// our own interrupted creates are adopted (adopt.ts) — and deletions are collected for
// deletions.ts, which stores the cursor once everything it covers is committed.
import { and, eq, inArray } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { insertMany } from "@/db/bulk";
import { insertPersons } from "@/db/queries/person-writes";
import { getPersonsForSync } from "@/db/queries/sync-persons";
import { syncLinks, syncRuns, type SyncLink } from "@/db/schema";
import { EMPTY_CONTACT } from "../contact";
import { contactToPersonColumns } from "../crm-side";
import { CursorExpiredError, type PulledContact } from "../provider";
import { isRealLink } from "@/db/queries/sync-links";
import { adoptPendingCreate, adoptStampedCreates } from "./adopt";
import type { Run } from "./context";
import { settleDeletions, type PendingDeletion } from "./deletions";
import { reconcileLinked } from "./merge";
import { contactLabel, fieldChanges } from "./run-log";

export async function pull(run: Run): Promise<{ full: boolean; held: boolean }> {
  const { db, conn, adapter } = run;
  const pending: PendingDeletion[] = [];
  const seen = new Set<string>();
  let inScopeSeen = 0;

  await adoptStampedCreates(run);

  const onPage = async (items: PulledContact[]) => {
    for (const item of items) {
      if (!item.deleted && item.inScope) {
        seen.add(item.id);
        inScopeSeen++;
      }
    }
    await applyPage(run, items, pending);
    run.processed += items.length;
    await db.update(syncRuns).set({ processed: run.processed, counts: run.log.counts }).where(eq(syncRuns.id, run.id));
    await run.heartbeat();
    await run.fault("after-page");
  };

  let result;
  try {
    result = await adapter.pull(conn.cursor, (page) => onPage(page.items));
  } catch (error) {
    if (!(error instanceof CursorExpiredError)) throw error;
    run.logger.warn("cursor expired; running a full listing", { connectionId: conn.id });
    pending.length = 0;
    seen.clear();
    inScopeSeen = 0;
    result = await adapter.pull(null, (page) => onPage(page.items));
  }

  // A complete full listing also tells us which linked contacts are gone without a tombstone.
  let emptied = false;
  if (result.full) {
    const links = await db.select().from(syncLinks).where(and(eq(syncLinks.connectionId, conn.id), isRealLink));
    const pendingIds = new Set(pending.map((p) => p.link.providerId));
    const missing = links.filter((l) => !seen.has(l.providerId) && !pendingIds.has(l.providerId));
    const people = await getPersonsForSync(db, run.actor, missing.map((l) => l.personId));
    for (const link of missing) pending.push({ link, person: people.get(link.personId) ?? null, item: null });
    emptied = inScopeSeen === 0 && links.length > 0;
  }

  const held = await settleDeletions(run, pending, emptied, result.cursor);
  return { full: result.full, held };
}

/** Applies one page of pulled contacts in one transaction. Deletions are only collected. */
async function applyPage(run: Run, items: PulledContact[], pending: PendingDeletion[]): Promise<void> {
  const { db, conn } = run;
  if (items.length === 0) return;
  try {
    await db.transaction(async (tx) => {
      const ids = [...new Set(items.flatMap((i) => [i.id, ...(i.previousIds ?? [])]))];
      const links = await tx
        .select()
        .from(syncLinks)
        .where(and(eq(syncLinks.connectionId, conn.id), inArray(syncLinks.providerId, ids)));
      const linkById = new Map(links.map((l) => [l.providerId, l]));
      const people = await getPersonsForSync(tx, run.actor, links.map((l) => l.personId), { lock: true });
      const creates: PulledContact[] = [];

      for (const item of items) {
        let link: SyncLink | undefined = linkById.get(item.id);
        if (!link) {
          // Re-keyed at the provider (Google previousResourceNames): move the link, not the person.
          const previous = item.previousIds?.map((id) => linkById.get(id)).find(Boolean);
          if (previous) {
            await tx.update(syncLinks).set({ providerId: item.id, updatedAt: new Date() }).where(eq(syncLinks.id, previous.id));
            link = { ...previous, providerId: item.id };
            linkById.set(item.id, link);
          }
        }
        if (!link && !item.deleted && item.inScope) {
          // One of our own creates whose link a crash cut short: adopt it instead of importing it
          // (and merge below whatever was edited at the provider since).
          link = (await adoptPendingCreate(run, tx, item)) ?? undefined;
        }
        if (!link) {
          if (!item.deleted && item.inScope && !creates.some((c) => c.id === item.id)) creates.push(item);
          continue;
        }
        // (An adopted link's person was not among those loaded for the page.)
        const personId = link.personId;
        const person = people.get(personId) ?? (await getPersonsForSync(tx, run.actor, [personId], { lock: true })).get(personId) ?? null;
        if (item.deleted || !item.inScope) {
          const linkId = link.id;
          if (!pending.some((p) => p.link.id === linkId)) pending.push({ link, person, item });
          continue;
        }
        await reconcileLinked(run, tx, link, person, item);
      }
      await createPersons(run, tx, creates);
      await run.log.flush(tx);
    });
  } catch (error) {
    run.log.discard();
    run.crm.orgs.reset();
    throw error;
  }
}

/** New contacts become persons of the connection's user, with the connection's visibility. */
async function createPersons(run: Run, tx: Tx, items: PulledContact[]): Promise<void> {
  if (items.length === 0) return;
  const { conn } = run;
  const rows = [];
  for (const item of items) {
    const organizationId = await run.crm.orgs.resolve(tx, item.contact.organization);
    rows.push({ ownerId: conn.userId, visibility: conn.visibility, ...contactToPersonColumns(item.contact, run.crm.fieldIds, {}, organizationId) });
  }
  // One statement for the page's persons, one for their links.
  const personIds = await insertPersons(tx, run.actor, rows);
  await insertMany(
    tx,
    syncLinks,
    items.map((item, i) => ({
      connectionId: conn.id,
      personId: personIds[i]!,
      providerId: item.id,
      etag: item.etag,
      base: item.contact,
      crmVersion: 1,
      photoUrl: item.photoUrl ?? null,
    })),
  );
  items.forEach((item, i) =>
    run.log.record({
      personId: personIds[i]!,
      providerId: item.id,
      kind: "added",
      side: "crm",
      label: contactLabel(item.contact),
      changes: fieldChanges(EMPTY_CONTACT, item.contact),
    }),
  );
}
