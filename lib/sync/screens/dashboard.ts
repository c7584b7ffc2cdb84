// The read side of contact sync for the UI: a user's connections with their status and
// figures, recent activity, activity per day, and a person's sync history. Every function
// takes the viewer and only returns what is theirs (connections) or what they may see
// (persons, through the visibility predicate).
import "server-only";
import { and, desc, eq, gte, isNull, ne, sql, type SQL } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import type { DB } from "@/db/client";
import { getPersonById } from "@/db/queries/persons";
import { isRunnable } from "@/db/queries/sync/connection-status";
import { inState } from "@/db/queries/sync/links";
import { env } from "@/lib/env";
import { isUuid } from "@/lib/uuid";
import { providerDefinition } from "../providers/registry";
import { LEASE_MS } from "../jobs/lease";
import type { HeldField, RefusalCause } from "@/db/vocabulary";
import { RETRY_LIMIT } from "../engine/failures";
import { personAccessWhere, type Viewer } from "@/db/queries/visibility";
import {
  persons,
  syncActivityDays,
  syncConnections,
  syncEvents,
  syncFailures,
  syncLinks,
  syncRuns,
  syncSubscriptions,
  type EventKind,
  type FailureOperation,
  type Provider,
  type SyncConnection,
  type SyncEvent,
} from "@/db/schema";

export type ConnectionSummary = Omit<SyncConnection, "tokens" | "cursor" | "leaseOwner"> & {
  /** A run was asked for, or a worker has claimed the connection and is starting it. */
  waiting: boolean;
  inSync: number;
  heldDeletions: number;
  /** Creates a crash cut short that the provider does not show: waiting for the user. */
  unconfirmedCreates: number;
  /** A run in progress (its lease live); `resumed`: it took over from an interrupted one. */
  running: { runId: string; processed: number; total: number | null; startedAt: Date; resumed: boolean } | null;
  /** The last run did not finish (its worker stopped): how far it got, and when. The next
   * worker resumes it at once. */
  interrupted: { processed: number; at: Date } | null;
  lastRun: { outcome: string; finishedAt: Date | null; counts: Record<string, number>; error: string | null } | null;
  /** How changes made at the provider reach Tandem between runs: it notifies us (a Graph
   * subscription is held), it is checked every minute while the user is active, or only the
   * interval (a provider that could notify, without a reachable https APP_URL). */
  live: LiveMode;
  /** Minutes between scheduled runs (the deployment's default filled in); 0: only on Refresh. */
  intervalMinutes: number;
};

export type LiveMode = "notifications" | "checks" | "interval";

/** The connection if it belongs to the viewer, else null (someone else's reads as missing). */
export async function getOwnConnection(db: DB, viewer: Viewer, connectionId: string): Promise<SyncConnection | null> {
  if (!isUuid(connectionId)) return null;
  const [row] = await db
    .select()
    .from(syncConnections)
    .where(and(eq(syncConnections.id, connectionId), eq(syncConnections.userId, viewer.id)));
  return row ?? null;
}

function publicPart(c: SyncConnection): Omit<SyncConnection, "tokens" | "cursor" | "leaseOwner"> {
  const { tokens: _tokens, cursor: _cursor, leaseOwner: _owner, ...rest } = c;
  void _tokens;
  void _cursor;
  void _owner;
  return rest;
}

type LatestRun = {
  id: string;
  outcome: string;
  trigger: string;
  processed: number;
  total: number | null;
  startedAt: string;
  finishedAt: string | null;
  counts: Record<string, number>;
  error: string | null;
};

/** Inside a statement about one connection: it is the viewer's (else the statement finds
 * nothing), checked there rather than by one more query. */
const ownsConnection = (viewer: Viewer, connectionId: string) =>
  sql`exists (select 1 from ${syncConnections} c where c.id = ${connectionId} and c.user_id = ${viewer.id})`;

/** The outer row's id, spelled out: in a one-table select drizzle leaves columns unqualified,
 * and a bare "id" inside a subquery would name the subquery's own table. */
const outerId = sql.raw(`"sync_connections"."id"`);

/** The viewer's connections (or the one asked for) with their figures, in one statement: the
 * dashboard polls it. */
export async function listConnectionSummaries(db: DB, viewer: Viewer, only?: string): Promise<ConnectionSummary[]> {
  if (only !== undefined && !isUuid(only)) return [];
  const rows = await db
    .select({
      conn: syncConnections,
      held: sql<number>`(select count(*)::int from ${syncEvents} e
        where e.connection_id = ${outerId} and e.kind = 'held_deletion' and e.resolved_at is null)`,
      unconfirmed: sql<number>`(select count(*)::int from ${syncLinks} l where l.connection_id = ${outerId} and l.state = 'unconfirmed')`,
      subscribed: sql<boolean>`exists (select 1 from ${syncSubscriptions} s where s.connection_id = ${outerId})`,
      latest: sql<LatestRun | string | null>`(select json_build_object('id', r.id, 'outcome', r.outcome, 'trigger', r.trigger, 'processed', r.processed, 'total', r.total,
          'startedAt', r.started_at, 'finishedAt', r.finished_at, 'counts', r.counts, 'error', r.error)
        from ${syncRuns} r where r.connection_id = ${outerId} order by r.started_at desc limit 1)`,
    })
    .from(syncConnections)
    .where(and(eq(syncConnections.userId, viewer.id), only !== undefined ? eq(syncConnections.id, only) : undefined))
    .orderBy(syncConnections.createdAt);
  const defaultMinutes = env().SYNC_INTERVAL_MINUTES;
  return rows.map(({ conn: c, held, unconfirmed, subscribed, latest: raw }) => {
    const how = providerDefinition(c.provider).live;
    const latest = (typeof raw === "string" ? JSON.parse(raw) : raw) as LatestRun | null;
    const leaseLive = c.leaseUntil !== null && c.leaseUntil.getTime() > Date.now();
    const running = latest && latest.outcome === "running" && leaseLive ? latest : null;
    const finished = latest && latest.outcome !== "running" ? latest : null;
    // A run still "running" whose lease lapsed has no worker any more; one closed as interrupted
    // is waiting for (or just getting) the worker that resumes it.
    const runnable = isRunnable(c.status);
    const stopped = runnable && latest && ((latest.outcome === "running" && !leaseLive) || latest.outcome === "interrupted") ? latest : null;
    const stoppedAt = stopped?.finishedAt ? new Date(stopped.finishedAt) : c.leaseUntil ? new Date(c.leaseUntil.getTime() - LEASE_MS) : null;
    return {
      ...publicPart(c),
      waiting: !running && (c.runRequestedAt !== null || leaseLive),
      // Kept by triggers on sync_links (migration 0010): no view counts the links.
      inSync: c.linkedCount,
      heldDeletions: Number(held),
      unconfirmedCreates: Number(unconfirmed),
      running: running
        ? { runId: running.id, processed: running.processed, total: running.total, startedAt: new Date(running.startedAt), resumed: running.trigger === "resume" }
        : null,
      interrupted: stopped ? { processed: stopped.processed, at: stoppedAt ?? new Date(stopped.startedAt) } : null,
      lastRun: finished
        ? { outcome: finished.outcome, finishedAt: finished.finishedAt ? new Date(finished.finishedAt) : null, counts: finished.counts, error: finished.error }
        : null,
      live: how === "checks" ? "checks" : how === "notifications" && subscribed ? "notifications" : "interval",
      intervalMinutes: c.syncIntervalMinutes ?? defaultMinutes,
    };
  });
}

export type ActivityItem = Pick<SyncEvent, "id" | "kind" | "side" | "label" | "changes" | "detail" | "createdAt" | "personId" | "resolvedAt"> & {
  /** The person is live and the viewer may see it (its page can be opened). */
  personVisible: boolean;
  /** The person exists but the viewer may no longer see it (reassigned, visibility changed):
   * its name and changes are not shown. */
  personHidden: boolean;
};

/** How an event about a person the viewer may not see is named. */
export const HIDDEN_PERSON_LABEL = "a person you cannot see";

/** What the dashboard shows of one of the viewer's connections: the latest added, updated and
 * deleted contacts, those a first sync linked to persons the user had, and the activity per day, in two statements that each check ownership. */
export async function connectionActivity(
  db: DB,
  viewer: Viewer,
  connectionId: string,
  opts: { limit?: number; days?: number; now?: Date } = {},
): Promise<{ added: ActivityItem[]; updated: ActivityItem[]; deleted: ActivityItem[]; linked: ActivityItem[]; days: DayActivity[] }> {
  const days = opts.days ?? 14;
  const none = { added: [], updated: [], deleted: [], linked: [], days: emptyDays(days, opts.now) };
  if (!isUuid(connectionId)) return none;
  const owned = ownsConnection(viewer, connectionId);
  const limit = opts.limit ?? 8;
  const [events, perDay] = await Promise.all([
    unionAll(
      eventsQuery(db, viewer, connectionId, owned, "added", limit),
      eventsQuery(db, viewer, connectionId, owned, "updated", limit),
      eventsQuery(db, viewer, connectionId, owned, "deleted", limit),
      eventsQuery(db, viewer, connectionId, owned, "linked", limit),
    ),
    daysOf(db, connectionId, owned, days, opts.now),
  ]);
  // UNION ALL keeps no order of its own: newest first again, within each kind.
  const items = events
    .map(asActivity)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return {
    added: items.filter((e) => e.kind === "added"),
    updated: items.filter((e) => e.kind === "updated"),
    deleted: items.filter((e) => e.kind === "deleted"),
    linked: items.filter((e) => e.kind === "linked"),
    days: perDay,
  };
}

/** Whether the row's person (left-joined) is live, exists, and may be seen by the viewer. A
 * join, not EXISTS: the planner turns EXISTS into a hashed scan of every person. */
function personAccess(viewer: Viewer) {
  return {
    personLive: sql<boolean>`coalesce(${persons.deletedAt} is null and ${persons.id} is not null, false)`,
    personExists: sql<boolean>`${persons.id} is not null`,
    personAccessible: sql<boolean>`coalesce(${personAccessWhere(viewer)}, false)`,
  };
}

/** An event as the viewer may read it: about a person they cannot see, nothing of it — not its
 * id, name, changes or values. */
function asActivity<R extends { personLive: boolean; personExists: boolean; personAccessible: boolean; label: string; personId: string | null }>({ personLive, personExists, personAccessible, ...r }: R) {
  const hidden = personExists && !personAccessible;
  return { ...r, ...(hidden ? { label: HIDDEN_PERSON_LABEL, personId: null, changes: [], detail: {} } : {}), personVisible: personLive && personAccessible, personHidden: hidden };
}

function eventsQuery(db: DB, viewer: Viewer, connectionId: string, owned: SQL, kind: EventKind, limit: number) {
  return db
    .select({
      id: syncEvents.id,
      kind: syncEvents.kind,
      side: syncEvents.side,
      label: syncEvents.label,
      changes: syncEvents.changes,
      detail: syncEvents.detail,
      createdAt: syncEvents.createdAt,
      personId: syncEvents.personId,
      resolvedAt: syncEvents.resolvedAt,
      ...personAccess(viewer),
    })
    .from(syncEvents)
    .leftJoin(persons, eq(persons.id, syncEvents.personId))
    .where(and(eq(syncEvents.connectionId, connectionId), eq(syncEvents.kind, kind), owned))
    .orderBy(desc(syncEvents.createdAt), desc(syncEvents.id))
    .limit(limit);
}

export type DayActivity = { day: string; added: number; updated: number; deleted: number };

/** The last `days` days (UTC), oldest first, with nothing counted yet. */
function emptyDays(days: number, now = new Date()): DayActivity[] {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1));
  return Array.from({ length: days }, (_, i) => ({ day: new Date(start + i * 86_400_000).toISOString().slice(0, 10), added: 0, updated: 0, deleted: 0 }));
}

/** Added / updated / deleted contacts per day (both sides) for the last `days` days. */
async function daysOf(db: DB, connectionId: string, owned: SQL, days: number, now = new Date()): Promise<DayActivity[]> {
  const out = emptyDays(days, now);
  const rows = await db
    .select({ day: syncActivityDays.day, added: syncActivityDays.added, updated: syncActivityDays.updated, deleted: syncActivityDays.deleted })
    .from(syncActivityDays)
    .where(and(eq(syncActivityDays.connectionId, connectionId), gte(syncActivityDays.day, out[0]!.day), owned));
  for (const r of rows) {
    const slot = out.find((d) => d.day === r.day);
    if (slot) Object.assign(slot, { added: r.added, updated: r.updated, deleted: r.deleted });
  }
  return out;
}

/** How far back "Needs attention" lists conflicts. */
export const CONFLICT_DAYS = 7;

export type FailedContact = {
  id: string;
  personId: string | null;
  label: string;
  operation: FailureOperation;
  reason: string;
  cause: RefusalCause | null;
  attempts: number;
  /** Attempts after which it is no longer retried on its own. */
  retryLimit: number;
  retryAt: Date | null;
  lastFailedAt: Date;
  /** "oversize": the fields left out. */
  heldFields: HeldField[] | null;
  personVisible: boolean;
  /** About a person the viewer may not see: nothing of it is given (no id, name or reason). */
  personHidden: boolean;
};

export type NeedsAttention = {
  failed: FailedContact[];
  conflicts: ActivityItem[];
  held: ActivityItem[];
  /** All of them (the lists hold the latest `limit`). */
  counts: { failed: number; conflicts: number };
};

/** What waits for the user on one of their connections: contacts that failed to sync (with the
 * provider's reason), conflicts of the last days not dismissed, and held deletions — each about
 * a person the viewer may see, or named as one they cannot. */
export async function listNeedsAttention(db: DB, viewer: Viewer, connectionId: string, opts: { limit?: number } = {}): Promise<NeedsAttention> {
  if (!isUuid(connectionId)) return { failed: [], conflicts: [], held: [], counts: { failed: 0, conflicts: 0 } };
  const owned = ownsConnection(viewer, connectionId);
  const limit = opts.limit ?? 25;
  const recent = sql`${syncEvents.createdAt} > now() - make_interval(days => ${CONFLICT_DAYS})`;
  const [failed, conflicts, held, [counts]] = await Promise.all([
    db
      .select({
        id: syncFailures.id,
        personId: syncFailures.personId,
        label: syncFailures.label,
        operation: syncFailures.operation,
        reason: syncFailures.reason,
        cause: syncFailures.cause,
        attempts: syncFailures.attempts,
        retryAt: syncFailures.retryAt,
        lastFailedAt: syncFailures.lastFailedAt,
        heldFields: syncFailures.heldFields,
        ...personAccess(viewer),
      })
      .from(syncFailures)
      .leftJoin(persons, eq(persons.id, syncFailures.personId))
      .where(and(eq(syncFailures.connectionId, connectionId), owned))
      .orderBy(desc(syncFailures.lastFailedAt), desc(syncFailures.id))
      .limit(limit),
    recentEvents(db, viewer, connectionId, owned, "conflict", limit, recent),
    recentEvents(db, viewer, connectionId, owned, "held_deletion", limit),
    db
      .select({
        failed: sql<number>`(select count(*)::int from ${syncFailures} where ${syncFailures.connectionId} = ${connectionId})`,
        conflicts: sql<number>`(select count(*)::int from ${syncEvents} where ${syncEvents.connectionId} = ${connectionId}
          and ${syncEvents.kind} = 'conflict' and ${syncEvents.resolvedAt} is null and ${recent})`,
      })
      .from(syncConnections)
      .where(and(eq(syncConnections.id, connectionId), eq(syncConnections.userId, viewer.id))),
  ]);
  return {
    failed: failed.map(({ personLive, personExists, personAccessible, ...f }) => {
      // About a person the viewer cannot see: nothing of it (the provider's reason may quote its
      // values), only that something waits.
      const hidden = personExists && !personAccessible;
      return { ...f, retryLimit: RETRY_LIMIT, ...(hidden ? { label: HIDDEN_PERSON_LABEL, personId: null, reason: "", cause: null } : {}), personVisible: personLive && personAccessible, personHidden: hidden };
    }),
    conflicts,
    held,
    counts: { failed: Number(counts?.failed ?? 0), conflicts: Number(counts?.conflicts ?? 0) },
  };
}

async function recentEvents(db: DB, viewer: Viewer, connectionId: string, owned: SQL, kind: EventKind, limit: number, since?: SQL): Promise<ActivityItem[]> {
  const rows = await eventsQuery(db, viewer, connectionId, and(owned, isNull(syncEvents.resolvedAt), since)!, kind, limit);
  return rows.map(asActivity);
}

/** The persons of a connection whose create a crash cut short (see db/queries/sync/links.ts). */
export async function listUnconfirmedCreates(db: DB, viewer: Viewer, connectionId: string): Promise<{ personId: string; name: string }[]> {
  if (!isUuid(connectionId)) return [];
  return db
    .select({ personId: persons.id, name: sql<string>`trim(${persons.firstName} || ' ' || ${persons.lastName})` })
    .from(syncLinks)
    .innerJoin(syncConnections, eq(syncConnections.id, syncLinks.connectionId))
    .innerJoin(persons, eq(persons.id, syncLinks.personId))
    .where(and(eq(syncLinks.connectionId, connectionId), eq(syncConnections.userId, viewer.id), inState("unconfirmed"), personAccessWhere(viewer)))
    .orderBy(persons.lastName, persons.firstName)
    .limit(50);
}

export type PersonSyncHistory = {
  /** Address books of other users that link the person: counted, never named (they are private). */
  otherLinks: number;
  links: { connectionId: string; provider: Provider; accountEmail: string; groupName: string | null }[];
  events: (Pick<SyncEvent, "id" | "kind" | "side" | "changes" | "detail" | "createdAt"> & { provider: Provider; accountEmail: string })[];
};

/** Which of the viewer's connections a person is linked to and what they did to it — for a
 * person the viewer may see (null otherwise). Other users' address books stay theirs: only how
 * many link the person is told, not which accounts, and none of their events (conflict values
 * come from those private address books). */
export async function personSyncHistory(db: DB, viewer: Viewer, personId: string): Promise<PersonSyncHistory | null> {
  const person = await getPersonById(db, viewer, personId);
  if (!person) return null;
  const mine = eq(syncConnections.userId, viewer.id);
  const [links, events, [others]] = await Promise.all([
    db
      .select({
        connectionId: syncConnections.id,
        provider: syncConnections.provider,
        accountEmail: syncConnections.accountEmail,
        groupName: syncConnections.groupName,
      })
      .from(syncLinks)
      .innerJoin(syncConnections, eq(syncConnections.id, syncLinks.connectionId))
      .where(and(eq(syncLinks.personId, personId), mine)),
    db
      .select({
        id: syncEvents.id,
        kind: syncEvents.kind,
        side: syncEvents.side,
        changes: syncEvents.changes,
        detail: syncEvents.detail,
        createdAt: syncEvents.createdAt,
        provider: syncConnections.provider,
        accountEmail: syncConnections.accountEmail,
      })
      .from(syncEvents)
      .innerJoin(syncConnections, eq(syncConnections.id, syncEvents.connectionId))
      .where(and(eq(syncEvents.personId, personId), mine))
      .orderBy(desc(syncEvents.createdAt))
      .limit(100),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(syncLinks)
      .innerJoin(syncConnections, eq(syncConnections.id, syncLinks.connectionId))
      .where(and(eq(syncLinks.personId, personId), ne(syncConnections.userId, viewer.id))),
  ]);
  return { links, events, otherLinks: Number(others?.n ?? 0) };
}
