// The live-sync world of the latency benchmark (bench/latency.ts): a fresh database with the demo
// company, books at the benchmark's provider connected to it, the app's sync worker running in
// this process (as the app runs it: woken by this process's requests, and polling), and, for
// Graph, our notification routes served from a plain HTTP server (the Next routes are thin
// wrappers around lib/sync/live/receive.ts; tests/sync/notifications.integration.test.ts does
// the same).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { RUNNABLE_STATUSES } from "@/db/queries/sync/connection-status";
import { getViewer } from "@/db/queries/users";
import { syncConnections, syncRuns, syncSubscriptions } from "@/db/schema";
import { seedDemo, type SeededDemo } from "@/db/seed";
import { setPaused } from "@/lib/sync/accounts/manage";
import { runWorker, type WorkerOptions } from "@/lib/sync/jobs/scheduler";
import { answerChangeNotifications, answerLifecycleNotifications, readNotificationBody } from "@/lib/sync/live/receive";
import { openCardDavAddressBook } from "@/lib/sync/providers/carddav/test-kit";
import type { Logger } from "@/lib/logger";
import { openAddressBook, type AddressBook, type BookContact } from "@/tests/kit/address-book";
import { adapterFor, connectBook } from "@/tests/kit/connect";
import { until } from "@/tests/kit/until";
import { freshDatabase, openPlain, type DbKind } from "./db";
import type { EmulatorHandle } from "./emulator";

export type LiveDb = { db: DB; demo: SeededDemo; close: () => Promise<void> };

/** A new, migrated database with the demo company (dropped on close). */
export async function openLiveDb(kind: DbKind, pgUrl: string | undefined): Promise<LiveDb> {
  const { target, drop } = await freshDatabase(kind, pgUrl);
  const handle = await openPlain(target);
  const demo = await seedDemo(handle.db);
  return {
    db: handle.db,
    demo,
    close: async () => {
      await handle.close();
      await drop();
    },
  };
}

export type Receiver = { target: () => { notificationUrl: string; lifecycleUrl: string }; close: () => Promise<void> };

/** Our notification routes on 127.0.0.1 (the emulator accepts http on loopback only). */
export async function startReceiver(db: () => DB): Promise<Receiver> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const request = new Request(url, { method: "POST", headers: req.headers as Record<string, string>, body: Readable.toWeb(req) as ReadableStream, duplex: "half" } as RequestInit);
      const body = url.searchParams.has("validationToken") ? "" : await readNotificationBody(request);
      const answer = url.pathname.endsWith("/lifecycle") ? answerLifecycleNotifications : answerChangeNotifications;
      // (A body left unread: the connection cannot carry another request.)
      const result = body === null ? { status: 413, body: "", headers: { connection: "close" } } : await answer(db(), url, body);
      res.writeHead(result.status, result.headers).end(result.body);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    target: () => ({ notificationUrl: `${root}/api/sync/notifications`, lifecycleUrl: `${root}/api/sync/notifications/lifecycle` }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export type LiveWorker = {
  stop: () => Promise<void>;
  problems: string[];
  /** Claims that went on to the provider's adapter (a run, or a check), by connection. */
  claims: Map<string, number>;
};

/** The app's worker (runWorker, its default concurrency and production retries) against the
 * benchmark's emulator; warnings and errors are kept (a benchmark that hides them measures
 * nothing). */
export function startLiveWorker(opts: {
  db: DB;
  emu: EmulatorHandle;
  intervalMs: number;
  pollMs?: number;
  checkIntervalMs?: number;
  receiver: Receiver | null;
}): LiveWorker {
  const problems: string[] = [];
  const claims = new Map<string, number>();
  const keep = (level: string) => (msg: string, data?: object) => void problems.push(`${level}: ${msg} ${JSON.stringify(data ?? {})}`);
  const logger: Logger = { info() {}, warn: keep("warn"), error: keep("error") };
  const controller = new AbortController();
  const options: WorkerOptions = {
    db: opts.db,
    workerId: "bench-latency",
    intervalMs: opts.intervalMs,
    pollMs: opts.pollMs,
    checkIntervalMs: opts.checkIntervalMs,
    signal: controller.signal,
    adapterFor: (conn) => {
      claims.set(conn.id, (claims.get(conn.id) ?? 0) + 1);
      return adapterFor(opts.db, conn, opts.emu.url);
    },
    logger,
    notificationTarget: () => opts.receiver?.target() ?? null,
  };
  const done = runWorker(options);
  return {
    problems,
    claims,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/** A new account at the provider with a group "Clients" of these contacts. */
export async function newBook(emu: EmulatorHandle, email: string, contacts: BookContact[]): Promise<{ book: AddressBook; ids: string[] }> {
  const book = emu.dav
    ? await openCardDavAddressBook({ url: emu.url, email, group: "Clients", password: `pw-${email}`, create: true, server: emu.dav.server, proxy: emu.dav.proxy })
    : await openAddressBook({ provider: emu.provider, url: emu.url, email, group: "Clients", create: true });
  const ids: string[] = [];
  for (const c of contacts) ids.push(await book.add(c));
  return { book, ids };
}

/** Connects each book (two-way, owner only) for the user, and waits for every first run to end
 * (and, where the provider notifies, for its subscription). */
export async function connectAndSync(live: LiveDb, books: AddressBook[], user: keyof SeededDemo["users"], opts: { subscribed: boolean }): Promise<string[]> {
  const ids: string[] = [];
  for (const book of books) ids.push(await connectBook(live.db, live.demo, book, { user }));
  await until(
    async () => {
      const c = syncConnections;
      const [row] = await live.db
        .select({ n: sql<number>`count(*)::int` })
        .from(c)
        .where(and(inArray(c.id, ids), sql`${c.lastRunAt} is not null`, isNull(c.leaseOwner), isNull(c.runRequestedAt)));
      if ((row?.n ?? 0) < ids.length) return false;
      if (!opts.subscribed) return true;
      const subs = await live.db.select({ id: syncSubscriptions.connectionId }).from(syncSubscriptions).where(inArray(syncSubscriptions.connectionId, ids));
      return subs.length === ids.length;
    },
    { timeoutMs: 120_000, everyMs: 100, what: "the first runs" },
  );
  return ids;
}

/** Pauses every runnable connection, as its user would (a Graph subscription is removed at the
 * emulator): the next phase's worker sees only its own. */
export async function pauseAll(db: DB, emu: EmulatorHandle): Promise<void> {
  const c = syncConnections;
  const rows = await db.select({ id: c.id, userId: c.userId }).from(c).where(inArray(c.status, [...RUNNABLE_STATUSES]));
  for (const { id, userId } of rows) await setPaused(db, (await getViewer(db, userId))!, id, true, { apiBaseUrl: `${emu.url}/` });
}

/** Nothing waiting, nothing running. */
export async function isIdle(db: DB, connectionId: string): Promise<boolean> {
  const [c] = await db.select({ requested: syncConnections.runRequestedAt, lease: syncConnections.leaseOwner }).from(syncConnections).where(eq(syncConnections.id, connectionId));
  return !!c && !c.requested && !c.lease;
}

/** The runs of these connections since `since`: how many, by trigger, and their median length. */
export async function runsSince(db: DB, connectionIds: string[], since: Date): Promise<{ runs: number; byTrigger: Record<string, number>; medianMs: number | null; failed: number }> {
  const rows = await db
    .select({ trigger: syncRuns.trigger, startedAt: syncRuns.startedAt, finishedAt: syncRuns.finishedAt, outcome: syncRuns.outcome })
    .from(syncRuns)
    .where(and(inArray(syncRuns.connectionId, connectionIds), sql`${syncRuns.startedAt} >= ${since.toISOString()}::timestamptz`));
  const byTrigger: Record<string, number> = {};
  for (const r of rows) byTrigger[r.trigger] = (byTrigger[r.trigger] ?? 0) + 1;
  const ms = rows
    .filter((r) => r.finishedAt)
    .map((r) => r.finishedAt!.getTime() - r.startedAt.getTime())
    .sort((a, b) => a - b);
  return { runs: rows.length, byTrigger, medianMs: ms.length > 0 ? ms[Math.floor(ms.length / 2)]! : null, failed: rows.filter((r) => r.outcome === "failed").length };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
