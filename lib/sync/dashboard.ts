// The read side of contact sync for the UI: a user's connections with their status and
// figures, recent activity, activity per day, and a person's sync history. Every function
// takes the viewer and only returns what is theirs (connections) or what they may see
// (persons, through the visibility predicate).
import { and, desc, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { getPersonById } from "@/db/queries/persons";
import type { Viewer } from "@/db/queries/visibility";
import { persons, syncConnections, syncEvents, syncLinks, syncRuns, type EventKind, type SyncConnection, type SyncEvent } from "@/db/schema";

export type ConnectionSummary = Omit<SyncConnection, "tokens" | "cursor" | "leaseOwner"> & {
  /** A run was asked for, or a worker has claimed the connection and is starting it. */
  waiting: boolean;
  inSync: number;
  heldDeletions: number;
  running: { runId: string; processed: number; total: number | null; startedAt: Date } | null;
  lastRun: { outcome: string; finishedAt: Date | null; counts: Record<string, number>; error: string | null } | null;
};

/** The connection if it belongs to the viewer, else null (someone else's reads as missing). */
export async function getOwnConnection(db: DB, viewer: Viewer, connectionId: string): Promise<SyncConnection | null> {
  if (!/^[0-9a-f-]{36}$/i.test(connectionId)) return null;
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

export async function listConnectionSummaries(db: DB, viewer: Viewer): Promise<ConnectionSummary[]> {
  const conns = await db.select().from(syncConnections).where(eq(syncConnections.userId, viewer.id)).orderBy(syncConnections.createdAt);
  if (conns.length === 0) return [];
  const ids = conns.map((c) => c.id);
  const [linkCounts, held, runs] = await Promise.all([
    db
      .select({ id: syncLinks.connectionId, n: sql<number>`count(*)::int` })
      .from(syncLinks)
      .where(and(inArray(syncLinks.connectionId, ids), sql`${syncLinks.providerId} not like 'pending:%'`))
      .groupBy(syncLinks.connectionId),
    db
      .select({ id: syncEvents.connectionId, n: sql<number>`count(*)::int` })
      .from(syncEvents)
      .where(and(inArray(syncEvents.connectionId, ids), eq(syncEvents.kind, "held_deletion"), isNull(syncEvents.resolvedAt)))
      .groupBy(syncEvents.connectionId),
    db
      .selectDistinctOn([syncRuns.connectionId])
      .from(syncRuns)
      .where(inArray(syncRuns.connectionId, ids))
      .orderBy(syncRuns.connectionId, desc(syncRuns.startedAt)),
  ]);
  const count = (rows: { id: string; n: number }[], id: string) => rows.find((r) => r.id === id)?.n ?? 0;
  return conns.map((c) => {
    const latest = runs.find((r) => r.connectionId === c.id);
    const leaseLive = c.leaseUntil !== null && c.leaseUntil.getTime() > Date.now();
    const running = latest && latest.outcome === "running" && leaseLive ? latest : null;
    const finished = latest && latest.outcome !== "running" ? latest : null;
    return {
      ...publicPart(c),
      waiting: !running && (c.runRequestedAt !== null || leaseLive),
      inSync: count(linkCounts, c.id),
      heldDeletions: count(held, c.id),
      running: running ? { runId: running.id, processed: running.processed, total: running.total, startedAt: running.startedAt } : null,
      lastRun: finished
        ? { outcome: finished.outcome, finishedAt: finished.finishedAt, counts: finished.counts as Record<string, number>, error: finished.error }
        : null,
    };
  });
}

export type ActivityItem = Pick<SyncEvent, "id" | "kind" | "side" | "label" | "changes" | "detail" | "createdAt" | "personId" | "resolvedAt"> & {
  personVisible: boolean;
};

/** What the dashboard shows of one of the viewer's connections: the latest added, updated and
 * deleted contacts, and the activity per day. One ownership check for all of it. */
export async function connectionActivity(
  db: DB,
  viewer: Viewer,
  connectionId: string,
  opts: { limit?: number; days?: number; now?: Date } = {},
): Promise<{ added: ActivityItem[]; updated: ActivityItem[]; deleted: ActivityItem[]; days: DayActivity[] }> {
  const conn = await getOwnConnection(db, viewer, connectionId);
  const days = opts.days ?? 14;
  if (!conn) return { added: [], updated: [], deleted: [], days: emptyDays(days, opts.now) };
  const limit = opts.limit ?? 8;
  const [added, updated, deleted, perDay] = await Promise.all([
    eventsOf(db, conn.id, { kinds: ["added"], limit }),
    eventsOf(db, conn.id, { kinds: ["updated"], limit }),
    eventsOf(db, conn.id, { kinds: ["deleted"], limit }),
    daysOf(db, conn.id, days, opts.now),
  ]);
  return { added, updated, deleted, days: perDay };
}

async function eventsOf(db: DB, connectionId: string, opts: { kinds?: EventKind[]; limit?: number }): Promise<ActivityItem[]> {
  const rows = await db
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
      // A join, not EXISTS: the planner turns EXISTS into a hashed scan of every person.
      personLive: sql<boolean>`coalesce(${persons.deletedAt} is null and ${persons.id} is not null, false)`,
    })
    .from(syncEvents)
    .leftJoin(persons, eq(persons.id, syncEvents.personId))
    .where(and(eq(syncEvents.connectionId, connectionId), opts.kinds ? inArray(syncEvents.kind, opts.kinds) : undefined))
    .orderBy(desc(syncEvents.createdAt), desc(syncEvents.id))
    .limit(Math.min(opts.limit ?? 20, 200));
  return rows.map(({ personLive, ...r }) => ({ ...r, personVisible: personLive }));
}

export type DayActivity = { day: string; added: number; updated: number; deleted: number };

/** The last `days` days (UTC), oldest first, with nothing counted yet. */
function emptyDays(days: number, now = new Date()): DayActivity[] {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1));
  return Array.from({ length: days }, (_, i) => ({ day: new Date(start + i * 86_400_000).toISOString().slice(0, 10), added: 0, updated: 0, deleted: 0 }));
}

/** Added / updated / deleted contacts per day (both sides) for the last `days` days. */
async function daysOf(db: DB, connectionId: string, days: number, now = new Date()): Promise<DayActivity[]> {
  const out = emptyDays(days, now);
  const rows = await db
    .select({
      day: sql<string>`to_char(${syncEvents.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`,
      kind: syncEvents.kind,
      n: sql<number>`count(*)::int`,
    })
    .from(syncEvents)
    .where(and(eq(syncEvents.connectionId, connectionId), gte(syncEvents.createdAt, new Date(`${out[0]!.day}T00:00:00Z`)), inArray(syncEvents.kind, ["added", "updated", "deleted"])))
    .groupBy(sql`1`, syncEvents.kind);
  for (const r of rows) {
    const slot = out.find((d) => d.day === r.day);
    if (slot && (r.kind === "added" || r.kind === "updated" || r.kind === "deleted")) slot[r.kind] += r.n;
  }
  return out;
}

export type PersonSyncHistory = {
  links: { connectionId: string; provider: string; accountEmail: string; groupName: string | null }[];
  events: (Pick<SyncEvent, "id" | "kind" | "side" | "changes" | "detail" | "createdAt"> & { provider: string; accountEmail: string })[];
};

/** Which connections a person is linked to and what sync did to it — for a person the viewer
 * may see (null otherwise). */
export async function personSyncHistory(db: DB, viewer: Viewer, personId: string): Promise<PersonSyncHistory | null> {
  const person = await getPersonById(db, viewer, personId);
  if (!person) return null;
  const [links, events] = await Promise.all([
    db
      .select({
        connectionId: syncConnections.id,
        provider: syncConnections.provider,
        accountEmail: syncConnections.accountEmail,
        groupName: syncConnections.groupName,
      })
      .from(syncLinks)
      .innerJoin(syncConnections, eq(syncConnections.id, syncLinks.connectionId))
      .where(eq(syncLinks.personId, personId)),
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
      .where(eq(syncEvents.personId, personId))
      .orderBy(desc(syncEvents.createdAt))
      .limit(100),
  ]);
  return { links, events };
}
