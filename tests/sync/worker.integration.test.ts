// Background sync workers end to end: the real engine and scheduler, the Google emulator, a real
// database. In-process workers on PGlite (and a Postgres server when TEST_DATABASE_URL is set);
// worker processes sharing a Postgres server when it is set.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "@/db/client";
import { personPictures, persons, syncConnections, syncLinks, syncRuns } from "@/db/schema";
import { seedDemo, type SeededDemo } from "@/db/seed";
import { setConfig } from "@/emulators";
import { LEASE_MS } from "@/lib/sync/jobs/lease";
import type { ProviderId } from "@/db/vocabulary";
import { claimNextConnection, requestSync, runWorker, type WorkerOptions } from "@/lib/sync/jobs/scheduler";
import { testDatabases } from "@/tests/kit/databases";
import { PNG } from "@/tests/kit/address-book";
import { adapterFor as kitAdapterFor, connectBook, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { EMULATED, startTestEmulator, type TestEmulator } from "@/tests/kit/emulators";
import { afterFirstPage, stopDead } from "./fixtures/first-page-hook";
import { until } from "@/tests/kit/until";

const HOUR = 3_600_000;
const PAGE_SIZE = 10;

/** A world to sync in: an emulator, a database with the demo company, and helpers on them. */
function syncWorld(open: () => Promise<DbHandle>, provider: ProviderId = "google") {
  const world = {} as { emu: TestEmulator; handle: DbHandle; demo: SeededDemo };
  let counter = 0;

  beforeAll(async () => {
    [world.emu, { handle: world.handle, demo: world.demo }] = await Promise.all([startTestEmulator(provider), openSeeded(open)]);
  });
  afterAll(async () => {
    await Promise.all([world.emu?.close(), world.handle?.close()]);
  });

  /** An address book with `contacts` contacts (family name unique to it) and its connection, not due for an hour. */
  async function connect(contacts: number) {
    const email = `worker${++counter}-${Date.now()}@example.com`;
    const family = `Family${counter}x${Date.now()}`;
    const book = await world.emu.addressBook(email, "Clients");
    for (let i = 0; i < contacts; i++) await book.add({ given: `Person${i}`, family, email: `p${i}.${email}` });
    const id = await connectBook(world.handle.db, world.demo, book);
    await world.handle.db.update(syncConnections).set({ nextRunAt: new Date(Date.now() + HOUR) }).where(eq(syncConnections.id, id));
    return { id, family, contacts, book, accessToken: book.accessToken };
  }

  const adapterFor = (pageSize = PAGE_SIZE) => (conn: typeof syncConnections.$inferSelect) =>
    kitAdapterFor(world.handle.db, conn, world.emu.url, { retry: FAST_RETRY, pageSize });

  // A test that fails midway must not leave its workers taking the next test's connections.
  const aborts: AbortController[] = [];
  afterEach(() => {
    for (const controller of aborts.splice(0)) controller.abort();
  });

  /** An in-process worker; stop() waits for its runs in progress. */
  function startWorker(opts: Partial<WorkerOptions> = {}) {
    const controller = new AbortController();
    aborts.push(controller);
    const done = runWorker({ db: world.handle.db, intervalMs: HOUR, pollMs: 50, adapterFor: adapterFor(), ...opts, signal: controller.signal });
    return {
      stop: async () => {
        controller.abort();
        await done;
      },
    };
  }

  const row = async (id: string) => (await world.handle.db.select().from(syncConnections).where(eq(syncConnections.id, id)))[0]!;
  const runsOf = (id: string) => world.handle.db.select().from(syncRuns).where(eq(syncRuns.connectionId, id)).orderBy(asc(syncRuns.startedAt));

  /** Nothing waiting, nothing running, and at least one run finished. Momentary: a worker may be
   * between a claim and its run, so callers stop the workers before asserting on the end state. */
  async function settled(id: string) {
    const [conn, runs] = await Promise.all([row(id), runsOf(id)]);
    return !conn.runRequestedAt && !conn.leaseOwner && runs.length > 0 && runs.every((r) => r.finishedAt);
  }

  /** The end state every scenario must reach: each contact once, as one live linked person. */
  async function expectEveryContactOnce(c: { id: string; family: string; contacts: number }) {
    const linked = await world.handle.db.select({ personId: syncLinks.personId }).from(syncLinks).where(eq(syncLinks.connectionId, c.id));
    const people = await world.handle.db
      .select({ id: persons.id, firstName: persons.firstName })
      .from(persons)
      .where(and(eq(persons.companyId, world.demo.companyId), eq(persons.lastName, c.family), isNull(persons.deletedAt)));
    expect(people).toHaveLength(c.contacts);
    expect(new Set(people.map((p) => p.firstName)).size).toBe(c.contacts);
    expect(linked.map((l) => l.personId).sort()).toEqual(people.map((p) => p.id).sort());
  }

  /** Runs of one connection, by start: each ends before the next starts. */
  function expectNoOverlap(runs: { startedAt: Date; finishedAt: Date | null }[]) {
    for (const [i, run] of runs.entries()) {
      expect(run.finishedAt).not.toBeNull();
      const next = runs[i + 1];
      if (next) expect(run.finishedAt!.getTime()).toBeLessThanOrEqual(next.startedAt.getTime());
    }
  }

  return { world, connect, adapterFor, startWorker, row, runsOf, settled, expectEveryContactOnce, expectNoOverlap };
}

/** A run a dead worker left open, as the next worker closes it: interrupted, when it stopped. */
function expectClosedAsInterrupted(dead: typeof syncRuns.$inferSelect | undefined, rescue: typeof syncRuns.$inferSelect | undefined) {
  expect(dead).toMatchObject({ outcome: "interrupted", error: expect.stringMatching(/Interrupted/) });
  expect(dead!.finishedAt!.getTime()).toBeLessThanOrEqual(rescue!.startedAt.getTime());
  expect(rescue).toMatchObject({ trigger: "resume" });
}

describe.each(testDatabases())("workers on $name", ({ open }) => {
  const { world, connect, adapterFor, startWorker, row, runsOf, settled, expectEveryContactOnce, expectNoOverlap } = syncWorld(open);

  it("20 concurrent sync-now requests while two workers run: one run at a time, at most one extra run, no duplicate persons", async () => {
    const c = await connect(30);
    const workers = [startWorker({ workerId: "a", concurrency: 2 }), startWorker({ workerId: "b", concurrency: 2 })];
    await Promise.all(Array.from({ length: 20 }, () => requestSync(world.handle.db, c.id)));
    await until(() => settled(c.id), { timeoutMs: 20_000, what: "the requested runs" });
    await Promise.all(workers.map((w) => w.stop()));

    const runs = await runsOf(c.id);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(2);
    expectNoOverlap(runs);
    expect(runs.map((r) => r.outcome)).toEqual(runs.map(() => "succeeded"));
    expect(runs.reduce((sum, r) => sum + r.counts.crmAdded, 0)).toBe(30);
    await expectEveryContactOnce(c);
  });

  it("the worker fetches the photos a run noted, after the run", async () => {
    const c = await connect(3);
    const [first] = [...(await c.book.list()).keys()];
    await c.book.setPhoto(first!, PNG);
    const worker = startWorker({ workerId: "photos" });
    await requestSync(world.handle.db, c.id);
    const pictures = () =>
      world.handle.db
        .select({ data: personPictures.data })
        .from(personPictures)
        .innerJoin(syncLinks, eq(syncLinks.personId, personPictures.personId))
        .where(eq(syncLinks.connectionId, c.id));
    const backlog = () => world.handle.db.select().from(syncLinks).where(and(eq(syncLinks.connectionId, c.id), sql`${syncLinks.photoUrl} is not null`));
    await until(async () => (await settled(c.id)) && (await backlog()).length === 0, { what: "the run and its photos" });
    await worker.stop();
    expect((await pictures()).map((p) => p.data.equals(PNG))).toEqual([true]);
    expect((await runsOf(c.id)).map((r) => r.counts.crmAdded)).toEqual([3]);
  });

  it("20 sync-now requests during a run leave that run alone and bring exactly one more run", async () => {
    const c = await connect(30);
    let reached = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const hooked = adapterFor();
    const workers = ["a", "b"].map((workerId) =>
      startWorker({ workerId, concurrency: 2, adapterFor: async (conn) => afterFirstPage(await hooked(conn), () => ((reached = true), gate)) }),
    );
    await requestSync(world.handle.db, c.id);
    await until(async () => reached, { what: "the first run to be under way" });
    const answers = await Promise.all(Array.from({ length: 20 }, () => requestSync(world.handle.db, c.id)));
    expect(answers.filter((a) => !a.alreadyWaiting)).toHaveLength(1);
    release();
    await until(async () => (await settled(c.id)) && (await runsOf(c.id)).length === 2, { what: "the follow-up run" });
    await Promise.all(workers.map((w) => w.stop()));

    const runs = await runsOf(c.id);
    expect(runs.map((r) => [r.trigger, r.outcome, r.counts.crmAdded])).toEqual([
      ["initial", "succeeded", 30],
      ["manual", "succeeded", 0],
    ]);
    expectNoOverlap(runs);
    await expectEveryContactOnce(c);
  });

  // In one process a worker cannot be killed, but it can stop dead: its run stops for good right
  // after committing a page, so it never renews the lease, stores the cursor or closes its run.
  it("a worker that stops dead mid-run keeps the connection until its lease lapses; then another worker completes the work", async () => {
    const c = await connect(30);
    let stopped = false;
    const frozen = startWorker({ workerId: "frozen", concurrency: 1, adapterFor: async (conn) => afterFirstPage(await adapterFor()(conn), stopDead(() => (stopped = true))) });
    await requestSync(world.handle.db, c.id);
    await until(async () => stopped, { what: "the first page" });
    // Stopping only stops claiming: its run in progress never ends, so it is not awaited.
    void frozen.stop();

    const [dead] = await runsOf(c.id);
    expect(dead).toMatchObject({ outcome: "running", processed: PAGE_SIZE });
    expect((await row(c.id)).leaseUntil!.getTime()).toBeGreaterThan(Date.now());
    // While the lease is live, no worker may take the connection, even on request.
    await requestSync(world.handle.db, c.id);
    expect(await claimNextConnection(world.handle.db, { intervalMs: HOUR })).toBeNull();

    // Time passes: the lease (60 s) lapses. We move its deadline rather than wait.
    await world.handle.db.update(syncConnections).set({ leaseUntil: sql`now() - interval '1 second'` }).where(eq(syncConnections.id, c.id));
    const rescuer = startWorker({ workerId: "rescuer" });
    await until(() => settled(c.id), { what: "the rescuing run" });
    await rescuer.stop();

    const [closed, rescue, ...more] = await runsOf(c.id);
    expect(more).toHaveLength(0);
    // It resumes the interrupted initial sync where it stopped.
    expect(rescue).toMatchObject({ outcome: "succeeded", trigger: "resume" });
    expect(rescue!.counts.crmAdded).toBe(30 - PAGE_SIZE);
    expectClosedAsInterrupted(closed, rescue);
    expect((await row(c.id)).cursor).not.toBeNull();
    await expectEveryContactOnce(c);
  });
});

/** A child process running a TypeScript entry point, with its stdout lines. */
type Child = { proc: ChildProcess; lines: string[]; line(match: RegExp, timeoutMs?: number): Promise<string>; exit: Promise<{ code: number | null; signal: string | null }> };

const children: Child[] = [];

function startChild(script: string, args: string[], env: Record<string, string>): Child {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "TEST_DATABASE_URL"]) delete childEnv[key];
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: process.cwd(), env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let stderr = "";
  readline.createInterface({ input: proc.stdout! }).on("line", (l) => lines.push(l));
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  const child: Child = {
    proc,
    lines,
    exit,
    line: (match, timeoutMs = 20_000) =>
      until(
        async () => {
          const found = lines.find((l) => match.test(l));
          if (!found && proc.exitCode !== null) throw new Error(`${script} exited with ${proc.exitCode}: ${stderr}`);
          return found;
        },
        { timeoutMs, what: `${script} to print ${match}` },
      ),
  };
  children.push(child);
  return child;
}

const serverDb = testDatabases().find((d) => d.name === "postgres");

/** The URL of a test's own database on the server. */
async function databaseUrlOf(handle: DbHandle): Promise<string> {
  const [r] = await handle.db.select({ name: sql<string>`current_database()` }).from(sql`(select 1) as one`);
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${r!.name}`;
  return url.toString();
}

describe.skipIf(!serverDb).each(EMULATED)("a worker process killed mid-run, with $name", ({ name: provider }) => {
  const { world, connect, row, runsOf, settled, expectEveryContactOnce } = syncWorld(() => serverDb!.open(), provider);
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill("SIGKILL");
  });

  it("is taken over as soon as its lease lapses, and the listing goes on from the committed page: every contact once", async () => {
    const c = await connect(30);
    const databaseUrl = await databaseUrlOf(world.handle);
    const env = { WORKER_DATABASE_URL: databaseUrl, API_BASE_URL: `${world.emu.url}/` };
    const stalling = startChild("tests/sync/fixtures/worker-process.ts", [], { ...env, STALL: "1" });
    await stalling.line(/^ready$/);
    await requestSync(world.handle.db, c.id);
    await stalling.line(/^page-committed$/);
    stalling.proc.kill("SIGKILL");
    expect(await stalling.exit).toMatchObject({ signal: "SIGKILL" });
    const killedAt = Date.now();

    const [dead] = await runsOf(c.id);
    expect(dead).toMatchObject({ outcome: "running", processed: PAGE_SIZE });
    const held = await row(c.id);
    expect(held.leaseOwner).toBe(dead!.id);
    expect(held.cursor).toBeNull();
    expect(held.resume).toMatchObject({ fromCursor: null, processed: PAGE_SIZE });

    // No request, and not due for an hour: the lapsed lease alone makes it due.
    // The listing's page requests (CardDAV: the card fetches after one sync-collection).
    const LISTING = { google: "people.connections.list", microsoft: "contacts.delta", carddav: "carddav.report.addressbook-multiget" } as Record<string, string>;
    const listed = async () => (await c.book.stats()).byEndpoint[LISTING[provider]!] ?? 0;
    const listedBefore = await listed();
    const rescuer = startChild("tests/sync/fixtures/worker-process.ts", [], env);
    await rescuer.line(/"msg":"sync run".*"outcome":"succeeded"/, LEASE_MS + 15_000);
    const resumedWithin = Date.now() - killedAt;
    expect(resumedWithin).toBeLessThan(LEASE_MS + 10_000);
    await until(() => settled(c.id), { what: "the run to be settled" });

    // The rest of the listing only: pages 2 and 3 of 3 (page 1 was committed before the kill).
    expect((await listed()) - listedBefore).toBe(2);
    const [closed, rescue, ...more] = await runsOf(c.id);
    expect(more).toHaveLength(0);
    expect(rescue).toMatchObject({ outcome: "succeeded", processed: 30 });
    expect(rescue!.counts.crmAdded).toBe(30 - PAGE_SIZE);
    expectClosedAsInterrupted(closed, rescue);
    expect((await row(c.id)).resume).toBeNull();
    await expectEveryContactOnce(c);
    console.log(`[worker kill, ${provider}, Postgres] from SIGKILL to finished: ${resumedWithin} ms (lease ${LEASE_MS} ms)`);
  });
});

describe.skipIf(!serverDb)("worker processes on a Postgres server", () => {
  const { world, connect, runsOf, settled, expectEveryContactOnce, expectNoOverlap } = syncWorld(() => serverDb!.open());
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await databaseUrlOf(world.handle);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill("SIGKILL");
  });

  it("two `npm run worker` processes share the connections: every one synced, runs of one connection never overlap, no duplicates", async () => {
    const books = await Promise.all(Array.from({ length: 6 }, () => connect(12)));
    const ids = books.map((b) => b.id);
    // Runs long enough that the two workers really work side by side.
    await setConfig(world.emu.url, { latencyMs: 15 });
    const env = { DATABASE_URL: databaseUrl, GOOGLE_PEOPLE_ROOT_URL: `${world.emu.url}/`, SYNC_INTERVAL_MINUTES: "60" };
    const workers = [0, 1].map(() => startChild("lib/sync/jobs/worker-cli.ts", ["--concurrency", "2", "--poll-seconds", "0.1"], env));
    try {
      await Promise.all(workers.map((w) => w.line(/"msg":"worker started"/)));
      // Every connection comes due at once, and users press "sync now" while those runs go on.
      await world.handle.db.update(syncConnections).set({ nextRunAt: sql`now()` }).where(inArray(syncConnections.id, ids));
      await until(async () => (await world.handle.db.select({ id: syncRuns.id }).from(syncRuns).where(inArray(syncRuns.connectionId, ids))).length > 0, { what: "a first run" });
      await Promise.all(ids.map((id) => requestSync(world.handle.db, id)));
      await until(async () => (await Promise.all(ids.map(settled))).every(Boolean), { timeoutMs: 30_000, what: "every connection to be synced" });
      // A clean stop: runs in progress finish, then the workers exit.
      for (const w of workers) w.proc.kill("SIGTERM");
      expect(await Promise.all(workers.map((w) => w.exit))).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
    } finally {
      await setConfig(world.emu.url, { latencyMs: 0 });
    }

    const logged = workers.map((w) => w.lines.filter((l) => l.includes('"msg":"sync run"')).map((l) => JSON.parse(l) as { connectionId: string; outcome: string }));
    expect(logged[0]!.length).toBeGreaterThan(0);
    expect(logged[1]!.length).toBeGreaterThan(0);
    expect(new Set(logged.flat().map((l) => l.connectionId))).toEqual(new Set(ids));
    let runCount = 0;
    for (const b of books) {
      const runs = await runsOf(b.id);
      runCount += runs.length;
      expectNoOverlap(runs);
      expect(runs.map((r) => r.outcome)).toEqual(runs.map(() => "succeeded"));
      await expectEveryContactOnce(b);
    }
    expect(logged.flat()).toHaveLength(runCount);
    const output = workers.flatMap((w) => w.lines).join("\n");
    for (const b of books) expect(output).not.toContain(b.accessToken);
  });
});

describe("the app on its embedded database, killed mid-run", () => {
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill("SIGKILL");
  });

  it("opens the database again on restart, and the interrupted run resumes at once and completes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-kill-"));
    const dataDir = path.join(dir, "pglite");
    const emu = await startTestEmulator("google");
    try {
      // The app's database, with a connection whose first sync is requested.
      const setup = await createDb({ dataDir });
      const demo = await seedDemo(setup.db);
      const book = await emu.addressBook(`embedded-${Date.now()}@example.com`, "Clients");
      const family = `Embedded${Date.now()}`;
      await book.addMany(Array.from({ length: 30 }, (_, i) => ({ given: `Person${i}`, family })));
      const id = await connectBook(setup.db, demo, book);
      await setup.db.update(syncConnections).set({ nextRunAt: new Date(Date.now() + HOUR) }).where(eq(syncConnections.id, id));
      await requestSync(setup.db, id);
      await setup.close();

      const env = { WORKER_PGLITE_DIR: dataDir, API_BASE_URL: `${emu.url}/` };
      const app = startChild("tests/sync/fixtures/worker-process.ts", [], { ...env, STALL: "1" });
      await app.line(/^page-committed$/, 30_000);
      app.proc.kill("SIGKILL");
      await app.exit;
      const killedAt = Date.now();

      // Restarted on the same directory: it opens (taking over the dead process's lock) and
      // resumes at once — the leases in it died with the last process.
      const restarted = startChild("tests/sync/fixtures/worker-process.ts", [], env);
      await restarted.line(/"msg":"sync run".*"outcome":"succeeded"/, 30_000);
      const finishedIn = Date.now() - killedAt;
      restarted.proc.kill("SIGKILL");
      await restarted.exit;
      console.log(`[app kill, embedded database] from SIGKILL to finished after restart: ${finishedIn} ms`);

      const check = await createDb({ dataDir });
      try {
        const runs = await check.db.select().from(syncRuns).where(eq(syncRuns.connectionId, id)).orderBy(asc(syncRuns.startedAt));
        expect(runs.map((r) => [r.outcome, r.trigger])).toEqual([
          ["interrupted", "initial"],
          ["succeeded", "resume"],
        ]);
        expect(runs[1]!.counts.crmAdded).toBe(30 - PAGE_SIZE);
        const people = await check.db.select({ id: persons.id }).from(persons).where(and(eq(persons.lastName, family), isNull(persons.deletedAt)));
        const links = await check.db.select({ personId: syncLinks.personId }).from(syncLinks).where(eq(syncLinks.connectionId, id));
        expect(people).toHaveLength(30);
        expect(links.map((l) => l.personId).sort()).toEqual(people.map((p) => p.id).sort());
      } finally {
        await check.close();
      }
    } finally {
      await emu.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
