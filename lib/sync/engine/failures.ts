// Contacts that failed to sync and wait in "Needs attention" (sync_failures): a write the
// provider refused — creating, updating or deleting a person's contact — a contact the provider
// sent that could not be read, or one read without fields longer than Tandem syncs ("oversize":
// those fields are left as they are on both sides, and nothing is sent to the contact until they
// are shortened at the provider).
//
// A refused write is tried again by later runs, each wait longer than the last (RETRY_AFTER),
// and no more after RETRY_LIMIT attempts; an edit of the person makes it due at once (the edit
// may be the fix), and so does the user's Retry. A write that goes through clears its failure,
// and so does anything that makes it moot (the person deleted, given away, or linked). A contact
// that could not be read is read again when the provider next sends it.
import { and, eq, inArray, isNotNull, notInArray, sql, type SQL } from "drizzle-orm";
import type { DB, Tx } from "@/db/client";
import { syncFailures, type FailureOperation } from "@/db/schema";
import type { OversizeField } from "../model/contact";
import type { RefusalCause } from "@/db/vocabulary";
import type { Run } from "./context";

/** Attempts before a refused write is no longer retried by itself. */
export const RETRY_LIMIT = 5;
/** The wait after the 1st, 2nd, … failed attempt. */
export const RETRY_AFTER = ["15 minutes", "1 hour", "4 hours", "12 hours"] as const;

export type FailedWrite = {
  personId: string;
  /** The contact at the provider (null for a create). */
  providerId: string | null;
  operation: Exclude<FailureOperation, "read" | "oversize">;
  label: string;
  reason: string;
  cause?: RefusalCause;
  personVersion: number;
};

/** Collects a run's refused writes and its successes, saved with the batch they belong to. */
export class FailureLog {
  private failed: FailedWrite[] = [];
  private succeeded: string[] = [];

  constructor(private readonly connectionId: string) {}

  refused(write: FailedWrite): void {
    this.failed.push(write);
  }

  /** A write for this person went through: its failure, if any, is over. */
  succeededFor(personId: string): void {
    this.succeeded.push(personId);
  }

  async flush(tx: Tx, hadFailures: boolean): Promise<void> {
    const [failed, succeeded] = [this.failed, this.succeeded];
    this.failed = [];
    this.succeeded = [];
    // (A failure is only ever cleared if the connection had one when the run began: a success
    // in the run that noted it is not possible, the person is not sent twice.)
    if (hadFailures && succeeded.length > 0) {
      await tx.delete(syncFailures).where(and(eq(syncFailures.connectionId, this.connectionId), inArray(syncFailures.personId, succeeded)));
    }
    if (failed.length > 0) await noteFailedWrites(tx, this.connectionId, failed);
  }
}

/** The attempt a refused write is: the first again when the person changed since (or the
 * operation did), else one more. */
const attempt = sql`(case when f.person_version is distinct from excluded.person_version or f.operation <> excluded.operation then 1 else f.attempts + 1 end)`;

/** When the given attempt (an SQL integer) is tried again: null once it is the last. */
function retryAtAfter(attemptNo: SQL): SQL {
  const waits = sql.raw(`array[${RETRY_AFTER.map((w) => `interval '${w}'`).join(", ")}]`);
  return sql`(case when ${attemptNo} >= ${RETRY_LIMIT} then null else now() + (${waits})[${attemptNo}] end)`;
}

async function noteFailedWrites(tx: Tx, connectionId: string, failed: FailedWrite[]): Promise<void> {
  const rows = failed.map((f) => ({
    person_id: f.personId,
    provider_id: f.providerId,
    operation: f.operation,
    label: f.label,
    reason: f.reason,
    cause: f.cause ?? null,
    person_version: f.personVersion,
  }));
  await tx.execute(sql`
    insert into sync_failures as f (connection_id, person_id, provider_id, operation, label, reason, cause, person_version, attempts, retry_at)
    select ${connectionId}, v.person_id, v.provider_id, v.operation, v.label, v.reason, v.cause, v.person_version, 1, ${retryAtAfter(sql`1`)}
    from json_to_recordset(${JSON.stringify(rows)}::json) as v(person_id uuid, provider_id text, operation text, label text, reason text, cause text, person_version int)
    on conflict (connection_id, person_id) where person_id is not null do update set
      provider_id = excluded.provider_id,
      label = excluded.label,
      reason = excluded.reason,
      cause = excluded.cause,
      last_failed_at = now(),
      attempts = ${attempt},
      retry_at = ${retryAtAfter(attempt)},
      person_version = excluded.person_version,
      operation = excluded.operation`);
}

/** Contacts of a pulled page that could not be read: noted (or counted again). `seenAt` is the
 * listing's clock, the one clearUnreadableBefore compares with (the database's may differ). */
export async function noteUnreadable(tx: Tx, connectionId: string, contacts: { id: string; label: string; message: string }[], seenAt: Date): Promise<void> {
  if (contacts.length === 0) return;
  const rows = contacts.map((c) => ({ provider_id: c.id, label: c.label, reason: c.message }));
  await tx.execute(sql`
    insert into sync_failures as f (connection_id, provider_id, operation, label, reason, attempts, last_failed_at)
    select ${connectionId}, v.provider_id, 'read', v.label, v.reason, 1, ${seenAt.toISOString()}::timestamptz
    from json_to_recordset(${JSON.stringify(rows)}::json) as v(provider_id text, label text, reason text)
    on conflict (connection_id, provider_id) where operation = 'read' do update set
      label = excluded.label, reason = excluded.reason, last_failed_at = excluded.last_failed_at, attempts = f.attempts + 1`);
}

/** Contacts of a pulled page that were read with fields over Tandem's limits: noted (or noted
 * again, with the fields they have now). */
export async function noteOversize(tx: Tx, connectionId: string, contacts: { id: string; label: string; oversize: OversizeField[] }[], seenAt: Date): Promise<void> {
  if (contacts.length === 0) return;
  const rows = contacts.map((c) => ({ provider_id: c.id, label: c.label, reason: oversizeReason(c.oversize), held_fields: c.oversize }));
  await tx.execute(sql`
    insert into sync_failures as f (connection_id, provider_id, operation, label, reason, held_fields, attempts, last_failed_at)
    select ${connectionId}, v.provider_id, 'oversize', v.label, v.reason, v.held_fields, 1, ${seenAt.toISOString()}::timestamptz
    from json_to_recordset(${JSON.stringify(rows)}::json) as v(provider_id text, label text, reason text, held_fields jsonb)
    on conflict (connection_id, provider_id) where operation = 'oversize' do update set
      label = excluded.label, reason = excluded.reason, held_fields = excluded.held_fields, last_failed_at = excluded.last_failed_at, attempts = f.attempts + 1`);
}

/** In English, for logs and the failure's own record (the dashboard says it from held_fields). */
function oversizeReason(fields: OversizeField[]): string {
  return fields
    .map((f) => `${f.field} has ${f.length.toLocaleString("en")} ${f.unit}, more than the ${f.limit.toLocaleString("en")} Tandem syncs`)
    .join("; ");
}

/** Contacts of a pulled page that were read (or are gone): their failures to be read, in full or
 * at all, are over (one read with fields over the limits is noted again after). */
export async function clearUnreadable(tx: Tx, connectionId: string, providerIds: string[]): Promise<void> {
  if (providerIds.length === 0) return;
  await tx
    .delete(syncFailures)
    .where(and(eq(syncFailures.connectionId, connectionId), inArray(syncFailures.operation, READS), inArray(syncFailures.providerId, providerIds)));
}

/** Failures of reading a contact, rather than of writing a person. */
const READS: FailureOperation[] = ["read", "oversize"];

/** After a complete full listing: contacts that could not be read (in full) and were not sent
 * again are gone (deleted, or no longer in the listing). */
export async function clearUnreadableBefore(db: DB, connectionId: string, listingStartedAt: Date): Promise<void> {
  await db
    .delete(syncFailures)
    .where(and(eq(syncFailures.connectionId, connectionId), inArray(syncFailures.operation, READS), sql`${syncFailures.lastFailedAt} < ${listingStartedAt.toISOString()}::timestamptz`));
}

/** Clears the failures a run has made moot: writes of a one-way connection (it no longer
 * writes), updates and deletions whose link no longer waits to be sent, creates whose person is
 * linked, deleted or no longer the user's. Only called when the connection had failures. */
export async function settleFailures(run: Run): Promise<void> {
  const { db, conn } = run;
  if (conn.direction !== "two_way") {
    await db.delete(syncFailures).where(and(eq(syncFailures.connectionId, conn.id), notInArray(syncFailures.operation, READS)));
    return;
  }
  await db.execute(sql`
    delete from sync_failures f where f.connection_id = ${conn.id} and f.operation not in ('read', 'oversize') and not (
      (f.operation in ('update', 'delete') and exists (select 1 from sync_links l
        where l.connection_id = f.connection_id and l.person_id = f.person_id and l.crm_changed))
      or (f.operation = 'create' and exists (select 1 from persons p
        where p.id = f.person_id and p.owner_id = ${conn.userId} and p.deleted_at is null)
        and not exists (select 1 from sync_links l where l.person_id = f.person_id)))`);
}

/** Retry (the dashboard's action): the connection's refused writes — or one — are due at the
 * next run, with the full number of attempts again. Returns how many. The caller has checked
 * that the connection is the viewer's. */
export async function retryFailures(db: DB, connectionId: string, failureId?: string): Promise<number> {
  const rows = await db
    .update(syncFailures)
    // The database's clock, which the push's queries judge "due" by.
    .set({ attempts: 0, retryAt: sql`now()` })
    .where(and(eq(syncFailures.connectionId, connectionId), notInArray(syncFailures.operation, READS), isNotNull(syncFailures.personId), failureId ? eq(syncFailures.id, failureId) : undefined))
    .returning({ id: syncFailures.id });
  return rows.length;
}
