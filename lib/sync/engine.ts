// One sync run for one connection: pull → plan → apply → (two-way) push → commit cursor.
//
// Guarantees, and how they are kept:
// - One run per connection at a time: a lease on the connection row (lease.ts).
// - No duplicates: links are unique per (connection, provider id) and (connection, person);
//   a contact is only ever created on the other side when it has no link.
// - Crash at any point, then a rerun, ends where no crash would have: each pulled page is
//   applied in one CRM transaction, and the cursor is stored only after everything it covers is
//   committed. A replayed page is a no-op (same etag, or same content as the base).
// - No echo: after writing to the provider we store the returned etag and the written content as
//   the new base, so reading our own write back changes nothing.
// - Deletions: from tombstones, a contact leaving the group, or a complete full listing — and
//   held for confirmation when a run would delete more than max(10, 20 %) of the links, or the
//   group comes back empty. Persons deleted by sync are soft-deleted and restorable.
// - One contact failing is an error event; the run goes on. A revoked grant stops the run and
//   marks the connection "reconnect needed".
// - Photos are not fetched by the run: it notes them on the links, and syncPhotos fetches them
//   after it (see "photos" below).
import crypto from "node:crypto";
import { and, eq, getTableColumns, inArray, isNull, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { DB, Tx } from "@/db/client";
import {
  companies,
  organizations,
  personPictures,
  persons,
  syncConnections,
  syncActivityDays,
  syncEvents,
  syncLinks,
  syncRuns,
  type FieldChange,
  type RunCounts,
  type RunOutcome,
  type RunTrigger,
  type SyncConnection,
} from "@/db/schema";
import { changedFields, normalizeContact, type Contact, type ContactField } from "./contact";
import { ensureSyncCustomFields, OrganizationResolver, personToContact, contactToPersonColumns, type PersonForSync, type SyncFieldIds } from "./crm-side";
import { acquireLease, LeaseLostError, releaseLease, renewLease } from "./lease";
import { decideCrmGone, decideProviderGone, mergeContact } from "./plan";
import { CursorExpiredError, InvalidGrantError, type Photo, type ProviderAdapter, type PulledContact } from "./provider";

export const DELETE_GUARD_MIN = 10;
export const DELETE_GUARD_SHARE = 0.2;
export const PUSH_BATCH = 200;
/** A link whose provider contact is being created: an intent recorded before the create call,
 * so that a crash between the call and the link does not create the contact twice. */
const PENDING = "pending:";
const notPending = sql`${syncLinks.providerId} not like ${`${PENDING}%`}`;
const PHOTO_BATCH = 100;

export type SyncLogger = { info(msg: string, data?: object): void; warn(msg: string, data?: object): void; error(msg: string, data?: object): void };
const silentLogger: SyncLogger = { info() {}, warn() {}, error() {} };

/** Named points where tests inject a crash. */
export type FaultPoint = "after-page" | "before-cursor" | "after-cursor" | "after-provider-write" | "before-finish";

export type RunSyncOptions = {
  db: DB;
  connectionId: string;
  trigger: RunTrigger;
  adapter: ProviderAdapter;
  logger?: SyncLogger;
  /** Test hook: called at each fault point; throwing there simulates a crash. */
  fault?: (point: FaultPoint) => void | Promise<void>;
  /** The run id a scheduler already leased the connection for. */
  runId?: string;
};

export type RunSummary =
  | { status: "skipped"; reason: "busy" | "paused" | "reconnect_needed" | "needs_confirmation" | "not_configured" }
  | { status: "done"; runId: string; outcome: RunOutcome; counts: RunCounts; full: boolean; error?: string };

export const emptyCounts = (): RunCounts => ({
  crmAdded: 0,
  crmUpdated: 0,
  crmDeleted: 0,
  providerAdded: 0,
  providerUpdated: 0,
  providerDeleted: 0,
  conflicts: 0,
  errors: 0,
  heldDeletions: 0,
});

type LinkRow = typeof syncLinks.$inferSelect;
type EventRow = typeof syncEvents.$inferInsert;
type PendingDeletion = { link: LinkRow; person: PersonForSync | null; item: PulledContact | null };

const label = (c: Pick<Contact, "firstName" | "lastName" | "emails" | "phones">) =>
  [c.firstName, c.lastName].filter(Boolean).join(" ") || c.emails[0]?.value || c.phones[0]?.value || "(no name)";

function fieldChanges(from: Contact, to: Contact, fields: ContactField[] = changedFields(from, to)): FieldChange[] {
  return fields.map((field) => ({ field, old: from[field], new: to[field] }));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class Run {
  readonly counts = emptyCounts();
  private readonly events: EventRow[] = [];
  processed = 0;
  fieldIds!: SyncFieldIds;
  defaultCountry = "US";
  orgs!: OrganizationResolver;
  /** Provider updates the pull's merges call for (two-way). */
  readonly pendingPushIds = new Set<string>();
  /** This connection's pending creates (links whose create a crash cut short), read once per
   * run: the run holds the lease, so only this run adds or adopts them. */
  pendingCreates: LinkRow[] = [];

  constructor(
    readonly id: string,
    readonly db: DB,
    readonly conn: SyncConnection,
    readonly adapter: ProviderAdapter,
    readonly logger: SyncLogger,
    readonly fault: (point: FaultPoint) => void | Promise<void>,
  ) {}

  event(e: Omit<EventRow, "connectionId" | "runId">): void {
    this.events.push({ ...e, connectionId: this.conn.id, runId: this.id });
  }

  async flushEvents(tx: DB | Tx): Promise<void> {
    if (this.events.length === 0) return;
    await recordEvents(tx, this.events.splice(0));
  }

  dropEvents(): void {
    this.events.length = 0;
  }

  crmContact(p: PersonForSync): Contact {
    return this.adapter.project(normalizeContact(personToContact(p, this.fieldIds), this.defaultCountry));
  }

  async heartbeat(): Promise<void> {
    if (!(await renewLease(this.db, this.conn.id, this.id))) throw new LeaseLostError();
  }
}

const personColumns = {
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
};

/** Loads persons; inside a page transaction they are locked, so a user's edit made meanwhile
 * waits for the page to commit and then sees the new version (and is refused as stale). */
async function loadPersons(tx: DB | Tx, ids: string[], lock = false): Promise<Map<string, PersonForSync>> {
  if (ids.length === 0) return new Map();
  const query = tx
    .select(personColumns)
    .from(persons)
    .leftJoin(organizations, eq(organizations.id, persons.organizationId))
    .where(inArray(persons.id, ids));
  const rows = lock ? await query.for("update", { of: persons }) : await query;
  return new Map(rows.map((r) => [r.id, r]));
}

export async function runSync(opts: RunSyncOptions): Promise<RunSummary> {
  const { db, connectionId } = opts;
  const [conn] = await db.select().from(syncConnections).where(eq(syncConnections.id, connectionId));
  if (!conn) throw new Error(`No sync connection ${connectionId}`);
  if (!conn.groupId) return { status: "skipped", reason: "not_configured" };
  if (conn.status === "paused" || conn.status === "reconnect_needed" || conn.status === "needs_confirmation") {
    return { status: "skipped", reason: conn.status };
  }
  const run = new Run(opts.runId ?? crypto.randomUUID(), db, conn, opts.adapter, opts.logger ?? silentLogger, opts.fault ?? (() => {}));
  if (!(await acquireLease(db, conn.id, run.id))) return { status: "skipped", reason: "busy" };

  let outcome: RunOutcome = "succeeded";
  let full = false;
  let failure: string | undefined;
  const startedAt = new Date();
  try {
    await db.insert(syncRuns).values({ id: run.id, connectionId: conn.id, trigger: opts.trigger, counts: run.counts, startedAt });
    const [company] = await db.select({ defaultCountry: companies.defaultCountry }).from(companies).where(eq(companies.id, conn.companyId));
    run.defaultCountry = company?.defaultCountry ?? "US";
    run.fieldIds = await ensureSyncCustomFields(db, conn.companyId);
    run.orgs = new OrganizationResolver(conn.companyId, conn.userId);

    const pulled = await pull(run);
    full = pulled.full;
    if (pulled.held) outcome = "held";
    if (conn.direction === "two_way") await push(run, startedAt);
    await run.fault("before-finish");
  } catch (error) {
    run.dropEvents();
    if (error instanceof InvalidGrantError) {
      outcome = "reconnect_needed";
      failure = "The account's access was revoked or has expired. Reconnect the account to resume syncing.";
    } else if (error instanceof LeaseLostError) {
      outcome = "failed";
      failure = error.message;
    } else {
      outcome = "failed";
      failure = errorMessage(error);
      run.logger.error("sync run failed", { connectionId: conn.id, runId: run.id, error: failure });
    }
  }

  await db.transaction(async (tx) => {
    await run.flushEvents(tx);
    await tx
      .update(syncRuns)
      .set({ outcome, counts: run.counts, processed: run.processed, fullSync: full, error: failure ?? null, finishedAt: new Date() })
      .where(eq(syncRuns.id, run.id));
    const status =
      outcome === "reconnect_needed" ? "reconnect_needed" : outcome === "held" ? "needs_confirmation" : outcome === "failed" ? "error" : "active";
    await tx
      .update(syncConnections)
      .set({
        status,
        lastError: failure ?? (outcome === "held" ? "Held back deletions: confirm or reject them." : null),
        lastRunAt: startedAt,
        ...(outcome === "succeeded" || outcome === "held" ? { lastSuccessAt: new Date() } : {}),
        updatedAt: new Date(),
      })
      // Only while this run still holds the lease: a worker that froze and woke up after another
      // took over must not overwrite that worker's outcome.
      .where(and(eq(syncConnections.id, conn.id), eq(syncConnections.leaseOwner, run.id)));
  });
  await releaseLease(db, conn.id, run.id);
  return { status: "done", runId: run.id, outcome, counts: run.counts, full, ...(failure ? { error: failure } : {}) };
}

// ---- pull -------------------------------------------------------------------------------

async function pull(run: Run): Promise<{ full: boolean; held: boolean }> {
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
    await db.update(syncRuns).set({ processed: run.processed, counts: run.counts }).where(eq(syncRuns.id, run.id));
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
    const links = await db.select().from(syncLinks).where(and(eq(syncLinks.connectionId, conn.id), notPending));
    const pendingIds = new Set(pending.map((p) => p.link.providerId));
    const missing = links.filter((l) => !seen.has(l.providerId) && !pendingIds.has(l.providerId));
    const people = await loadPersons(db, missing.map((l) => l.personId));
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
      const people = await loadPersons(tx, links.map((l) => l.personId), true);
      const creates: PulledContact[] = [];

      for (const item of items) {
        let link = linkById.get(item.id);
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
        const person = people.get(link.personId) ?? (await loadPersons(tx, [link.personId], true)).get(link.personId) ?? null;
        if (item.deleted || !item.inScope) {
          if (!pending.some((p) => p.link.id === link.id)) pending.push({ link, person, item });
          continue;
        }
        await reconcileLinked(run, tx, link, person, item);
      }
      await createPersons(run, tx, creates);
      await run.flushEvents(tx);
    });
  } catch (error) {
    run.dropEvents();
    run.orgs.reset();
    throw error;
  }
}

/** After a crash cut creates short: asks providers whose listings do not carry our stamp which
 * pending creates exist, and links them before the pull (the pull then merges any edit made
 * to them since, against the content we wrote). */
async function adoptStampedCreates(run: Run): Promise<void> {
  const pending = await run.db
    .select()
    .from(syncLinks)
    .where(and(eq(syncLinks.connectionId, run.conn.id), sql`${syncLinks.providerId} like ${`${PENDING}%`}`));
  run.pendingCreates = pending;
  if (pending.length === 0 || !run.adapter.findCreated) return;
  const found = await run.adapter.findCreated(pending.map((l) => l.personId));
  for (const link of pending) {
    const providerId = found.get(link.personId);
    if (providerId) await run.db.update(syncLinks).set({ providerId, etag: null, updatedAt: new Date() }).where(eq(syncLinks.id, link.id));
  }
  run.pendingCreates = pending.filter((l) => !found.has(l.personId));
}

/** Matches an unlinked pulled contact to a pending create of this connection: by the stamp the
 * provider kept (Google clientData), else by identical content. */
async function adoptPendingCreate(run: Run, tx: Tx, item: PulledContact): Promise<LinkRow | null> {
  const pending = run.pendingCreates;
  if (pending.length === 0) return null;
  const match =
    (item.stamp ? pending.find((l) => l.personId === item.stamp) : undefined) ??
    pending.find((l) => changedFields(l.base as Contact, item.contact).length === 0);
  if (!match) return null;
  const [adopted] = await tx
    .update(syncLinks)
    .set({ providerId: item.id, etag: null, updatedAt: new Date() })
    .where(eq(syncLinks.id, match.id))
    .returning();
  run.pendingCreates = pending.filter((l) => l.id !== match.id);
  return adopted ?? null;
}

async function reconcileLinked(run: Run, tx: Tx, link: LinkRow, person: PersonForSync | null, item: PulledContact): Promise<void> {
  const base = link.base as Contact;
  const provider = item.contact;
  const direction = run.conn.direction;

  if (!person || person.deletedAt) {
    // Deleted in the CRM. Two-way: the push deletes it at the provider (delete wins). One-way:
    // the person stays deleted; the link keeps it from coming back.
    const decision = decideCrmGone({ base, provider, direction });
    if (decision.action === "delete_at_provider" && decision.lostEdit) {
      run.counts.conflicts++;
      run.event({
        personId: link.personId,
        providerId: item.id,
        kind: "conflict",
        side: "provider",
        label: label(provider),
        changes: fieldChanges(base, provider),
        detail: { rule: "delete wins", deletedOn: "crm" },
      });
    }
    await tx.update(syncLinks).set({ etag: item.etag, base: provider, updatedAt: new Date() }).where(eq(syncLinks.id, link.id));
    return;
  }

  const crm = run.crmContact(person);
  if (item.etag === link.etag && changedFields(base, provider).length === 0) return; // replay or own write
  const merge = mergeContact({ base, crm, provider, direction });

  for (const c of merge.conflicts) {
    run.counts.conflicts++;
    run.event({
      personId: person.id,
      providerId: item.id,
      kind: "conflict",
      side: c.winner === "crm" ? "provider" : "crm",
      label: label(merge.merged),
      changes: [{ field: c.field, old: c.base, new: c.winner === "crm" ? c.crm : c.provider }],
      detail: { base: c.base, crm: c.crm, provider: c.provider, winner: c.winner, rule: c.winner === "crm" ? "CRM wins (two-way)" : "provider wins (one-way)" },
    });
  }

  let version = person.version;
  if (merge.crmFields.length > 0) {
    const organizationId = merge.crmFields.includes("organization") ? await run.orgs.resolve(tx, merge.merged.organization) : person.organizationId;
    const [updated] = await tx
      .update(persons)
      .set({
        ...contactToPersonColumns(merge.merged, run.fieldIds, person.customFields, organizationId),
        version: sql`${persons.version} + 1`,
        updatedAt: new Date(),
      })
      .where(and(eq(persons.id, person.id), eq(persons.version, person.version)))
      .returning({ version: persons.version });
    if (!updated) throw new Error("person changed during the run; it will be merged on the next run");
    version = updated.version;
    run.counts.crmUpdated++;
    run.event({
      personId: person.id,
      providerId: item.id,
      kind: "updated",
      side: "crm",
      label: label(merge.merged),
      changes: fieldChanges(crm, merge.merged, merge.crmFields),
    });
  }
  if (merge.providerFields.length > 0 && person.ownerId === run.conn.userId) {
    // The provider must catch up with CRM-side changes: the base stays at what the provider has,
    // and a stale crmVersion makes the push phase (or a later run) send the difference.
    run.pendingPushIds.add(link.id);
    await tx.update(syncLinks).set({ etag: item.etag, base: provider, crmVersion: -1, updatedAt: new Date() }).where(eq(syncLinks.id, link.id));
  } else {
    await tx.update(syncLinks).set({ etag: item.etag, base: merge.merged, crmVersion: version, updatedAt: new Date() }).where(eq(syncLinks.id, link.id));
  }
}

async function createPersons(run: Run, tx: Tx, items: PulledContact[]): Promise<void> {
  if (items.length === 0) return;
  const { conn } = run;
  const rows: (typeof persons.$inferInsert)[] = [];
  for (const item of items) {
    const organizationId = await run.orgs.resolve(tx, item.contact.organization);
    rows.push({
      companyId: conn.companyId,
      ownerId: conn.userId,
      visibility: conn.visibility,
      ...contactToPersonColumns(item.contact, run.fieldIds, {}, organizationId),
    });
  }
  // Ids made here, so one statement inserts the page and each row's id is known without RETURNING order.
  for (const row of rows) row.id = crypto.randomUUID();
  await insertRows(tx, persons, rows);
  const created = rows.map((r) => ({ id: r.id!, version: 1 }));
  const links = items.map((item, i) => ({
    connectionId: conn.id,
    personId: created[i]!.id,
    providerId: item.id,
    etag: item.etag,
    base: item.contact,
    crmVersion: created[i]!.version,
    photoUrl: item.photoUrl ?? null,
  }));
  await insertRows(tx, syncLinks, links);
  items.forEach((item, i) => {
    const personId = created[i]!.id;
    run.counts.crmAdded++;
    run.event({
      personId,
      providerId: item.id,
      kind: "added",
      side: "crm",
      label: label(item.contact),
      changes: fieldChanges(normalizeContact(emptyContactFor(), "US"), item.contact),
    });
  });
}

/** Inserts many rows with one statement and one JSON parameter: Postgres expands the rows
 * (json_populate_recordset), columns left out take their defaults. Building a multi-row VALUES
 * list instead costs drizzle ~40 µs of CPU per row (query building), more than the insert. */
async function insertRows<T extends PgTable>(tx: DB | Tx, table: T, rows: T["$inferInsert"][]): Promise<void> {
  const columns = Object.entries(getTableColumns(table)) as [string, { name: string }][];
  // Rows that leave the same columns out (to their defaults) go together: usually all of them.
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const row of rows as Record<string, unknown>[]) {
    const key = columns.map(([k]) => (row[k] === undefined ? "0" : "1")).join("");
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  for (const [key, group] of groups) {
    const used = columns.filter((_, i) => key[i] === "1");
    const names = sql.raw(used.map(([, c]) => `"${c.name}"`).join(", "));
    const json = JSON.stringify(group.map((r) => Object.fromEntries(used.map(([k, c]) => [c.name, r[k]]))));
    await tx.execute(sql`insert into ${table} (${names}) select ${names} from json_populate_recordset(null::${table}, ${json}::json)`);
  }
}

/** Writes events and adds them to their connection's day (sync_activity_days), in the caller's
 * transaction. Called last in a transaction (before the connection row, if that is updated), so
 * transactions take the day's row in one order. */
async function recordEvents(tx: DB | Tx, events: EventRow[]): Promise<void> {
  if (events.length === 0) return;
  await insertRows(tx, syncEvents, events);
  const perConnection = new Map<string, { added: number; updated: number; deleted: number }>();
  for (const e of events) {
    if (e.kind !== "added" && e.kind !== "updated" && e.kind !== "deleted") continue;
    const day = perConnection.get(e.connectionId) ?? { added: 0, updated: 0, deleted: 0 };
    day[e.kind]++;
    perConnection.set(e.connectionId, day);
  }
  for (const [connectionId, n] of perConnection) {
    // The day of the events' created_at (the transaction's now()), in UTC.
    await tx
      .insert(syncActivityDays)
      .values({ connectionId, day: sql`(now() at time zone 'UTC')::date`, ...n })
      .onConflictDoUpdate({
        target: [syncActivityDays.connectionId, syncActivityDays.day],
        set: {
          added: sql`${syncActivityDays.added} + excluded.added`,
          updated: sql`${syncActivityDays.updated} + excluded.updated`,
          deleted: sql`${syncActivityDays.deleted} + excluded.deleted`,
        },
      });
  }
}

function emptyContactFor(): Contact {
  return { firstName: "", lastName: "", emails: [], phones: [], address: null, postalAddress: null, ims: [], organization: null, jobTitle: null, notes: null, birthday: null };
}

/** Applies the collected deletions — or holds them when too many — and stores the cursor, in
 * one transaction. Returns true when deletions were held. */
async function settleDeletions(run: Run, pending: PendingDeletion[], emptied: boolean, cursor: string): Promise<boolean> {
  const { db, conn } = run;
  const toDelete = pending.filter((p) => p.person && !p.person.deletedAt);
  const quiet = pending.filter((p) => !p.person || p.person.deletedAt);
  // The guard's limit is at least DELETE_GUARD_MIN: below it the links need not be counted
  // (which reads every link of the connection), so a small incremental run stays small.
  const [{ n: linkCount } = { n: 0 }] =
    toDelete.length > DELETE_GUARD_MIN || (emptied && toDelete.length > 0)
      ? await db
          .select({ n: sql<number>`count(*)::int` })
          .from(syncLinks)
          .where(and(eq(syncLinks.connectionId, conn.id), notPending))
      : [];
  const limit = Math.max(DELETE_GUARD_MIN, Math.floor(DELETE_GUARD_SHARE * linkCount));
  const hold = toDelete.length > 0 && (emptied || toDelete.length > limit);

  await run.fault("before-cursor");
  await db.transaction(async (tx) => {
    // Gone on both sides: drop the link quietly.
    if (quiet.length > 0) await tx.delete(syncLinks).where(inArray(syncLinks.id, quiet.map((p) => p.link.id)));
    if (hold) {
      run.counts.heldDeletions += toDelete.length;
      for (const p of toDelete) {
        run.event({
          personId: p.person!.id,
          providerId: p.link.providerId,
          kind: "held_deletion",
          side: "crm",
          label: label(run.crmContact(p.person!)),
          detail: { reason: emptied ? "group_emptied" : "mass_delete", total: toDelete.length, linked: linkCount },
        });
      }
    } else {
      for (const p of toDelete) await deleteSyncedPerson(run, tx, p);
    }
    await run.flushEvents(tx);
    await tx.update(syncConnections).set({ cursor, updatedAt: new Date() }).where(eq(syncConnections.id, conn.id));
  });
  await run.fault("after-cursor");
  return hold;
}

async function deleteSyncedPerson(run: Run, tx: Tx, p: PendingDeletion): Promise<void> {
  const person = p.person!;
  const crm = run.crmContact(person);
  const decision = decideProviderGone({ base: p.link.base as Contact, crm, direction: run.conn.direction });
  // A person still linked through another connection is only unlinked here: the other address
  // book still has it.
  const [other] = await tx
    .select({ id: syncLinks.id })
    .from(syncLinks)
    .where(and(eq(syncLinks.personId, person.id), sql`${syncLinks.connectionId} <> ${run.conn.id}`))
    .limit(1);
  await tx.delete(syncLinks).where(eq(syncLinks.id, p.link.id));
  if (other || decision.action !== "delete_person") return;
  if (decision.lostEdit) {
    run.counts.conflicts++;
    run.event({
      personId: person.id,
      providerId: p.link.providerId,
      kind: "conflict",
      side: "crm",
      label: label(crm),
      changes: fieldChanges(p.link.base as Contact, crm),
      detail: { rule: "delete wins", deletedOn: "provider" },
    });
  }
  await tx
    .update(persons)
    .set({ deletedAt: new Date(), version: sql`${persons.version} + 1`, updatedAt: new Date() })
    .where(eq(persons.id, person.id));
  run.counts.crmDeleted++;
  run.event({
    personId: person.id,
    providerId: p.link.providerId,
    kind: "deleted",
    side: "crm",
    label: label(crm),
    detail: { reason: p.item?.deleted ? "deleted_at_provider" : p.item ? "left_group" : "missing_from_full_listing", restorable: true },
  });
}

// ---- photos -----------------------------------------------------------------------------
// A run only notes, on the link it creates, which photo the provider may have (sync_links.
// photo_url); syncPhotos fetches them afterwards. Graph cannot say in a delta which contacts have
// a photo, so every new Microsoft contact is a candidate: 25,000 contacts are 1,250 `$batch`
// calls, which would be 98 % of an initial run's calls while adding nothing to its contacts.
// The backlog is durable: a crash or a failing photo server only defers photos to the next time.

export type PhotoSummary =
  | { status: "skipped"; reason: "busy" }
  | { status: "done"; fetched: number; checked: number; remaining: boolean; error?: string };

export type SyncPhotosOptions = {
  db: DB;
  connectionId: string;
  adapter: Pick<ProviderAdapter, "fetchPhotos">;
  logger?: SyncLogger;
  /** Stops after this long (the backlog left is fetched next time). */
  budgetMs?: number;
};

const PHOTO_BUDGET_MS = 5 * 60_000;

/** Fetches the photos the connection's runs noted, while the person still has no picture: a
 * picture set in the CRM is never replaced. One connection's photos at a time (the run lease). */
export async function syncPhotos(opts: SyncPhotosOptions): Promise<PhotoSummary> {
  const { db, connectionId, adapter } = opts;
  const logger = opts.logger ?? silentLogger;
  const owner = `photos:${crypto.randomUUID()}`;
  if (!(await acquireLease(db, connectionId, owner))) return { status: "skipped", reason: "busy" };
  const until = Date.now() + (opts.budgetMs ?? PHOTO_BUDGET_MS);
  let fetched = 0;
  let checked = 0;
  try {
    for (;;) {
      if (Date.now() > until) return { status: "done", fetched, checked, remaining: true };
      const batch = await db
        .select({
          id: syncLinks.id,
          personId: syncLinks.personId,
          providerId: syncLinks.providerId,
          photoUrl: syncLinks.photoUrl,
          hasPicture: sql<boolean>`${personPictures.personId} is not null`,
        })
        .from(syncLinks)
        .leftJoin(personPictures, eq(personPictures.personId, syncLinks.personId))
        .where(and(eq(syncLinks.connectionId, connectionId), sql`${syncLinks.photoUrl} is not null`))
        .limit(PHOTO_BATCH);
      if (batch.length === 0) return { status: "done", fetched, checked, remaining: false };
      const wanted = batch.filter((b) => !b.hasPicture);
      let photos: (Photo | null)[] = [];
      if (wanted.length > 0) {
        try {
          photos = await adapter.fetchPhotos(wanted.map((b) => ({ id: b.providerId, photoUrl: b.photoUrl! })));
        } catch (error) {
          // Transient (retries spent) or a revoked grant: the backlog stays for the next time.
          logger.warn("photo fetch failed", { connectionId, error: errorMessage(error) });
          return { status: "done", fetched, checked, remaining: true, error: errorMessage(error) };
        }
      }
      const rows = wanted.flatMap((b, k) => {
        const photo = photos[k];
        return photo ? [{ personId: b.personId, contentType: photo.contentType, data: photo.data }] : [];
      });
      if (!(await renewLease(db, connectionId, owner))) throw new LeaseLostError();
      await db.transaction(async (tx) => {
        if (rows.length > 0) await tx.insert(personPictures).values(rows).onConflictDoNothing();
        // Cleared only if not noted again meanwhile (a link re-created by a later run).
        await tx.execute(sql`update ${syncLinks} l set photo_url = null
          from json_to_recordset(${JSON.stringify(batch.map((b) => ({ id: b.id, url: b.photoUrl })))}::json) as v(id uuid, url text)
          where l.id = v.id and l.photo_url = v.url`);
      });
      fetched += rows.length;
      checked += batch.length;
    }
  } finally {
    await releaseLease(db, connectionId, owner);
  }
}

// ---- push (two-way) ---------------------------------------------------------------------

async function push(run: Run, startedAt: Date): Promise<void> {
  const { db, conn, adapter } = run;
  // Linked persons of the user that changed (or were deleted) since they last matched the base.
  const changed = await db
    .select({ link: syncLinks, person: personColumns })
    .from(syncLinks)
    .innerJoin(persons, eq(persons.id, syncLinks.personId))
    .leftJoin(organizations, eq(organizations.id, persons.organizationId))
    .where(and(eq(syncLinks.connectionId, conn.id), notPending, sql`${persons.version} <> ${syncLinks.crmVersion}`, eq(persons.ownerId, conn.userId)));

  const updates: { link: LinkRow; person: PersonForSync; contact: Contact }[] = [];
  const deletes: { link: LinkRow; person: PersonForSync }[] = [];
  for (const row of changed) {
    if (row.person.deletedAt) {
      deletes.push(row);
      continue;
    }
    const contact = run.crmContact(row.person);
    if (changedFields(row.link.base as Contact, contact).length === 0) {
      await db.update(syncLinks).set({ crmVersion: row.person.version }).where(eq(syncLinks.id, row.link.id));
    } else {
      updates.push({ ...row, contact });
    }
  }

  for (let i = 0; i < updates.length; i += PUSH_BATCH) {
    const batch = updates.slice(i, i + PUSH_BATCH);
    const results = await adapter.update(batch.map((u) => ({ id: u.link.providerId, etag: u.link.etag, contact: u.contact, base: u.link.base as Contact })));
    await run.fault("after-provider-write");
    await db.transaction(async (tx) => {
      // The new bases of the batch's links in one statement (one JSON parameter).
      const written = batch.flatMap((u, k) => {
        const r = results[k]!;
        return r.ok ? [{ id: u.link.id, etag: r.etag, base: r.contact, crm_version: u.person.version }] : [];
      });
      if (written.length > 0) {
        await tx.execute(sql`update sync_links l set etag = v.etag, base = v.base, crm_version = v.crm_version, updated_at = now()
          from json_to_recordset(${JSON.stringify(written)}::json) as v(id uuid, etag text, base jsonb, crm_version int) where l.id = v.id`);
      }
      for (const [k, u] of batch.entries()) {
        const r = results[k]!;
        if (r.ok) {
          run.counts.providerUpdated++;
          run.event({
            personId: u.person.id,
            providerId: u.link.providerId,
            kind: "updated",
            side: "provider",
            label: label(u.contact),
            changes: fieldChanges(u.link.base as Contact, r.contact),
          });
        } else if (r.error === "rejected") {
          run.counts.errors++;
          run.event({ personId: u.person.id, providerId: u.link.providerId, kind: "error", side: "provider", label: label(u.contact), detail: { message: r.message } });
        }
        // conflict / not_found: the provider changed meanwhile; the next pull merges it.
      }
      await run.flushEvents(tx);
    });
    await run.heartbeat();
  }

  for (let i = 0; i < deletes.length; i += PUSH_BATCH) {
    const batch = deletes.slice(i, i + PUSH_BATCH);
    const results = await adapter.delete(batch.map((d) => d.link.providerId));
    await run.fault("after-provider-write");
    await db.transaction(async (tx) => {
      for (const [k, d] of batch.entries()) {
        const r = results[k]!;
        if (r.ok || r.error === "not_found") {
          await tx.delete(syncLinks).where(eq(syncLinks.id, d.link.id));
          if (r.ok) {
            run.counts.providerDeleted++;
            run.event({ personId: d.person.id, providerId: d.link.providerId, kind: "deleted", side: "provider", label: label(d.link.base as Contact) });
          }
        } else {
          run.counts.errors++;
          run.event({ personId: d.person.id, providerId: d.link.providerId, kind: "error", side: "provider", label: label(d.link.base as Contact), detail: { message: r.message } });
        }
      }
      await run.flushEvents(tx);
    });
  }

  // Creates a crash left pending and the pull did not find at the provider: they never
  // happened, so they are offered again below.
  await db.delete(syncLinks).where(and(eq(syncLinks.connectionId, conn.id), sql`${syncLinks.providerId} like ${`${PENDING}%`}`));
  // Persons the user created in the CRM since the last push, not from any address book.
  const fresh = await db
    .select(personColumns)
    .from(persons)
    .leftJoin(organizations, eq(organizations.id, persons.organizationId))
    .where(
      and(
        eq(persons.companyId, conn.companyId),
        eq(persons.ownerId, conn.userId),
        isNull(persons.deletedAt),
        sql`${persons.createdAt} >= ${conn.pushWatermark.toISOString()}::timestamptz`,
        sql`not exists (select 1 from sync_links l where l.person_id = ${persons.id})`,
      ),
    );
  for (let i = 0; i < fresh.length; i += PUSH_BATCH) {
    const batch = fresh.slice(i, i + PUSH_BATCH).map((person) => ({ person, contact: run.crmContact(person) }));
    // The intent first: after a crash past the create call, the next pull adopts the contact.
    await db.insert(syncLinks).values(
      batch.map((b) => ({ connectionId: conn.id, personId: b.person.id, providerId: `${PENDING}${b.person.id}`, base: b.contact, crmVersion: b.person.version })),
    );
    const results = await adapter.create(batch.map((b) => ({ contact: b.contact, stamp: b.person.id })));
    await run.fault("after-provider-write");
    await db.transaction(async (tx) => {
      for (const [k, b] of batch.entries()) {
        const r = results[k]!;
        const pendingLink = and(eq(syncLinks.connectionId, conn.id), eq(syncLinks.providerId, `${PENDING}${b.person.id}`));
        if (r.ok) {
          await tx.update(syncLinks).set({ providerId: r.id, etag: r.etag, base: r.contact, updatedAt: new Date() }).where(pendingLink);
          run.counts.providerAdded++;
          run.event({
            personId: b.person.id,
            providerId: r.id,
            kind: "added",
            side: "provider",
            label: label(b.contact),
            changes: fieldChanges(emptyContactFor(), r.contact),
          });
        } else {
          await tx.delete(syncLinks).where(pendingLink);
          run.counts.errors++;
          run.event({ personId: b.person.id, kind: "error", side: "provider", label: label(b.contact), detail: { message: r.message } });
        }
      }
      await run.flushEvents(tx);
    });
    await run.heartbeat();
  }
  // Everything created before this run started has now been offered to the provider.
  await db.update(syncConnections).set({ pushWatermark: startedAt }).where(eq(syncConnections.id, conn.id));
}

// ---- held deletions and restore ---------------------------------------------------------

/** The user's answer to held deletions: confirm deletes those persons (restorably); reject
 * keeps them and unlinks them from the provider contacts that are gone. */
export async function resolveHeldDeletions(db: DB, connectionId: string, confirm: boolean): Promise<number> {
  return db.transaction(async (tx) => {
    const held = await tx
      .select()
      .from(syncEvents)
      .where(and(eq(syncEvents.connectionId, connectionId), eq(syncEvents.kind, "held_deletion"), isNull(syncEvents.resolvedAt)));
    const deleted: EventRow[] = [];
    for (const e of held) {
      if (!e.providerId) continue;
      const [link] = await tx
        .delete(syncLinks)
        .where(and(eq(syncLinks.connectionId, connectionId), eq(syncLinks.providerId, e.providerId)))
        .returning();
      if (confirm && link) {
        await tx
          .update(persons)
          .set({ deletedAt: new Date(), version: sql`${persons.version} + 1`, updatedAt: new Date() })
          .where(and(eq(persons.id, link.personId), isNull(persons.deletedAt)));
        deleted.push({
          connectionId,
          personId: link.personId,
          providerId: e.providerId,
          kind: "deleted",
          side: "crm",
          label: e.label,
          detail: { reason: "confirmed_by_user", restorable: true },
        });
      }
    }
    await recordEvents(tx, deleted);
    await tx.update(syncEvents).set({ resolvedAt: new Date() }).where(inArray(syncEvents.id, held.map((e) => e.id).concat(["00000000-0000-0000-0000-000000000000"])));
    await tx.update(syncConnections).set({ status: "active", lastError: null, updatedAt: new Date() }).where(eq(syncConnections.id, connectionId));
    return held.length;
  });
}

/** Brings back a person deleted by sync (from its "deleted" event). The next two-way run sends
 * it to the provider again as a new contact. */
export async function restoreDeletedPerson(db: DB, eventId: string): Promise<string | null> {
  return db.transaction(async (tx) => {
    const [e] = await tx.select().from(syncEvents).where(and(eq(syncEvents.id, eventId), eq(syncEvents.kind, "deleted"), eq(syncEvents.side, "crm")));
    if (!e?.personId) return null;
    const restored = await tx
      .update(persons)
      .set({ deletedAt: null, version: sql`${persons.version} + 1`, updatedAt: new Date(), createdAt: new Date() })
      .where(and(eq(persons.id, e.personId), sql`${persons.deletedAt} is not null`))
      .returning({ id: persons.id });
    if (restored.length === 0) return null;
    await recordEvents(tx, [{ connectionId: e.connectionId, personId: e.personId, kind: "restored", side: "crm", label: e.label }]);
    return e.personId;
  });
}
