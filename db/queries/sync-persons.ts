// Persons as the sync engine reads them: the fields a contact maps to, and whether the
// connection's user may change each one (the visibility rule, as for every other writer).
// The engine's writes go through person-writes.ts.
import { and, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { DB, Tx } from "../client";
import { organizations, persons, syncLinks, type Person, type SyncLink } from "../schema";
import type { Actor } from "./person-writes";
import { inState, isRealLink } from "./sync-links";
import { visiblePersonsWhere } from "./visibility";

export type PersonForSync = Pick<
  Person,
  "id" | "firstName" | "lastName" | "emails" | "phones" | "address" | "customFields" | "organizationId" | "version" | "deletedAt" | "ownerId"
> & {
  organizationName: string | null;
  /** Live and visible to the actor's user: the engine may change it. */
  editable: boolean;
};

/** `editable` for persons read by id; persons the user owns are theirs to change by the rule
 * itself, so the lists of owned persons skip the predicate (and its planning). */
const columns = (editable: SQL<boolean>) => ({
  id: persons.id,
  firstName: persons.firstName,
  lastName: persons.lastName,
  emails: persons.emails,
  phones: persons.phones,
  address: persons.address,
  customFields: persons.customFields,
  organizationId: persons.organizationId,
  version: persons.version,
  deletedAt: persons.deletedAt,
  ownerId: persons.ownerId,
  organizationName: organizations.name,
  editable: editable.mapWith(Boolean),
});
const owned = sql<boolean>`true`;

/** Persons by id. With `lock` (inside a page's transaction) they are locked, so an edit made
 * meanwhile waits for the page to commit and then finds a new version (and is refused as stale). */
export async function getPersonsForSync(db: DB | Tx, actor: Actor, ids: string[], { lock = false } = {}): Promise<Map<string, PersonForSync>> {
  if (ids.length === 0) return new Map();
  const query = db
    .select(columns(sql<boolean>`coalesce(${visiblePersonsWhere(actor.user)}, false)`))
    .from(persons)
    .leftJoin(organizations, eq(organizations.id, persons.organizationId))
    .where(inArray(persons.id, ids));
  const rows = lock ? await query.for("update", { of: persons }) : await query;
  return new Map(rows.map((r) => [r.id, r]));
}


/** Two-way: the connection's linked persons that the user owns and that changed (or went to the
 * trash) since they last matched the link's base. Only persons the user owns are sent. */
export async function listChangedOwnedLinks(db: DB | Tx, actor: Actor, connectionId: string): Promise<{ link: SyncLink; person: PersonForSync }[]> {
  return db
    .select({ link: syncLinks, person: columns(owned) })
    .from(syncLinks)
    .innerJoin(persons, eq(persons.id, syncLinks.personId))
    .leftJoin(organizations, eq(organizations.id, persons.organizationId))
    .where(and(eq(syncLinks.connectionId, connectionId), isRealLink, sql`${persons.version} <> ${syncLinks.crmVersion}`, eq(persons.ownerId, actor.user.id)));
}

/** Two-way: live persons the user owns whose (re)creation at the provider was asked for
 * ("tocreate" links of the connection: db/queries/sync-links.ts). */
export async function listRequestedCreates(db: DB | Tx, actor: Actor, connectionId: string): Promise<PersonForSync[]> {
  return db
    .select(columns(owned))
    .from(syncLinks)
    .innerJoin(persons, eq(persons.id, syncLinks.personId))
    .leftJoin(organizations, eq(organizations.id, persons.organizationId))
    .where(and(eq(syncLinks.connectionId, connectionId), inState("toCreate"), eq(persons.ownerId, actor.user.id), isNull(persons.deletedAt)));
}

/** Two-way: live persons the user owns, created since `since`, that no address book links. */
export async function listNewOwnedPersons(db: DB | Tx, actor: Actor, since: Date): Promise<PersonForSync[]> {
  return db
    .select(columns(owned))
    .from(persons)
    .leftJoin(organizations, eq(organizations.id, persons.organizationId))
    .where(
      and(
        eq(persons.companyId, actor.user.companyId),
        eq(persons.ownerId, actor.user.id),
        isNull(persons.deletedAt),
        sql`${persons.createdAt} >= ${since.toISOString()}::timestamptz`,
        sql`not exists (select 1 from sync_links l where l.person_id = ${persons.id})`,
      ),
    );
}
