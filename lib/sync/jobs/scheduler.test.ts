// The scheduler on a real database (PGlite, and a Postgres server when TEST_DATABASE_URL is
// set): what a claim takes, how requests coalesce, and the worker loop around the real engine
// with a stand-in provider that has nothing to sync.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { syncConnections, syncRuns, users, type SyncConnection } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { testDatabases } from "@/tests/kit/databases";
import { openSeeded } from "@/tests/kit/connect";
import { until } from "@/tests/kit/until";
import { createConnection } from "../accounts/connections";
import type { Logger } from "@/lib/logger";
import { acquireLease, releaseLease } from "./lease";
import type { ProviderAdapter } from "../model/provider";
import { claimNextConnection, requestSync, runWorker, startInProcessWorker, wakeWorkers, type WorkerOptions } from "./scheduler";

const HOUR = 3_600_000;

/** A provider with an empty address book; `hold` keeps a pull going until it resolves. */
function emptyProvider(hold?: () => Promise<void>): ProviderAdapter {
  return {
    provider: "google",
    project: (contact) => contact,
    listGroups: async () => [],
    async pull(_cursor, onPage) {
      await hold?.();
      await onPage({ items: [], next: null });
      return { cursor: "cursor", full: true };
    },
    fetchPhotos: async (items) => items.map(() => null),
    create: async () => [],
    update: async () => [],
    delete: async () => [],
  };
}

function recordingLogger() {
  const lines: { level: string; msg: string; data?: object }[] = [];
  const logger: Logger = {
    info: (msg, data) => void lines.push({ level: "info", msg, data }),
    warn: (msg, data) => void lines.push({ level: "warn", msg, data }),
    error: (msg, data) => void lines.push({ level: "error", msg, data }),
  };
  return { lines, logger };
}

describe.each(testDatabases())("scheduler on $name", ({ open }) => {
  let handle: DbHandle;
  let demo: SeededDemo;
  let n = 0;

  beforeAll(async () => {
    ({ handle, demo } = await openSeeded(open));
  });
  afterAll(async () => {
    await handle?.close();
  });
  // Connections of earlier tests stay out of the way of later claims.
  beforeEach(async () => {
    await handle.db.update(syncConnections).set({ status: "paused" });
  });

  /** A configured connection that has run before and is not due for an hour, unless `set` says otherwise. */
  async function connection(set: Partial<SyncConnection> = {}, groupId: string | null = "contactGroups/clients"): Promise<string> {
    const id = await createConnection(handle.db, {
      companyId: demo.companyId,
      userId: demo.users.east,
      provider: "google",
      accountEmail: `sched${++n}@example.com`,
      tokens: { accessToken: "unused" },
      groupId,
      direction: "one_way",
      visibility: "owner",
    });
    await handle.db
      .update(syncConnections)
      .set({ nextRunAt: new Date(Date.now() + HOUR), lastRunAt: new Date(), ...set })
      .where(eq(syncConnections.id, id));
    return id;
  }

  async function row(id: string) {
    const [conn] = await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id));
    return conn!;
  }

  async function dbNow(): Promise<Date> {
    const [r] = await handle.db.select({ now: sql<string>`now()::text` }).from(sql`(select 1) as one`);
    return new Date(r!.now);
  }

  const claim = () => claimNextConnection(handle.db, { intervalMs: HOUR });

  it("twenty concurrent sync-now requests coalesce into one waiting request, which one claim takes", async () => {
    const id = await connection();
    const answers = await Promise.all(Array.from({ length: 20 }, () => requestSync(handle.db, id)));
    expect(answers.filter((a) => !a.alreadyWaiting)).toHaveLength(1);
    expect((await row(id)).runRequestedAt).not.toBeNull();
    expect((await claim())?.connection.id).toBe(id);
    expect(await claim()).toBeNull();
  });

  it("sync now on an unknown connection is refused", async () => {
    await expect(requestSync(handle.db, "00000000-0000-0000-0000-000000000000")).rejects.toThrow(/No sync connection/);
  });

  it("a requested connection is claimed before an overdue one; the claim clears the request and moves the next run on by the interval", async () => {
    const overdue = await connection({ nextRunAt: new Date(Date.now() - 60_000) });
    const requested = await connection();
    const fresh = await connection({ lastRunAt: null, nextRunAt: new Date(Date.now() - 1_000) });
    await requestSync(handle.db, requested);
    const before = await dbNow();

    const first = await claim();
    expect(first).toMatchObject({ connection: { id: requested, runRequestedAt: null }, trigger: "manual" });
    expect(first!.requestedAt).toBeInstanceOf(Date);
    const second = await claim();
    expect(second).toMatchObject({ connection: { id: overdue }, trigger: "scheduled", requestedAt: null });
    const third = await claim();
    expect(third).toMatchObject({ connection: { id: fresh }, trigger: "initial" });
    expect(await claim()).toBeNull();

    const after = await dbNow();
    for (const id of [requested, overdue, fresh]) {
      const conn = await row(id);
      expect(conn.runRequestedAt).toBeNull();
      expect(conn.nextRunAt.getTime()).toBeGreaterThanOrEqual(before.getTime() + HOUR);
      expect(conn.nextRunAt.getTime()).toBeLessThanOrEqual(after.getTime() + HOUR);
    }
  });

  it("each connection's own interval moves its next run on; 'only on Refresh' is never due by the clock, yet a request is claimed", async () => {
    const every15 = await connection({ syncIntervalMinutes: 15, nextRunAt: new Date(Date.now() - 1_000) });
    const manual = await connection({ syncIntervalMinutes: 0, nextRunAt: new Date(Date.now() - 2_000) });
    const before = await dbNow();
    const ids = [(await claim())?.connection.id, (await claim())?.connection.id];
    expect(ids.sort()).toEqual([every15, manual].sort());
    const after = await dbNow();
    expect((await row(every15)).nextRunAt.getTime()).toBeGreaterThanOrEqual(before.getTime() + 15 * 60_000);
    expect((await row(every15)).nextRunAt.getTime()).toBeLessThanOrEqual(after.getTime() + 15 * 60_000);
    expect((await row(manual)).nextRunAt.getTime()).toBeGreaterThan(after.getTime() + 90 * 365 * 24 * HOUR);
    await handle.db.update(syncConnections).set({ leaseOwner: null, leaseUntil: null }).where(inArray(syncConnections.id, [every15, manual]));
    expect(await claim()).toBeNull();
    await requestSync(handle.db, manual);
    expect(await claim()).toMatchObject({ connection: { id: manual }, trigger: "manual" });
  });

  it("leased, paused, reconnect-needed, held and unconfigured connections are not claimed; a failed one and a lapsed lease are", async () => {
    const due = { nextRunAt: new Date(Date.now() - 1_000) };
    const skipped = [
      await connection({ ...due, leaseOwner: "run-elsewhere", leaseUntil: new Date(Date.now() + 60_000) }),
      await connection({ ...due, status: "paused" }),
      await connection({ ...due, status: "reconnect_needed" }),
      await connection({ ...due, status: "needs_confirmation" }),
      await connection(due, null),
    ];
    for (const id of skipped) await requestSync(handle.db, id);
    const failedLastTime = await connection({ ...due, status: "error" });
    const lapsed = await connection({ ...due, leaseOwner: "dead-run", leaseUntil: new Date(Date.now() - 1_000) });

    const claimed = [await claim(), await claim(), await claim()];
    expect(claimed.map((c) => c?.connection.id ?? null).sort()).toEqual([failedLastTime, lapsed, null].sort());
    for (const id of skipped) expect((await row(id)).runRequestedAt).not.toBeNull();
  });

  it("a request made while the connection runs waits for the lease to be released, then is claimed once", async () => {
    const id = await connection();
    expect(await acquireLease(handle.db, id, "running-run")).toBe(true);
    await requestSync(handle.db, id);
    expect(await claim()).toBeNull();
    await releaseLease(handle.db, id, "running-run");
    expect((await claim())?.connection.id).toBe(id);
    expect(await claim()).toBeNull();
  });

  it("concurrent claimers never get the same connection", async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => connection()));
    for (let round = 0; round < 3; round++) {
      // Due again, and the previous round's runs over (a claim leases the connection for its run).
      await handle.db
        .update(syncConnections)
        .set({ nextRunAt: new Date(Date.now() - 1_000), leaseOwner: null, leaseUntil: null })
        .where(eq(syncConnections.status, "active"));
      const claims = await Promise.all(Array.from({ length: 16 }, () => claim()));
      const got = claims.flatMap((c) => (c ? [c.connection.id] : []));
      expect(new Set(got).size).toBe(got.length);
      // A claimer may come back empty while others hold row locks; none is claimed twice, and
      // whatever is left is still there for the next claim.
      while (got.length < ids.length) {
        const more = await claim();
        if (!more) break;
        got.push(more.connection.id);
      }
      expect(got.sort()).toEqual([...ids].sort());
    }
  });

  describe("the worker loop", () => {
    const stops: (() => void)[] = [];
    // A test that fails midway must not leave its worker taking the next test's connections.
    afterEach(() => {
      for (const stop of stops.splice(0)) stop();
    });

    /** A worker with test-sized defaults; stop() aborts it and waits for its runs in progress. */
    function startWorker(opts: Partial<WorkerOptions> = {}) {
      const controller = new AbortController();
      stops.push(() => controller.abort());
      const done = runWorker({ db: handle.db, intervalMs: HOUR, pollMs: HOUR, adapterFor: async () => emptyProvider(), ...opts, signal: controller.signal });
      return {
        stop: async () => {
          controller.abort();
          await done;
        },
      };
    }

    const runsOf = (id: string) => handle.db.select().from(syncRuns).where(eq(syncRuns.connectionId, id)).orderBy(desc(syncRuns.startedAt));
    const finishedRuns = async (id: string, count: number) => {
      const runs = (await runsOf(id)).filter((r) => r.finishedAt);
      return runs.length >= count ? runs : null;
    };

    it("sync now wakes an idle worker of this process at once instead of at its next poll", async () => {
      const id = await connection();
      const worker = startWorker();
      await requestSync(handle.db, id);
      await until(() => finishedRuns(id, 1), { what: "the first run" });
      // The worker has gone idle (or is about to); only a wake-up can bring the second run in time.
      await requestSync(handle.db, id);
      const runs = await until(() => finishedRuns(id, 2), { timeoutMs: 5_000, what: "the second run" });
      expect(runs.map((r) => r.outcome)).toEqual(["succeeded", "succeeded"]);
      expect(runs.map((r) => r.trigger)).toEqual(["manual", "manual"]);
      await worker.stop();
    });

    it("a deactivated user's connection, or one whose user lost the permissions, pauses at its next claim, saying why, and stays paused", async () => {
      const userOf = async (name: string) =>
        (await handle.db.insert(users).values({ companyId: demo.companyId, name, email: `${name}${++n}@acme.test`, passwordHash: "x" }).returning({ id: users.id }))[0]!.id;
      const leaver = await userOf("leaver");
      const demoted = await userOf("demoted");
      const gone = await connection({ userId: leaver });
      const limited = await connection({ userId: demoted });
      await handle.db.update(users).set({ active: false }).where(eq(users.id, leaver));
      await handle.db.update(users).set({ canAddOrganizations: false }).where(eq(users.id, demoted));
      const worker = startWorker({ pollMs: 50 });
      await requestSync(handle.db, gone);
      await requestSync(handle.db, limited);
      const status = async (id: string) => (await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id)))[0]!;
      await until(async () => (await status(gone)).status === "paused" && (await status(limited)).status === "paused", { what: "both to pause" });
      expect((await status(gone)).lastError).toMatch(/the user was deactivated/);
      expect((await status(limited)).lastError).toMatch(/no longer has both the "add persons" and "add organizations" permissions/);
      expect(await runsOf(gone)).toHaveLength(0);
      expect(await runsOf(limited)).toHaveLength(0);
      // Back in the company: nothing resumes by itself.
      await handle.db.update(users).set({ active: true, canAddOrganizations: true }).where(inArray(users.id, [leaver, demoted]));
      await requestSync(handle.db, gone);
      expect(await claimNextConnection(handle.db, { intervalMs: HOUR })).toBeNull();
      expect((await status(gone)).status).toBe("paused");
      await worker.stop();
    });

    it("a run that throws is logged and the worker goes on with the next connection", async () => {
      const broken = await connection();
      const fine = await connection();
      const { lines, logger } = recordingLogger();
      const worker = startWorker({
        pollMs: 50,
        concurrency: 1,
        logger,
        adapterFor: async (conn) => {
          if (conn.id === broken) throw new Error("no adapter for you");
          return emptyProvider();
        },
      });
      await requestSync(handle.db, broken);
      await until(async () => lines.some((l) => l.msg === "sync run crashed"), { what: "the crash to be logged" });
      await requestSync(handle.db, fine);
      const [run] = await until(() => finishedRuns(fine, 1), { what: "the next connection's run" });
      expect(run!.outcome).toBe("succeeded");
      await worker.stop();
      expect(lines.find((l) => l.msg === "sync run crashed")?.data).toMatchObject({ connectionId: broken, error: "no adapter for you" });
      expect(lines.filter((l) => l.msg === "sync run")).toEqual([expect.objectContaining({ data: expect.objectContaining({ connectionId: fine, outcome: "succeeded", trigger: "manual" }) })]);
    });

    it("a request whose run finds the connection busy is given back and runs once the lease is free", async () => {
      const id = await connection();
      const { lines, logger } = recordingLogger();
      let raced = false;
      const worker = startWorker({
        logger,
        adapterFor: async () => {
          // The claim's lease is taken away before the run starts (an operator's `npm run sync`
          // forcing it, say): the run finds the connection busy.
          if (!raced) {
            await handle.db
              .update(syncConnections)
              .set({ leaseOwner: "other-worker", leaseUntil: new Date(Date.now() + 60_000) })
              .where(eq(syncConnections.id, id));
            raced = true;
          }
          return emptyProvider();
        },
      });
      await requestSync(handle.db, id);
      await until(async () => lines.some((l) => l.msg === "sync run skipped"), { what: "the busy run" });
      expect((await row(id)).runRequestedAt).not.toBeNull();
      expect(await runsOf(id)).toHaveLength(0);
      await releaseLease(handle.db, id, "other-worker");
      wakeWorkers();
      const [run] = await until(() => finishedRuns(id, 1), { what: "the given-back request's run" });
      expect(run).toMatchObject({ outcome: "succeeded", trigger: "manual" });
      await worker.stop();
    });

    it("stopping lets the run in progress finish, then the worker ends", async () => {
      const id = await connection();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let pulling = false;
      const worker = startWorker({
        adapterFor: async () =>
          emptyProvider(() => {
            pulling = true;
            return held;
          }),
      });
      await requestSync(handle.db, id);
      await until(async () => pulling, { what: "the run to start" });
      const stopped = worker.stop();
      let ended = false;
      void stopped.then(() => (ended = true));
      await until(async () => (await runsOf(id)).length === 1, { what: "the run row" });
      expect(ended).toBe(false);
      release();
      await stopped;
      const [run] = await runsOf(id);
      expect(run).toMatchObject({ outcome: "succeeded" });
      expect(run!.finishedAt).not.toBeNull();
      expect((await row(id)).leaseOwner).toBeNull();
    });

    it("one in-process worker per process: starting it again returns the running one", async () => {
      const id = await connection();
      const options = { db: handle.db, intervalMs: HOUR, pollMs: HOUR, adapterFor: async () => emptyProvider(), logger: recordingLogger().logger };
      const first = startInProcessWorker(options);
      stops.push(() => void first.stop());
      expect(startInProcessWorker({ ...options, workerId: "second" })).toBe(first);
      await requestSync(handle.db, id);
      await until(() => finishedRuns(id, 1), { what: "the in-process worker's run" });
      await first.stop();
      const next = startInProcessWorker(options);
      stops.push(() => void next.stop());
      expect(next).not.toBe(first);
      await next.stop();
      const open = await handle.db.select().from(syncRuns).where(and(eq(syncRuns.connectionId, id), eq(syncRuns.outcome, "running")));
      expect(open).toHaveLength(0);
    });
  });
});
