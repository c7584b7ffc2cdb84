// Persons as the pages see them: every read goes through visiblePersonsWhere, and every write
// through person-writes.ts, so a viewer can neither read nor touch a person they may not see.
// "Not visible" and "does not exist" look the same (null, or NotFoundError).
import { and, asc, count, desc, eq, ilike, sql, type SQL } from "drizzle-orm";
import type { DB } from "../client";
import { companies, customFields, organizations, personFollowers, personPictures, persons, users, type Visibility } from "../schema";
import {
  asUser,
  deletePersonPicture,
  insertPersons,
  putPersonPicture,
  requireAddPersons,
  softDeletePersons,
  updatePersonValues,
  type NewPersonValues,
  type PersonValues,
} from "./person-writes";
import { visiblePersonsWhere, type Viewer } from "./visibility";
import { ForbiddenError, NotFoundError, translated, UserError } from "@/lib/errors";
import { personSearchText, type PersonInput } from "@/lib/persons/input";
import { PICTURE_MAX_BYTES, PICTURE_TYPES } from "@/lib/persons/picture";
import { isUuid } from "@/lib/uuid";
import { isVisibilityAllowed, isWithin } from "@/lib/visibility";

/** The persons list counts matches up to here (or a little past the page asked for): past it
 * the page says "1,000+". Counting 60,000 visible persons costs a pass over all of them on every
 * page view; counting to the cap stops early. */
export const TOTAL_CAP = 1000;

export const PERSON_SORTS = ["name", "created", "updated", "organization", "owner"] as const;
export type PersonSort = (typeof PERSON_SORTS)[number];

export type ListPersonsOptions = {
  q?: string;
  sort?: PersonSort;
  dir?: "asc" | "desc";
  page?: number;
  pageSize?: number;
};

export type PersonListRow = {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  organizationId: string | null;
  organizationName: string | null;
  ownerName: string;
  visibility: Visibility;
  updatedAt: Date;
};

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function searchWhere(q: string | undefined): SQL | undefined {
  const terms = (q ?? "").toLowerCase().trim().split(/\s+/).filter(Boolean).slice(0, 8);
  if (terms.length === 0) return undefined;
  return and(...terms.map((t) => ilike(persons.searchText, `%${escapeLike(t)}%`)));
}

export async function listPersons(
  db: DB,
  viewer: Viewer,
  opts: ListPersonsOptions = {},
): Promise<{ rows: PersonListRow[]; total: number; totalIsLowerBound: boolean; page: number; pageSize: number }> {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 25, 1), 100);
  const page = Math.max(opts.page ?? 1, 1);
  const where = and(visiblePersonsWhere(viewer), searchWhere(opts.q));
  const dir = opts.dir === "desc" ? desc : asc;
  // Far pages still learn whether a next page exists.
  const cap = Math.max(TOTAL_CAP, page * pageSize);
  const order: SQL[] = (() => {
    switch (opts.sort ?? "name") {
      case "created":
        return [dir(persons.createdAt)];
      case "updated":
        return [dir(persons.updatedAt)];
      case "organization":
        return [sql`${organizations.name} ${sql.raw(opts.dir === "desc" ? "desc" : "asc")} nulls last`];
      case "owner":
        return [dir(users.name)];
      case "name":
        // Unfiltered, the list walks persons_list_name_idx in this order and stops after a page.
        // A search must not (its matches may all sort late, after most of the company): `|| ''`
        // keeps the order but not the index, so the planner takes the trigram index and sorts
        // the matches.
        return opts.q?.trim()
          ? [dir(sql`lower(${persons.lastName}) || ''`), dir(sql`lower(${persons.firstName})`)]
          : [dir(sql`lower(${persons.lastName})`), dir(sql`lower(${persons.firstName})`)];
    }
  })();

  const [rows, [totalRow]] = await Promise.all([
    db
      .select({
        id: persons.id,
        firstName: persons.firstName,
        lastName: persons.lastName,
        email: sql<string | null>`${persons.emails}->0->>'value'`,
        phone: sql<string | null>`${persons.phones}->0->>'value'`,
        organizationId: persons.organizationId,
        organizationName: organizations.name,
        ownerName: users.name,
        visibility: persons.visibility,
        updatedAt: persons.updatedAt,
      })
      .from(persons)
      .innerJoin(users, eq(users.id, persons.ownerId))
      .leftJoin(organizations, eq(organizations.id, persons.organizationId))
      .where(where)
      .orderBy(...order, asc(persons.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ n: count() }).from(db.select({ one: sql`1` }).from(persons).where(where).limit(cap + 1).as("capped")),
  ]);
  const n = totalRow?.n ?? 0;
  return { rows, total: Math.min(n, cap), totalIsLowerBound: n > cap, page, pageSize };
}

export async function countVisiblePersons(db: DB, viewer: Viewer): Promise<number> {
  const [row] = await db.select({ n: count() }).from(persons).where(visiblePersonsWhere(viewer));
  return row?.n ?? 0;
}

export type PersonDetail = {
  id: string;
  firstName: string;
  lastName: string;
  emails: { value: string; label: string }[];
  phones: { value: string; label: string }[];
  address: string | null;
  organizationId: string | null;
  organizationName: string | null;
  ownerId: string;
  ownerName: string;
  visibility: Visibility;
  customFields: Record<string, string>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  hasPicture: boolean;
  followers: { id: string; name: string }[];
  isFollowing: boolean;
};

export async function getPersonById(db: DB, viewer: Viewer, id: string): Promise<PersonDetail | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .select({
      id: persons.id,
      firstName: persons.firstName,
      lastName: persons.lastName,
      emails: persons.emails,
      phones: persons.phones,
      address: persons.address,
      organizationId: persons.organizationId,
      organizationName: organizations.name,
      ownerId: persons.ownerId,
      ownerName: users.name,
      visibility: persons.visibility,
      customFields: persons.customFields,
      version: persons.version,
      createdAt: persons.createdAt,
      updatedAt: persons.updatedAt,
      hasPicture: sql<boolean>`exists (select 1 from person_pictures pp where pp.person_id = ${persons.id})`,
    })
    .from(persons)
    .innerJoin(users, eq(users.id, persons.ownerId))
    .leftJoin(organizations, eq(organizations.id, persons.organizationId))
    .where(and(eq(persons.id, id), visiblePersonsWhere(viewer)));
  if (!row) return null;
  const followers = await db
    .select({ id: users.id, name: users.name })
    .from(personFollowers)
    .innerJoin(users, eq(users.id, personFollowers.userId))
    .where(eq(personFollowers.personId, id))
    .orderBy(asc(users.name));
  return { ...row, followers, isFollowing: followers.some((f) => f.id === viewer.id) };
}

/** Checks the references a person form names: organization and owner in the viewer's company
 * (the owner an active user), visibility offered by the plan (or unchanged from before). Who
 * owns a person decides who else sees it and whose address book two-way sync sends it to, so
 * only its owner or a global admin may hand it to someone else. */
async function checkReferences(
  db: DB,
  viewer: Viewer,
  input: PersonInput,
  current: { visibility: Visibility; ownerId: string } | null,
): Promise<void> {
  // The owner decides who else sees a person and whose address book two-way sync sends it to:
  // only they (handing it over) or an admin set another owner. A new person is its creator's:
  // only an admin creates one for someone else.
  const givenAway = current ? input.ownerId !== undefined && input.ownerId !== current.ownerId && current.ownerId !== viewer.id : input.ownerId !== undefined && input.ownerId !== viewer.id;
  if (givenAway && !viewer.isAdmin) throw new ForbiddenError("persons.mayNotChangeOwner");
  // Likewise, letting more people see a person someone else owns is for its owner or an admin;
  // an editor may narrow it.
  if (current && !viewer.isAdmin && current.ownerId !== viewer.id && !isWithin(input.visibility, current.visibility)) {
    throw new ForbiddenError("persons.mayNotWidenVisibility");
  }
  const [company] = await db.select({ plan: companies.plan }).from(companies).where(eq(companies.id, viewer.companyId));
  if (!company) throw new NotFoundError("yourCompany");
  const unchanged = current?.visibility === input.visibility;
  if (!unchanged && !isVisibilityAllowed(company.plan, input.visibility)) {
    throw new UserError("plan.visibilityNotOffered", {
      values: { visibility: translated(`visibility.label.${input.visibility}`) },
      fields: { visibility: "field.notOnPlan" },
    });
  }
  if (input.organizationId) {
    const [org] = await db
      .select({ id: organizations.id })
      .from(organizations)
      .where(and(eq(organizations.id, input.organizationId), eq(organizations.companyId, viewer.companyId)));
    if (!org) throw new UserError("persons.unknownOrganization", { fields: { organizationId: "field.unknownOrganization" } });
  }
  if (input.ownerId) {
    const [owner] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, input.ownerId), eq(users.companyId, viewer.companyId), eq(users.active, true)));
    if (!owner) throw new UserError("persons.ownerInactive", { fields: { ownerId: "field.notActiveUser" } });
  }
}

/** What a form's input writes: its fields, the company's custom fields it fills, the search text. */
async function valuesOf(db: DB, viewer: Viewer, input: PersonInput): Promise<PersonValues & Pick<NewPersonValues, "visibility">> {
  const known = await db.select({ id: customFields.id }).from(customFields).where(eq(customFields.companyId, viewer.companyId));
  const ids = new Set(known.map((r) => r.id));
  const custom = Object.fromEntries(Object.entries(input.customFields).filter(([key, value]) => ids.has(key) && value.trim() !== ""));
  return {
    firstName: input.firstName,
    lastName: input.lastName,
    emails: input.emails,
    phones: input.phones,
    address: input.address,
    organizationId: input.organizationId,
    visibility: input.visibility,
    customFields: custom,
    searchText: personSearchText(input),
  };
}

export async function createPerson(db: DB, viewer: Viewer, input: PersonInput): Promise<string> {
  requireAddPersons(viewer);
  await checkReferences(db, viewer, input, null);
  const [id] = await insertPersons(db, asUser(viewer), [{ ...(await valuesOf(db, viewer, input)), ownerId: input.ownerId ?? viewer.id }]);
  return id!;
}

/** Saves an edit. With expectedVersion, refuses to overwrite someone else's newer edit. */
export async function updatePerson(
  db: DB,
  viewer: Viewer,
  id: string,
  input: PersonInput,
  expectedVersion?: number,
): Promise<void> {
  const current = await getPersonById(db, viewer, id);
  if (!current) throw new NotFoundError("thisPerson");
  if (expectedVersion !== undefined && current.version !== expectedVersion) {
    throw new UserError("persons.changedMeanwhile");
  }
  await checkReferences(db, viewer, input, current);
  const values = { ...(await valuesOf(db, viewer, input)), ownerId: input.ownerId ?? current.ownerId };
  const version = await updatePersonValues(db, asUser(viewer), { id, version: current.version, values });
  if (version === null) {
    throw new UserError("persons.changedMeanwhile");
  }
}

/** Moves a person to the trash (restorable); the row stays for history and undo. */
export async function deletePerson(db: DB, viewer: Viewer, id: string): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError("thisPerson");
  const deleted = await softDeletePersons(db, asUser(viewer), [id]);
  if (deleted.length === 0) throw new NotFoundError("thisPerson");
}

export async function setFollowing(db: DB, viewer: Viewer, id: string, follow: boolean): Promise<void> {
  const person = await getPersonById(db, viewer, id);
  if (!person) throw new NotFoundError("thisPerson");
  if (follow) {
    await db.insert(personFollowers).values({ personId: id, userId: viewer.id }).onConflictDoNothing();
  } else {
    await db.delete(personFollowers).where(and(eq(personFollowers.personId, id), eq(personFollowers.userId, viewer.id)));
  }
}


export async function setPersonPicture(
  db: DB,
  viewer: Viewer,
  id: string,
  picture: { contentType: string; data: Buffer } | null,
): Promise<void> {
  if (!(await getPersonById(db, viewer, id))) throw new NotFoundError("thisPerson");
  if (!picture) {
    await deletePersonPicture(db, asUser(viewer), id);
    return;
  }
  if (!(PICTURE_TYPES as readonly string[]).includes(picture.contentType)) {
    throw new UserError("picture.unsupportedType", { fields: { picture: "field.unsupportedImage" } });
  }
  if (picture.data.length === 0) throw new UserError("picture.empty", { fields: { picture: "field.emptyFile" } });
  if (picture.data.length > PICTURE_MAX_BYTES) {
    throw new UserError("picture.tooLarge", { fields: { picture: "field.tooLarge" } });
  }
  if (!(await putPersonPicture(db, asUser(viewer), { personId: id, ...picture }))) throw new NotFoundError("thisPerson");
}

export async function getPersonPicture(
  db: DB,
  viewer: Viewer,
  id: string,
): Promise<{ contentType: string; data: Buffer; updatedAt: Date } | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .select({ contentType: personPictures.contentType, data: personPictures.data, updatedAt: personPictures.updatedAt })
    .from(personPictures)
    .innerJoin(persons, eq(persons.id, personPictures.personId))
    .where(and(eq(persons.id, id), visiblePersonsWhere(viewer)));
  return row ?? null;
}

export async function listVisiblePersonsOfOrganization(
  db: DB,
  viewer: Viewer,
  organizationId: string,
): Promise<{ id: string; firstName: string; lastName: string }[]> {
  return db
    .select({ id: persons.id, firstName: persons.firstName, lastName: persons.lastName })
    .from(persons)
    .where(and(eq(persons.organizationId, organizationId), visiblePersonsWhere(viewer)))
    .orderBy(asc(persons.lastName), asc(persons.firstName))
    .limit(200);
}
