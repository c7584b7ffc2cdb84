// What a run did, contact by contact: each event is counted in the run's figures and written
// with the page (or batch) it belongs to, in the same transaction, so the figures, the events and
// the dashboard's per-day chart can never disagree with what was committed.
import { sql } from "drizzle-orm";
import type { DB, Tx } from "@/db/client";
import { insertMany } from "@/db/bulk";
import { syncActivityDays, syncEvents, type EventKind, type FieldChange, type RunCounts, type Side } from "@/db/schema";
import { changedFields, type Contact, type ContactField } from "../model/contact";

export type EventRow = typeof syncEvents.$inferInsert;
export type EventInput = Omit<EventRow, "connectionId" | "runId">;

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
  skipped: 0,
  crmLinked: 0,
});

/** The figure an event counts in (restores are the user's, not a run's). */
function countOf(kind: EventKind, side: Side): keyof RunCounts | null {
  switch (kind) {
    case "added":
      return side === "crm" ? "crmAdded" : "providerAdded";
    case "updated":
      return side === "crm" ? "crmUpdated" : "providerUpdated";
    case "deleted":
      return side === "crm" ? "crmDeleted" : "providerDeleted";
    case "conflict":
      return "conflicts";
    case "error":
      return "errors";
    case "held_deletion":
      return "heldDeletions";
    case "skipped":
      return "skipped";
    case "linked":
      return "crmLinked";
    case "restored":
      return null;
  }
}

export class RunLog {
  readonly counts = emptyCounts();
  private pending: EventRow[] = [];

  constructor(
    private readonly connectionId: string,
    private readonly runId: string,
  ) {}

  record(event: EventInput): void {
    this.pending.push({ ...event, connectionId: this.connectionId, runId: this.runId });
    const count = countOf(event.kind, event.side);
    if (count) this.counts[count]++;
  }

  /** Nothing recorded since the last flush. */
  get empty(): boolean {
    return this.pending.length === 0;
  }

  /** Writes what was recorded since the last flush, in the caller's transaction. */
  async flush(tx: DB | Tx): Promise<void> {
    if (this.pending.length > 0) await recordEvents(tx, this.pending.splice(0));
  }

  /** Forgets what was recorded since the last flush (its transaction rolled back). */
  discard(): void {
    for (const event of this.pending.splice(0)) {
      const count = countOf(event.kind, event.side);
      if (count) this.counts[count]--;
    }
  }
}

/** Writes events and adds them to their connection's day (sync_activity_days), in the caller's
 * transaction. Called last in a transaction (before the connection row, if that is updated), so
 * transactions take the day's row in one order. */
export async function recordEvents(tx: DB | Tx, events: EventRow[]): Promise<void> {
  if (events.length === 0) return;
  await insertMany(tx, syncEvents, events);
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

/** How an event names its contact: "First Last", else its first e-mail or phone. */
export function contactLabel(c: Pick<Contact, "firstName" | "lastName" | "emails" | "phones">): string {
  return [c.firstName, c.lastName].filter(Boolean).join(" ") || c.emails[0]?.value || c.phones[0]?.value || "(no name)";
}

export function fieldChanges(from: Contact, to: Contact, fields: ContactField[] = changedFields(from, to)): FieldChange[] {
  return fields.map((field) => ({ field, old: from[field], new: to[field] }));
}
