// Pull: every page of contacts the provider reports changed (all of them on a full listing) is
// applied in one transaction, in three steps: read what the database holds of its contacts,
// plan (plan-page.ts, pure: new contacts become persons or, on a previewed first sync, are
// paired with the persons the user had; linked ones are merged; our own interrupted creates are
// adopted), apply (apply-page.ts, every write). Deletions are noted on their links, for
// deletions.ts to settle when the listing ends, in the transaction that stores the cursor.
// Each page also stores where the listing goes on, so an interrupted listing resumes; on the
// shared embedded database a page goes in a few idempotent transactions (docs/sync-run.md).
import { giveWay, isContended, type DB, type Tx } from "@/db/client";
import * as links from "@/db/queries/sync/links";
import { getPersonsForSync } from "@/db/queries/sync/persons";
import * as runs from "@/db/queries/sync/runs";
import { normalizeContact } from "../model/contact";
import { personToContact } from "./crm-side";
import { LeaseLostError } from "../jobs/lease";
import { AddressBookTooLargeError, CursorExpiredError, ResumeRefusedError, type PulledContact, type PullPage, type PullResult, type UnreadableContact } from "../model/provider";
import { readPairs } from "../first-sync/link";
import { adoptStampedCreates } from "./adopt";
import { applyPlan } from "./apply-page";
import type { Run } from "./context";
import { applyDeletions, nothingToSettle, planDeletions, type DeletionPlan, type PendingDeletion } from "./deletions";
import { clearUnreadable, clearUnreadableBefore, noteOversize, noteUnreadable } from "./failures";
import { planPage, type PageInput, type PlanContext } from "./plan-page";
import { contactLabel } from "./run-log";

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
  const deletions = await planDeletions(run, pending, emptied);
  await run.fault("before-cursor");
  await commitListing(run, deletions, result.cursor);
  await run.fault("after-cursor");
  return { full: result.full, held: deletions.hold };
}

/** The listing is complete: its cursor is stored — only now, after every page it covered has
 * committed, in the transaction that settles its deletions (the usual run has none: the cursor
 * alone, one statement), and only while this run holds the connection (a run that lost it to
 * another worker writes nothing). No resume point is left. */
async function commitListing(run: Run, deletions: DeletionPlan, cursor: string): Promise<void> {
  const store = async (db: DB | Tx) => {
    if (!(await runs.storeCursor(db, run.conn.id, run.id, cursor))) throw new LeaseLostError();
  };
  if (nothingToSettle(deletions) && run.log.empty) return store(run.db);
  await run.db.transaction(async (tx) => {
    await applyDeletions(run, tx, deletions);
    await run.log.flush(tx);
    await store(tx);
  });
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

/** Applies pulled contacts in one transaction — read what the database holds of them, plan,
 * apply — with `next`, the listing's resume point too. */
async function applyItems(run: Run, listing: Listing, page: PullPage): Promise<void> {
  const { db, conn } = run;
  const { items, next } = page;
  const unreadable = page.unreadable ?? [];
  const listedAt = listing.fromCursor === null ? listing.startedAt : null;
  try {
    await db.transaction(async (tx) => {
      const plan = planPage(planContext(run), await readPage(run, tx, items, unreadable));
      run.pendingCreates = run.pendingCreates.filter((l) => !plan.adopted.includes(l.id));
      await applyPlan(run, tx, plan.actions, listedAt);
      await noteFailures(run, tx, items, unreadable);
      listing.inScopeSeen += items.filter((i) => !i.deleted && i.inScope).length;
      run.processed += items.length;
      // The last page keeps the previous resume point: until the cursor is stored, an
      // interruption replays that page (as a no-op).
      if (next) {
        await runs.checkpoint(tx, conn.id, {
          pageToken: next,
          fromCursor: listing.fromCursor,
          startedAt: listing.startedAt.toISOString(),
          inScopeSeen: listing.inScopeSeen,
          processed: run.processed,
        });
      }
      await run.log.flush(tx);
    });
  } catch (error) {
    run.log.discard();
    run.crm.orgs.reset();
    throw error;
  }
}

/** The run's rules and readers, for planning. */
function planContext(run: Run): PlanContext {
  return {
    direction: run.conn.direction,
    userId: run.conn.userId,
    crmContact: (p) => run.crmContact(p),
    crmValues: (p) => normalizeContact(personToContact(p, run.crm.fieldIds), run.crm.defaultCountry),
    project: (c) => run.adapter.project(c),
  };
}

/** What the database holds of the page's contacts, read in its transaction: their links (and
 * those of their earlier ids), the persons of those links and of the creates under way (locked:
 * an edit made meanwhile waits for the page, then finds a new version), and a previewed first
 * sync's pairs for the contacts without a link. */
async function readPage(run: Run, tx: Tx, items: PulledContact[], unreadable: UnreadableContact[]): Promise<PageInput> {
  const ids = [...new Set([...items.flatMap((i) => [i.id, ...(i.previousIds ?? [])]), ...unreadable.map((u) => u.id)])];
  const known = await links.byProviderIds(tx, run.conn.id, ids);
  const byId = new Map(known.map((l) => [l.providerId, l]));
  const pending = run.pendingCreates;
  const persons = await getPersonsForSync(tx, run.actor, [...known, ...pending].map((l) => l.personId), { lock: true });
  const unlinked = items.filter((i) => !byId.has(i.id) && !i.previousIds?.some((id) => byId.has(id))).map((i) => i.id);
  const { pairs, taken } = run.previewed
    ? await readPairs(tx, run.conn.id, { actor: run.actor, id: run.conn.userId }, unlinked)
    : { pairs: new Map(), taken: new Set<string>() };
  return { items, unreadable, links: byId, pending, persons, pairs, taken };
}

/** What could not be read (in full) waits in "Needs attention"; what was read (or is gone) no
 * longer. What was noted now is cleared by the pages after, when read again (a listing that
 * starts over within the run). */
async function noteFailures(run: Run, tx: Tx, items: PulledContact[], unreadable: UnreadableContact[]): Promise<void> {
  const seenAt = new Date();
  await noteUnreadable(tx, run.conn.id, unreadable, seenAt);
  if (run.hadFailures) await clearUnreadable(tx, run.conn.id, items.map((i) => i.id));
  const oversize = items.filter((i) => !i.deleted && i.inScope && (i.oversize?.length ?? 0) > 0);
  await noteOversize(tx, run.conn.id, oversize.map((i) => ({ id: i.id, label: contactLabel(i.contact), oversize: i.oversize! })), seenAt);
  if (unreadable.length > 0 || oversize.length > 0) run.hadFailures = true;
}

async function afterPage(run: Run): Promise<void> {
  await runs.progress(run.db, run.id, run.processed, run.log.counts);
  await run.heartbeat();
  await run.fault("after-page");
}
