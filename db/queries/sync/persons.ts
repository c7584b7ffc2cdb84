// Persons as the sync engine reads them: the fields a contact maps to, and whether the
// connection's user may change each one (the visibility rule, as for every other writer).
// The engine's writes go through person-writes.ts.
import { and, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import { executeRows, type DB, type Tx } from "../../client";
import { organizations, persons, syncFailures, syncLinks, type Person } from "../../schema";
import type { Actor } from "../person-writes";
import * as links from "./links";
import { visiblePersonsWhere } from "../visibility";

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

/** True while the person's last write to this connection was refused and waits — for its
 * retry time, or for good (lib/sync/engine/failures.ts); an edit since makes it due. */
const waitingFailure = (connectionId: string) =>
  sql<boolean>`exists (select 1 from sync_failures f where f.connection_id = ${connectionId} and f.person_id = ${persons.id}
    and f.operation <> 'read' and f.person_version >= ${persons.version} and (f.retry_at is null or f.retry_at > now()))`;

/** True while the link's contact was last read with fields longer than Tandem syncs: nothing is
 * sent to it (lib/sync/engine/failures.ts "oversize"). */
const heldContact = (connectionId: string) =>
  sql<boolean>`exists (select 1 from sync_failures f where f.connection_id = ${connectionId} and f.provider_id = ${syncLinks.providerId} and f.operation = 'oversize')`;

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
 * trash) since they last matched the link's base. Only persons the user owns are sent. Found
 * through the links marked changed (sync_links.crm_changed, set by every person write), so a run
 * reads what changed, not every link; the marks of links that match again (or whose person is no
 * longer the user's: not sent, and a change of owner marks them again) are cleared, with their
 * persons locked meanwhile so that an edit cannot slip between the read and the clear. Links
 * that are no contact yet keep their mark until they are. */
export async function listChangedOwnedLinks(db: DB, actor: Actor, connectionId: string): Promise<{ link: links.LinkedLink; person: PersonForSync }[]> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({
        link: syncLinks,
        person: columns(owned),
        real: sql<boolean>`${links.isLinked}`.mapWith(Boolean),
        waiting: waitingFailure(connectionId).mapWith(Boolean),
        held: heldContact(connectionId).mapWith(Boolean),
      })
      .from(syncLinks)
      .innerJoin(persons, eq(persons.id, syncLinks.personId))
      .leftJoin(organizations, eq(organizations.id, persons.organizationId))
      .where(and(eq(syncLinks.connectionId, connectionId), eq(syncLinks.crmChanged, true)))
      .for("update", { of: persons });
    const toSend = (r: (typeof rows)[number]) => r.person.version !== r.link.crmVersion && r.person.ownerId === actor.user.id;
    const settled = rows.filter((r) => r.real && !toSend(r)).map((r) => r.link.id);
    await links.settleChanged(tx, settled);
    // (A refused write waiting for its retry stays marked, to be sent when it is due; so does an
    // edit of a contact with fields over Tandem's limits, sent once they are shortened — a
    // deletion goes all the same.)
    return rows.filter((r) => r.real && toSend(r) && !r.waiting && !(r.held && !r.person.deletedAt)).map(({ link, person }) => ({ link: link as links.LinkedLink, person }));
  });
}

/** Two-way: live persons the user owns whose (re)creation at the provider was asked for
 * (links "to_create" of the connection), or whose refused create is due
 * again (and that no address book has linked since). */
export async function listRequestedCreates(db: DB | Tx, actor: Actor, connectionId: string): Promise<PersonForSync[]> {
  const sendable = and(eq(persons.ownerId, actor.user.id), isNull(persons.deletedAt));
  // Each arm driven by its own small table (an OR of the two would read all the user's persons).
  return unionAll(
    db
      .select(columns(owned))
      .from(syncLinks)
      .innerJoin(persons, eq(persons.id, syncLinks.personId))
      .leftJoin(organizations, eq(organizations.id, persons.organizationId))
      .where(and(eq(syncLinks.connectionId, connectionId), links.inState("to_create"), sendable)),
    db
      .select(columns(owned))
      .from(syncFailures)
      .innerJoin(persons, eq(persons.id, syncFailures.personId))
      .leftJoin(organizations, eq(organizations.id, persons.organizationId))
      .where(
        and(
          eq(syncFailures.connectionId, connectionId),
          eq(syncFailures.operation, "create"),
          sendable,
          sql`not ${waitingFailure(connectionId)}`,
          sql`not exists (select 1 from sync_links l where l.person_id = ${persons.id})`,
        ),
      ),
  );
}

/** Two-way: live persons the user owns, created since `since`, that no address book links. */
export async function listNewOwnedPersons(db: DB | Tx, actor: Actor, connectionId: string, since: Date): Promise<PersonForSync[]> {
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
        sql`not ${waitingFailure(connectionId)}`,
      ),
    );
}


/** The persons a first sync may pair the group's contacts with: live, owned by the user, and not
 * linked through another of the user's connections (another user's persons never). */
function pairableSql(actor: Actor, connectionId: string) {
  return sql`select p.id, p.first_name, p.last_name, p.emails, p.phones from persons p
    where p.company_id = ${actor.user.companyId} and p.owner_id = ${actor.user.id} and p.deleted_at is null
      and not exists (select 1 from sync_links l join sync_connections c on c.id = l.connection_id
        where l.person_id = p.id and c.user_id = ${actor.user.id} and l.connection_id <> ${connectionId})`;
}

/** Whether the user has any person a first sync could pair with (else there is nothing to preview). */
export async function hasPairablePersons(db: DB | Tx, actor: Actor, connectionId: string): Promise<boolean> {
  const rows = await executeRows<{ one: number }>(db, sql`select 1 as one from (${pairableSql(actor, connectionId)}) x limit 1`);
  return rows.length > 0;
}

/** The stages in which a first sync pairs contacts with persons (lib/sync/first-sync/matching.ts). */
export const MATCH_STAGES = ["email", "phone", "name"] as const;
export type MatchBy = (typeof MATCH_STAGES)[number];
export type MatchCandidate = { providerId: string; personId: string; by: MatchBy };

/** Every (contact, person) pair that shares an e-mail address or a phone number, and the pairs
 * whose full name (first and last) is the same and unique on both sides. The staged contacts are
 * the connection's preview. Hash joins over the values and one aggregate over the names: the
 * work grows with contacts + persons, never contacts × persons, whatever the planner guesses of
 * a table filled in the same transaction. */
export async function findMatchCandidates(db: DB | Tx, actor: Actor, connectionId: string): Promise<MatchCandidate[]> {
  const rows = await executeRows<{ provider_id: string; person_id: string; by: MatchCandidate["by"] }>(db, sql`
    with cand as materialized (${pairableSql(actor, connectionId)}),
      staged as materialized (select provider_id, contact from sync_preview_contacts where connection_id = ${connectionId}),
      pe as (select c.id, lower(trim(e->>'value')) v from cand c, jsonb_array_elements(c.emails) e where trim(e->>'value') <> ''),
      ce as (select s.provider_id, lower(e->>'value') v from staged s, jsonb_array_elements(s.contact->'emails') e),
      pp as (select c.id, trim(e->>'value') v from cand c, jsonb_array_elements(c.phones) e where trim(e->>'value') <> ''),
      cp as (select s.provider_id, e->>'value' v from staged s, jsonb_array_elements(s.contact->'phones') e),
      names as (
        select lower(c.first_name || ' ' || c.last_name) v, c.id::text person_id, null::text provider_id from cand c
          where c.first_name <> '' and c.last_name <> ''
        union all
        select lower((s.contact->>'firstName') || ' ' || (s.contact->>'lastName')), null, s.provider_id from staged s
          where s.contact->>'firstName' <> '' and s.contact->>'lastName' <> ''),
      unique_names as (
        select min(provider_id) provider_id, min(person_id) person_id from names group by v
          having count(provider_id) = 1 and count(person_id) = 1)
    select distinct ce.provider_id, pe.id as person_id, 'email' as by from ce join pe on pe.v = ce.v
    union all
    select distinct cp.provider_id, pp.id, 'phone' from cp join pp on pp.v = cp.v
    union all
    select provider_id, person_id::uuid, 'name' from unique_names`);
  return rows.map((r) => ({ providerId: r.provider_id, personId: r.person_id, by: r.by }));
}
