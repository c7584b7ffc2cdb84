// Every write to a person — create, update, move to the trash, restore, picture — from any path:
// the pages and server actions, the sync engine, the disconnect path. Each takes the actor, and
// one rule binds them all: a person may be changed only by someone who may see it under the
// visibility rule (db/queries/visibility.ts). A sync connection acts for its user and is bound
// exactly as that user is; what it may not touch, these functions leave alone and report, and
// the engine records why.
//
// They do not decide what a form may submit (db/queries/persons.ts checks that) nor what a sync
// should do (lib/sync/engine): only whether the actor may, and then the write itself.
import "server-only";
import crypto from "node:crypto";
import { and, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import { executeRows, type DB, type Tx } from "../client";
import { insertMany } from "../bulk";
import { personPictures, persons, type NewPerson } from "../schema";
import * as links from "./sync/links";
import { requestNewPersonPushes, requestPushes } from "./sync/run-requests";
import { personAccessWhere, visiblePersonsWhere, type Viewer } from "./visibility";
import { ForbiddenError } from "@/lib/errors";
import { imageTypeOf, SYNCED_PICTURE_MAX_BYTES } from "@/lib/persons/picture";

/** Who is writing: a signed-in user, or a sync connection acting for its user. */
export type Actor = { kind: "user"; user: Viewer } | { kind: "connection"; user: Viewer; connectionId: string };

export const asUser = (user: Viewer): Actor => ({ kind: "user", user });
export const asConnection = (connectionId: string, user: Viewer): Actor => ({ kind: "connection", user, connectionId });

/** The columns a write may set (the company, the version and the timestamps are this module's). */
export type PersonValues = Pick<NewPerson, "firstName" | "lastName" | "emails" | "phones" | "address" | "organizationId" | "customFields" | "searchText">;

export type NewPersonValues = PersonValues & Pick<NewPerson, "ownerId" | "visibility"> & { id?: string };

/** Ids as one JSON parameter: a 25,000-person disconnect stays one statement under Postgres's
 * 65,535-parameter limit. `= any(array(…))` is computed once and then read through the primary
 * key; `in (select …)` would be planned as a join that scans every person of every company. */
function inIds(ids: string[]): SQL {
  return sql`${persons.id} = any(array(select value::uuid from json_array_elements_text(${JSON.stringify(ids)}::json)))`;
}

/** Persons were written: their links are marked for two-way (sync_links.crm_changed), and the
 * two-way connections that link them run within seconds to send it — but not the connection
 * writing, whose own run is what wrote them. */
async function changed(db: DB | Tx, actor: Actor | null, personIds: string[]): Promise<void> {
  if (personIds.length === 0) return;
  await links.markChanged(db, personIds);
  await requestPushes(db, personIds, actor?.kind === "connection" ? actor.connectionId : null);
}

export function requireAddPersons(user: Viewer): void {
  if (!user.isAdmin && !user.canAddPersons) throw new ForbiddenError("persons.noAddPermission");
}

/** Creates persons in the actor's company, in one statement; returns their ids in input order. */
export async function insertPersons(db: DB | Tx, actor: Actor, rows: NewPersonValues[]): Promise<string[]> {
  requireAddPersons(actor.user);
  if (rows.length === 0) return [];
  const values = rows.map((row) => ({ ...row, id: row.id ?? crypto.randomUUID(), companyId: actor.user.companyId }));
  await insertMany(db, persons, values);
  // A person the user makes goes to their two-way connections within seconds. (A connection's
  // new persons are linked to it already and go nowhere else.)
  if (actor.kind === "user") await requestNewPersonPushes(db, values.map((v) => v.ownerId));
  return values.map((v) => v.id);
}

/** Saves new values over a live person the actor may see, if it is still at `version`.
 * Returns the new version, or null when refused (not visible, deleted, or changed meanwhile). */
export async function updatePersonValues(
  db: DB | Tx,
  actor: Actor,
  change: { id: string; version: number; values: Partial<PersonValues> & Partial<Pick<NewPerson, "ownerId" | "visibility">> },
): Promise<number | null> {
  const [row] = await db
    .update(persons)
    .set({ ...change.values, version: sql`${persons.version} + 1`, updatedAt: new Date() })
    .where(and(eq(persons.id, change.id), eq(persons.version, change.version), visiblePersonsWhere(actor.user)))
    .returning({ version: persons.version });
  if (row) await changed(db, actor, [change.id]);
  return row?.version ?? null;
}


/** updatePersonValues for many persons in one statement (rows as one JSON parameter): each is
 * saved if the actor may see it and it is still at its version. Returns the new version of each
 * saved one (those refused are missing). */
export async function updateManyPersonValues(
  db: DB | Tx,
  actor: Actor,
  changes: { id: string; version: number; values: Required<PersonValues> }[],
): Promise<Map<string, number>> {
  if (changes.length === 0) return new Map();
  const json = JSON.stringify(
    changes.map(({ id, version, values: v }) => ({
      id,
      version,
      first_name: v.firstName,
      last_name: v.lastName,
      emails: v.emails,
      phones: v.phones,
      address: v.address,
      organization_id: v.organizationId,
      custom_fields: v.customFields,
      search_text: v.searchText,
    })),
  );
  const rows = await executeRows<{ id: string; version: number }>(db, sql`
    update ${persons} set first_name = v.first_name, last_name = v.last_name, emails = v.emails, phones = v.phones,
      address = v.address, organization_id = v.organization_id, custom_fields = v.custom_fields, search_text = v.search_text,
      version = ${persons.version} + 1, updated_at = now()
    from json_to_recordset(${json}::json) as v(id uuid, version integer, first_name text, last_name text, emails jsonb, phones jsonb,
      address text, organization_id uuid, custom_fields jsonb, search_text text)
    where ${persons.id} = v.id and ${persons.version} = v.version and ${visiblePersonsWhere(actor.user)}
    returning ${persons.id} as id, ${persons.version} as version`);
  await changed(db, actor, rows.map((r) => r.id));
  return new Map(rows.map((r) => [r.id, Number(r.version)]));
}

/** Moves live persons the actor may see to the trash (restorable); returns those it moved,
 * with the version each has in the trash. */
export async function softDeletePersons(db: DB | Tx, actor: Actor, ids: string[]): Promise<{ id: string; version: number }[]> {
  if (ids.length === 0) return [];
  const moved = await db
    .update(persons)
    .set({ deletedAt: new Date(), version: sql`${persons.version} + 1`, updatedAt: new Date() })
    .where(and(inIds(ids), visiblePersonsWhere(actor.user)))
    .returning({ id: persons.id, version: persons.version });
  await changed(db, actor, moved.map((r) => r.id));
  return moved;
}

/** Brings persons back from the trash, those the actor could see; returns the ids restored. */
export async function restorePersons(db: DB | Tx, actor: Actor, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .update(persons)
    .set({ deletedAt: null, version: sql`${persons.version} + 1`, updatedAt: new Date() })
    .where(and(inIds(ids), isNotNull(persons.deletedAt), personAccessWhere(actor.user)))
    .returning({ id: persons.id });
  await changed(db, actor, rows.map((r) => r.id));
  return rows.map((r) => r.id);
}

/** An organization being deleted leaves its persons — all of them, whoever may see them: the
 * organization is gone for everyone. Each gets a new version, so two-way sync sends the change. */
export async function detachOrganization(db: DB | Tx, organizationId: string): Promise<void> {
  const detached = await db
    .update(persons)
    .set({ organizationId: null, version: sql`${persons.version} + 1`, updatedAt: new Date() })
    .where(eq(persons.organizationId, organizationId))
    .returning({ id: persons.id });
  await changed(db, null, detached.map((r) => r.id));
}

export type PictureValues = { personId: string; contentType: string; data: Buffer };

/** Sets a picture on a person the actor may see, replacing any it has. */
export async function putPersonPicture(db: DB | Tx, actor: Actor, picture: PictureValues): Promise<boolean> {
  const [visible] = await db.select({ id: persons.id }).from(persons).where(and(eq(persons.id, picture.personId), visiblePersonsWhere(actor.user)));
  if (!visible) return false;
  await db
    .insert(personPictures)
    .values(picture)
    .onConflictDoUpdate({ target: personPictures.personId, set: { contentType: picture.contentType, data: picture.data, updatedAt: new Date() } });
  return true;
}

/** Gives pictures to persons the actor may see that have none yet (a picture already set is
 * never replaced); returns how many were set. A provider's photo is kept only when its bytes are
 * a PNG, JPEG, GIF or WebP image of at most 5 MB, stored as the type the bytes say. */
export async function addMissingPictures(db: DB | Tx, actor: Actor, photos: PictureValues[]): Promise<number> {
  const pictures = photos.flatMap((p) => {
    const contentType = imageTypeOf(p.data);
    return contentType && p.data.length <= SYNCED_PICTURE_MAX_BYTES ? [{ ...p, contentType }] : [];
  });
  if (pictures.length === 0) return 0;
  const allowed = await db
    .select({ id: persons.id })
    .from(persons)
    .where(and(inIds(pictures.map((p) => p.personId)), visiblePersonsWhere(actor.user)));
  const ok = new Set(allowed.map((r) => r.id));
  const rows = pictures.filter((p) => ok.has(p.personId));
  if (rows.length === 0) return 0;
  const added = await db.insert(personPictures).values(rows).onConflictDoNothing().returning({ id: personPictures.personId });
  return added.length;
}

/** Removes a person's picture, if the actor may see the person. */
export async function deletePersonPicture(db: DB | Tx, actor: Actor, personId: string): Promise<boolean> {
  const [visible] = await db.select({ id: persons.id }).from(persons).where(and(eq(persons.id, personId), visiblePersonsWhere(actor.user)));
  if (!visible) return false;
  await db.delete(personPictures).where(eq(personPictures.personId, personId));
  return true;
}
