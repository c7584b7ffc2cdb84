// The link store: the only code that reads or writes sync_links, the bijection between a
// connection's provider contacts and persons. It speaks in the sync's words (rebase, mark gone,
// reserve and confirm a create…); a link's state is its `state` column (db/schema.ts LINK_STATES):
// only a "linked" link has a provider id. Import it as a namespace: `links.rebase(tx, …)`.
import { and, eq, inArray, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import { executeRows, type DB, type Tx } from "../../client";
import { insertMany } from "../../bulk";
import { personPictures, syncConnections, syncLinks, type GoneReason, type LinkState, type SyncLink } from "../../schema";
import type { Contact } from "../../vocabulary";

/** A link to a contact the provider holds. */
export type LinkedLink = SyncLink & { state: "linked"; providerId: string; base: Contact };
/** A create at the provider under way: its base is the contact being sent. */
export type PendingCreate = SyncLink & { state: "pending_create"; providerId: null; base: Contact };

type Db = DB | Tx;

/** Conditions other queries of the sync join on (db/queries/sync/persons.ts, the dashboard). */
export const isLinked = eq(syncLinks.state, "linked");
export const inState = (state: LinkState) => eq(syncLinks.state, state);

const asLinked = (rows: SyncLink[]) => rows as LinkedLink[];
const now = () => new Date();

// ---- Reading -------------------------------------------------------------------------------

/** The connection's links to these provider contacts. */
export async function byProviderIds(db: Db, connectionId: string, providerIds: string[]): Promise<LinkedLink[]> {
  if (providerIds.length === 0) return [];
  return asLinked(await db.select().from(syncLinks).where(and(eq(syncLinks.connectionId, connectionId), inArray(syncLinks.providerId, providerIds))));
}

/** The connection's link to one provider contact, if any. */
export async function byProviderId(db: Db, connectionId: string, providerId: string): Promise<LinkedLink | null> {
  return (await byProviderIds(db, connectionId, [providerId]))[0] ?? null;
}

/** How many of the connection's links are to contacts the provider holds. */
export async function countLinked(db: Db, connectionId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(syncLinks)
    .where(and(eq(syncLinks.connectionId, connectionId), isLinked));
  return Number(row?.n ?? 0);
}

/** Links whose contact a committed page reported gone, and — with the start of a complete full
 * listing — the linked contacts that listing did not see. */
export async function goneOrUnseen(db: Db, connectionId: string, fullListingStartedAt: Date | null): Promise<LinkedLink[]> {
  const notSeen = fullListingStartedAt
    ? or(isNull(syncLinks.listedAt), sql`${syncLinks.listedAt} <> ${fullListingStartedAt.toISOString()}::timestamptz`)
    : undefined;
  return asLinked(
    await db
      .select()
      .from(syncLinks)
      .where(and(eq(syncLinks.connectionId, connectionId), isLinked, notSeen ? or(isNotNull(syncLinks.gone), notSeen) : isNotNull(syncLinks.gone))),
  );
}

/** The connection's creates under way (a crash cut them short if a run finds any). */
export async function pendingCreates(db: Db, connectionId: string): Promise<PendingCreate[]> {
  return (await db
    .select()
    .from(syncLinks)
    .where(and(eq(syncLinks.connectionId, connectionId), inState("pending_create")))) as PendingCreate[];
}

/** Which of these persons any connection of the user links (in whatever state). */
export async function linkedByUser(db: Db, userId: string, personIds: string[]): Promise<Set<string>> {
  if (personIds.length === 0) return new Set();
  const rows = await db
    .select({ personId: syncLinks.personId })
    .from(syncLinks)
    .innerJoin(syncConnections, eq(syncConnections.id, syncLinks.connectionId))
    .where(and(inArray(syncLinks.personId, personIds), eq(syncConnections.userId, userId)));
  return new Set(rows.map((r) => r.personId));
}

/** Whether another connection than this one links the person. */
export async function linkedElsewhere(db: Db, personId: string, connectionId: string): Promise<boolean> {
  const [other] = await db
    .select({ id: syncLinks.id })
    .from(syncLinks)
    .where(and(eq(syncLinks.personId, personId), ne(syncLinks.connectionId, connectionId)))
    .limit(1);
  return Boolean(other);
}

/** The persons this connection links that no other connection does. */
export async function personsOnlyHere(db: Db, connectionId: string): Promise<string[]> {
  const rows = await db
    .select({ id: syncLinks.personId })
    .from(syncLinks)
    .where(
      and(
        eq(syncLinks.connectionId, connectionId),
        sql`not exists (select 1 from sync_links o where o.person_id = ${syncLinks.personId} and o.connection_id <> ${connectionId})`,
      ),
    );
  return rows.map((r) => r.id);
}

// ---- Pulled contacts -----------------------------------------------------------------------

export type NewLink = { personId: string; providerId: string; etag: string | null; base: Contact; crmVersion: number | null; photoUrl: string | null };

/** Links new persons (or persons a first sync paired) to the contacts they came from; with
 * `listedAt`, as seen by the full listing that started then. One statement. */
export async function insertLinked(tx: Tx, connectionId: string, rows: NewLink[], listedAt: Date | null): Promise<void> {
  if (rows.length === 0) return;
  await insertMany(
    tx,
    syncLinks,
    rows.map((r) => ({ connectionId, ...r, state: "linked" as const, crmChanged: r.crmVersion === null, ...(listedAt ? { listedAt } : {}) })),
  );
}

/** The provider gave the contact a new id (Google's previousResourceNames): the link follows it. */
export async function rekey(tx: Tx, linkId: string, providerId: string): Promise<void> {
  await tx.update(syncLinks).set({ providerId, updatedAt: now() }).where(eq(syncLinks.id, linkId));
}

/** The contact as both sides now agree on it (or as the provider holds it, with `crmVersion`
 * null when the CRM holds values the push is to send). Without `crmVersion`, it is kept. */
export async function rebase(tx: Tx, linkId: string, to: { etag: string | null; base: Contact; crmVersion?: number | null }): Promise<void> {
  const version = to.crmVersion === undefined ? {} : { crmVersion: to.crmVersion, crmChanged: to.crmVersion === null };
  await tx
    .update(syncLinks)
    .set({ etag: to.etag, base: to.base, ...version, updatedAt: now() })
    .where(eq(syncLinks.id, linkId));
}

/** What a page of the listing said of these links: gone at the provider, with why. */
export async function markGone(tx: Tx, reasons: Map<string, GoneReason>): Promise<void> {
  for (const reason of new Set(reasons.values())) {
    const ids = [...reasons].filter(([, r]) => r === reason).map(([id]) => id);
    await tx.update(syncLinks).set({ gone: reason }).where(inArray(syncLinks.id, ids));
  }
}

/** Seen alive by a page of the listing (which clears an earlier "gone": re-added to the group)
 * and, in a full listing, seen by the listing that started at `listedAt`. */
export async function markSeen(tx: Tx, linkIds: string[], listedAt: Date | null): Promise<void> {
  if (linkIds.length === 0) return;
  await tx
    .update(syncLinks)
    .set({ gone: null, ...(listedAt ? { listedAt } : {}) })
    .where(inArray(syncLinks.id, linkIds));
}

/** Deletions held for the user: the links are no longer "gone" for the next run. */
export async function clearGone(tx: Tx, linkIds: string[]): Promise<void> {
  if (linkIds.length > 0) await tx.update(syncLinks).set({ gone: null }).where(inArray(syncLinks.id, linkIds));
}

/** The links go (the contact or the person is gone, or they part ways). */
export async function unlink(db: Db, linkIds: string[]): Promise<void> {
  if (linkIds.length > 0) await db.delete(syncLinks).where(inArray(syncLinks.id, linkIds));
}

/** Every link of the connection goes (a new group: its contacts are not the old one's). */
export async function unlinkAll(tx: Tx, connectionId: string): Promise<void> {
  await tx.delete(syncLinks).where(eq(syncLinks.connectionId, connectionId));
}

// ---- The CRM's changes -----------------------------------------------------------------------

/** Every person write tells the person's links, so two-way finds what to send through an index
 * (sync_links.crm_changed) instead of reading every link. */
export async function markChanged(db: Db, personIds: string[]): Promise<void> {
  if (personIds.length === 0) return;
  await db
    .update(syncLinks)
    .set({ crmChanged: true })
    .where(and(inArray(syncLinks.personId, personIds), eq(syncLinks.crmChanged, false)));
}

/** These links match their persons again (or are not the user's to send): unmarked. */
export async function settleChanged(tx: Tx, linkIds: string[]): Promise<void> {
  if (linkIds.length > 0) await tx.update(syncLinks).set({ crmChanged: false }).where(inArray(syncLinks.id, linkIds));
}

/** The person is as the link's base already: in step at this version. */
export async function markInStep(db: Db, linkId: string, version: number): Promise<void> {
  await db.update(syncLinks).set({ crmVersion: version }).where(eq(syncLinks.id, linkId));
}

/** What the push wrote: each link's new etag and base, in step at the person's version. One
 * statement (rows as one JSON parameter). */
export async function rebaseWritten(tx: Tx, rows: { id: string; etag: string | null; base: Contact; version: number }[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => ({ id: r.id, etag: r.etag, base: r.base, crm_version: r.version }));
  await tx.execute(sql`update sync_links l set etag = v.etag, base = v.base, crm_version = v.crm_version, updated_at = now()
    from json_to_recordset(${JSON.stringify(values)}::json) as v(id uuid, etag text, base jsonb, crm_version int) where l.id = v.id`);
}

// ---- Creates at the provider -------------------------------------------------------------------

/** Before the create call: each person's intent (in place of a request, if any), so that after a
 * crash past the call the next pull adopts the contact instead of importing it. */
export async function reserveCreates(tx: Tx, connectionId: string, items: { personId: string; contact: Contact; version: number }[]): Promise<void> {
  if (items.length === 0) return;
  const personIds = items.map((i) => i.personId);
  await tx.delete(syncLinks).where(and(eq(syncLinks.connectionId, connectionId), inArray(syncLinks.personId, personIds), inState("to_create")));
  await insertMany(
    tx,
    syncLinks,
    items.map((i) => ({ connectionId, personId: i.personId, state: "pending_create" as const, providerId: null, base: i.contact, crmVersion: i.version })),
  );
}

/** The provider created the contact: the intent becomes a link to it. */
export async function confirmCreate(tx: Tx, connectionId: string, personId: string, created: { providerId: string; etag: string | null; base: Contact }): Promise<void> {
  await tx
    .update(syncLinks)
    .set({ state: "linked", providerId: created.providerId, etag: created.etag, base: created.base, updatedAt: now() })
    .where(and(eq(syncLinks.connectionId, connectionId), eq(syncLinks.personId, personId), inState("pending_create")));
}

/** The provider refused the create: the intent goes (the refusal waits in Needs attention). */
export async function abandonCreate(tx: Tx, connectionId: string, personId: string): Promise<void> {
  await tx.delete(syncLinks).where(and(eq(syncLinks.connectionId, connectionId), eq(syncLinks.personId, personId), inState("pending_create")));
}

/** A create a crash cut short, found at the provider: linked to the contact it made (its etag
 * unknown, so the pull merges whatever was edited there since). */
export async function adopt(db: Db, linkId: string, providerId: string): Promise<LinkedLink | null> {
  const [adopted] = await db
    .update(syncLinks)
    .set({ state: "linked", providerId, etag: null, updatedAt: now() })
    .where(and(eq(syncLinks.id, linkId), inState("pending_create")))
    .returning();
  return (adopted as LinkedLink | undefined) ?? null;
}

/** Creates a crash cut short that the provider does not show: they wait for the user. */
export async function holdUnconfirmed(db: Db, linkIds: string[]): Promise<void> {
  if (linkIds.length === 0) return;
  await db
    .update(syncLinks)
    .set({ state: "unconfirmed", updatedAt: now() })
    .where(and(inArray(syncLinks.id, linkIds), inState("pending_create")));
}

/** The user's answer to unconfirmed creates: create them again (the next two-way run does), or
 * leave them out of sync. Returns how many were answered. */
export async function answerUnconfirmed(db: Db, connectionId: string, createAgain: boolean): Promise<number> {
  const mine = and(eq(syncLinks.connectionId, connectionId), inState("unconfirmed"));
  const rows = createAgain
    ? await db.update(syncLinks).set({ state: "to_create", base: null, crmVersion: null, updatedAt: now() }).where(mine).returning({ id: syncLinks.id })
    : await db.delete(syncLinks).where(mine).returning({ id: syncLinks.id });
  return rows.length;
}

/** The person is to be (re)created at the provider by the next two-way run. */
export async function requestCreate(tx: Tx, connectionId: string, personId: string): Promise<void> {
  await tx.insert(syncLinks).values({ connectionId, personId, state: "to_create" }).onConflictDoNothing();
}

/** Requests the push did not take (the person deleted, or no longer the user's) lapse. */
export async function dropRequests(db: Db, connectionId: string): Promise<void> {
  await db.delete(syncLinks).where(and(eq(syncLinks.connectionId, connectionId), inState("to_create")));
}

// ---- Photos ----------------------------------------------------------------------------------

/** The links' photos still to fetch, counted up to `max` (sync_links_photo_idx). */
export async function photoBacklog(db: Db, connectionId: string, max: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sql`(select 1 from ${syncLinks} where ${syncLinks.connectionId} = ${connectionId} and ${syncLinks.photoUrl} is not null limit ${max}) as b`);
  return Number(row?.n ?? 0);
}

/** The next photos to fetch, and whether their persons have a picture already. */
export async function photosToFetch(db: Db, connectionId: string, limit: number) {
  return db
    .select({
      id: syncLinks.id,
      personId: syncLinks.personId,
      providerId: sql<string>`${syncLinks.providerId}`,
      photoUrl: sql<string>`${syncLinks.photoUrl}`,
      hasPicture: sql<boolean>`${personPictures.personId} is not null`,
    })
    .from(syncLinks)
    .leftJoin(personPictures, eq(personPictures.personId, syncLinks.personId))
    .where(and(eq(syncLinks.connectionId, connectionId), sql`${syncLinks.photoUrl} is not null`))
    .limit(limit);
}

/** The photos of contacts the provider says have none: nothing to fetch. Returns how many. */
export async function clearPhotosExcept(db: Db, connectionId: string, withPhotos: Set<string>): Promise<number> {
  const [cleared] = await executeRows<{ n: number }>(db, sql`with cleared as (
      update ${syncLinks} l set photo_url = null
      where l.connection_id = ${connectionId} and l.photo_url is not null
        and not exists (select 1 from json_array_elements_text(${JSON.stringify([...withPhotos])}::json) as w(id) where w.id = l.provider_id)
      returning 1)
    select count(*)::int as n from cleared`);
  return Number(cleared?.n ?? 0);
}

/** These photos are settled — unless noted again meanwhile (a link re-created by a later run). */
export async function clearPhotos(tx: Tx, settled: { id: string; photoUrl: string }[]): Promise<void> {
  if (settled.length === 0) return;
  await tx.execute(sql`update ${syncLinks} l set photo_url = null
    from json_to_recordset(${JSON.stringify(settled.map((b) => ({ id: b.id, url: b.photoUrl })))}::json) as v(id uuid, url text)
    where l.id = v.id and l.photo_url = v.url`);
}
