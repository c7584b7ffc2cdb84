// Pull: every page of contacts the provider reports changed (all of them on a full listing) is
// applied in one transaction — new contacts become persons (or, on a previewed first sync, are
// linked to the persons the user paired them with: link.ts), linked ones are merged (merge.ts),
// our own interrupted creates are adopted (adopt.ts) — and deletions are noted on their links
// for deletions.ts, which settles them and stores the cursor once everything is committed.
// On the embedded database, while others use it too (the pages the app serves), a page goes in
// transactions of EMBEDDED_CHUNK contacts instead: there a transaction holds up every other
// query until it ends. Each is idempotent, and the page's resume point is stored with its last:
// an interruption between them replays the page, whose committed part is then a no-op.
//
// A listing is resumable: each page's transaction also stores where the listing goes on (the
// provider's token for the next page, in sync_connections.resume), marks the links a full
// listing has seen (sync_links.listed_at) and the contacts found gone (sync_links.gone). A run
// that takes over from an interrupted one starts from the page after the last committed one;
// if the provider no longer accepts that token, the listing starts again (its committed pages
// replay as no-ops). Nothing is kept only in memory across pages.
import { giveWay, isContended, type Tx } from "@/db/client";
import { insertPersons } from "@/db/queries/person-writes";
import * as links from "@/db/queries/sync/links";
import { getPersonsForSync } from "@/db/queries/sync/persons";
import * as runs from "@/db/queries/sync/runs";
import type { GoneReason, ListingResume } from "@/db/schema";
import { EMPTY_CONTACT, withFieldsOf } from "../model/contact";
import { contactToPersonColumns } from "./crm-side";
import { LeaseLostError } from "../jobs/lease";
import { AddressBookTooLargeError, CursorExpiredError, ResumeRefusedError, type PulledContact, type PullPage, type PullResult } from "../model/provider";
import { adoptPendingCreate, adoptStampedCreates } from "./adopt";
import type { Run } from "./context";
import { settleDeletions, type PendingDeletion } from "./deletions";
import { clearUnreadable, clearUnreadableBefore, noteOversize, noteUnreadable } from "./failures";
import { linkPaired, previewPairs } from "../first-sync/link";
import { reconcileLinked } from "./merge";
import { contactLabel, fieldChanges } from "./run-log";

/** Contacts a transaction applies on the embedded database while it is shared (a few tens of
 * milliseconds of its statements). */
export const EMBEDDED_CHUNK = 100;

/** One listing: from a cursor (null: everything) or resumed, with what it has counted so far. */
type Listing = { fromCursor: string | null; startedAt: Date; inScopeSeen: number };

export async function pull(run: Run): Promise<{ full: boolean; held: boolean }> {
  const { conn, adapter } = run;
  await adoptStampedCreates(run);

  const resume = conn.resume;
  let listing: Listing = resume
    ? { fromCursor: resume.fromCursor, startedAt: new Date(resume.startedAt), inScopeSeen: resume.inScopeSeen }
    : { fromCursor: conn.cursor, startedAt: new Date(), inScopeSeen: 0 };
  if (resume) run.processed = resume.processed;
  /** A listing from scratch (from a cursor, or everything). */
  const start = (from: string | null) => {
    listing = { fromCursor: from, startedAt: new Date(), inScopeSeen: 0 };
    return adapter.pull(from, (page) => applyPage(run, listing, page));
  };
  const relist = () => {
    run.logger.warn("cursor expired; running a full listing", { connectionId: conn.id });
    return start(null);
  };

  let result: PullResult;
  try {
    result = resume
      ? await adapter.pull(resume.fromCursor, (page) => applyPage(run, listing, page), { resumeFrom: resume.pageToken })
      : await adapter.pull(conn.cursor, (page) => applyPage(run, listing, page));
  } catch (error) {
    if (error instanceof ResumeRefusedError && resume) {
      run.logger.warn("the interrupted listing cannot go on; starting it again", { connectionId: conn.id });
      try {
        result = await start(resume.fromCursor);
      } catch (again) {
        if (!(again instanceof CursorExpiredError) || resume.fromCursor === null) throw again;
        result = await relist();
      }
    } else if (error instanceof CursorExpiredError) {
      result = await relist();
    } else {
      throw error;
    }
  }

  if (result.full && run.hadFailures) await clearUnreadableBefore(run.db, conn.id, listing.startedAt);
  const pending = await collectDeletions(run, result.full ? listing : null);
  const linkCount = result.full ? await links.countLinked(run.db, conn.id) : 0;
  const emptied = result.full && listing.inScopeSeen === 0 && linkCount > 0;
  const held = await settleDeletions(run, pending, emptied, result.cursor);
  return { full: result.full, held };
}

/** The deletions the listing found: links whose contact a committed page reported gone, and —
 * after a complete full listing — the linked contacts it did not see at all. */
async function collectDeletions(run: Run, full: Listing | null): Promise<PendingDeletion[]> {
  const found = await links.goneOrUnseen(run.db, run.conn.id, full ? full.startedAt : null);
  const people = await getPersonsForSync(run.db, run.actor, found.map((l) => l.personId));
  return found.map((link) => ({ link, person: people.get(link.personId) ?? null, reason: link.gone ?? "missing_from_full_listing" }));
}

/** Applies one page of pulled contacts — in one transaction, with where the listing goes on (on
 * the embedded database, in a few: see the top of this file). */
async function applyPage(run: Run, listing: Listing, page: PullPage): Promise<void> {
  const items = page.items;
  // Nothing changed and nothing to go on from (a run with nothing to do): no transaction.
  const unreadable = page.unreadable ?? [];
  if (items.length === 0 && unreadable.length === 0 && !page.next) {
    // Nor any progress to note; the lease is checked where the cursor is stored (deletions.ts).
    if (run.lease?.lost) throw new LeaseLostError();
    return run.fault("after-page");
  }
  // A full listing larger than Tandem syncs from one address book stops here, before this page.
  if (listing.fromCursor === null && listing.inScopeSeen + items.filter((i) => !i.deleted && i.inScope).length > run.maxContacts) {
    throw new AddressBookTooLargeError();
  }
  for (let from = 0, size = 0; from === 0 || from < items.length; from += size) {
    // (On the embedded database, the pages being served go first, and while there are any, the
    // page goes in small transactions.)
    await giveWay(run.db);
    size = isContended(run.db) ? EMBEDDED_CHUNK : Math.max(items.length - from, 1);
    const last = from + size >= items.length;
    await applyItems(run, listing, { items: items.slice(from, from + size), unreadable: last ? unreadable : [], next: last ? page.next : null });
    if (!last) await run.fault("between-transactions");
  }
  await afterPage(run);
}

/** Applies pulled contacts in one transaction; with `next`, the listing's resume point too. */
async function applyItems(run: Run, listing: Listing, page: PullPage): Promise<void> {
  const { db, conn } = run;
  const { items, next } = page;
  const unreadable = page.unreadable ?? [];
  const full = listing.fromCursor === null;
  const inScope = items.filter((i) => !i.deleted && i.inScope).length;
  try {
    await db.transaction(async (tx) => {
      const ids = [...new Set([...items.flatMap((i) => [i.id, ...(i.previousIds ?? [])]), ...unreadable.map((u) => u.id)])];
      const known = await links.byProviderIds(tx, conn.id, ids);
      const linkById = new Map(known.map((l) => [l.providerId, l]));
      const people = await getPersonsForSync(tx, run.actor, known.map((l) => l.personId), { lock: true });
      const creates: PulledContact[] = [];
      const gone = new Map<string, GoneReason>();
      const live = new Set<string>();

      for (const item of items) {
        let link: links.LinkedLink | undefined = linkById.get(item.id);
        if (!link) {
          // Re-keyed at the provider (Google previousResourceNames): move the link, not the person.
          const previous = item.previousIds?.map((id) => linkById.get(id)).find(Boolean);
          if (previous) {
            await links.rekey(tx, previous.id, item.id);
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
        if (item.deleted || !item.inScope) {
          gone.set(link.id, item.deleted ? "deleted_at_provider" : "left_group");
          continue;
        }
        live.add(link.id);
        // (An adopted link's person was not among those loaded for the page.)
        const personId = link.personId;
        const person = people.get(personId) ?? (await getPersonsForSync(tx, run.actor, [personId], { lock: true })).get(personId) ?? null;
        await reconcileLinked(run, tx, link, person, withHeldFields(item, link));
      }
      for (const u of unreadable) {
        // Kept as it was (seen, so a full listing does not take it for gone), and reported.
        const link = linkById.get(u.id);
        if (link) live.add(link.id);
        run.log.record({ personId: link?.personId ?? null, kind: "error", side: "provider", label: u.label, detail: { message: u.message } });
      }
      // What could not be read (in full) waits in "Needs attention"; what was read (or is gone)
      // no longer.
      const seenAt = new Date();
      await noteUnreadable(tx, conn.id, unreadable, seenAt);
      if (run.hadFailures) await clearUnreadable(tx, conn.id, items.map((i) => i.id));
      const oversize = items.filter((i) => !i.deleted && i.inScope && (i.oversize?.length ?? 0) > 0);
      await noteOversize(tx, conn.id, oversize.map((i) => ({ id: i.id, label: contactLabel(i.contact), oversize: i.oversize! })), seenAt);
      // What was noted now is cleared by the pages after, when read again (a listing that starts
      // over within the run).
      if (unreadable.length > 0 || oversize.length > 0) run.hadFailures = true;
      // A previewed first sync links the contacts paired with persons the user had (link.ts).
      const unpaired = await linkPaired(run, tx, creates, await previewPairs(run, tx, creates), full ? listing.startedAt : null);
      await createPersons(run, tx, unpaired, full ? listing.startedAt : null);
      await links.markGone(tx, gone);
      await links.markSeen(tx, [...live], full ? listing.startedAt : null);
      listing.inScopeSeen += inScope;
      run.processed += items.length;
      const resume: ListingResume | null = next
        ? { pageToken: next, fromCursor: listing.fromCursor, startedAt: listing.startedAt.toISOString(), inScopeSeen: listing.inScopeSeen, processed: run.processed }
        : null;
      // The last page keeps the previous resume point: until the cursor is stored, an
      // interruption replays that page (as a no-op).
      if (resume) await runs.checkpoint(tx, conn.id, resume);
      await run.log.flush(tx);
    });
  } catch (error) {
    run.log.discard();
    run.crm.orgs.reset();
    throw error;
  }
}

/** A linked contact with fields over Tandem's limits: for the merge, those fields hold what the
 * provider held before (the link's base), so nothing of them reaches the person, and the push
 * leaves the contact alone until they are shortened (sync_failures "oversize"). */
function withHeldFields(item: PulledContact, link: links.LinkedLink): PulledContact {
  if (!item.oversize?.length) return item;
  return { ...item, contact: withFieldsOf(item.contact, link.base, item.oversize.map((f) => f.field)) };
}

async function afterPage(run: Run): Promise<void> {
  await runs.progress(run.db, run.id, run.processed, run.log.counts);
  await run.heartbeat();
  await run.fault("after-page");
}

/** New contacts become persons of the connection's user, with the connection's visibility. */
async function createPersons(run: Run, tx: Tx, items: PulledContact[], listedAt: Date | null): Promise<void> {
  if (items.length === 0) return;
  const { conn } = run;
  const rows = [];
  for (const item of items) {
    const organizationId = await run.crm.orgs.resolve(tx, item.contact.organization);
    rows.push({ ownerId: conn.userId, visibility: conn.visibility, ...contactToPersonColumns(item.contact, run.crm.fieldIds, {}, organizationId) });
  }
  // One statement for the page's persons, one for their links.
  const personIds = await insertPersons(tx, run.actor, rows);
  await links.insertLinked(
    tx,
    conn.id,
    items.map((item, i) => ({ personId: personIds[i]!, providerId: item.id, etag: item.etag, base: item.contact, crmVersion: 1, photoUrl: item.photoUrl ?? null })),
    listedAt,
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
