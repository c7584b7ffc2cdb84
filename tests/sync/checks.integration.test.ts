// Live sync for providers that cannot notify (Google, CardDAV): while the user is active, a
// connection is checked for changes with one cheap request, and runs only when the provider
// says something changed; an idle user's connections are not checked. The real engine and
// scheduler against each such provider's test server; PGlite (and Postgres when
// TEST_DATABASE_URL is set).
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { noteUserSeen } from "@/db/queries/sync/run-requests";
import { persons, syncConnections, syncRuns, users } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { runWorker } from "@/lib/sync/jobs/scheduler";
import { checkedProviders } from "@/lib/sync/live/checks";
import { adapterFor, connectBook, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { EMULATED } from "@/tests/kit/emulators";
import type { TestEmulator } from "@/tests/kit/emulators";
import { until } from "@/tests/kit/until";

const HOUR = 3_600_000;
const CHECK_MS = 400;
const CHECKED = EMULATED.filter((p) => checkedProviders().includes(p.name));

describe.each(testDatabases())("checks between runs on $name", ({ open }) => {
  describe.each(CHECKED)("$name", ({ start }) => {
    let emu: TestEmulator;
    let handle: DbHandle;
    let demo: SeededDemo;
    let n = 0;
    const workers: AbortController[] = [];

    beforeAll(async () => {
      [emu, { handle, demo }] = await Promise.all([start(), openSeeded(open)]);
    });
    afterEach(() => {
      for (const w of workers.splice(0)) w.abort();
    });
    afterAll(async () => {
      await Promise.all([emu?.close(), handle?.close()]);
    });

    /** Polls often, checks every CHECK_MS; the interval (an hour) never comes. */
    function startWorker() {
      const controller = new AbortController();
      workers.push(controller);
      void runWorker({
        db: handle.db,
        intervalMs: HOUR,
        pollMs: 50,
        checkIntervalMs: CHECK_MS,
        signal: controller.signal,
        adapterFor: (conn) => adapterFor(handle.db, conn, emu.url, { retry: FAST_RETRY }),
      });
    }

    const runsOf = (id: string) => handle.db.select().from(syncRuns).where(eq(syncRuns.connectionId, id)).orderBy(asc(syncRuns.startedAt));
    const connection = async (id: string) => (await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id)))[0]!;

    /** A user of their own (their activity is this test's), a book of 2 contacts, synced once. */
    async function synced() {
      const email = `check${++n}-${Date.now()}@example.com`;
      const family = `Check${n}x${Date.now()}`;
      const [user] = await handle.db
        .insert(users)
        .values({ companyId: demo.companyId, name: `Checker ${n}`, email: `checker${n}-${Date.now()}@acme.test`, passwordHash: "x" })
        .returning({ id: users.id });
      const book = await emu.addressBook(email, "Clients");
      for (let i = 0; i < 2; i++) await book.add({ given: `Person${i}`, family, email: `p${i}.${email}` });
      const id = await connectBook(handle.db, { ...demo, users: { ...demo.users, east: user!.id } }, book);
      await handle.db.update(syncConnections).set({ nextRunAt: new Date(Date.now() + HOUR), runRequestedAt: new Date() }).where(eq(syncConnections.id, id));
      startWorker();
      await until(async () => (await runsOf(id)).some((r) => r.finishedAt) && !(await connection(id)).leaseOwner, { timeoutMs: 30_000 });
      return { id, book, family, userId: user!.id };
    }

    it("an active user's connection is checked with one request a check, and runs only on a change", async () => {
      const { id, book, family, userId } = await synced();
      const before = (await book.stats()).total;
      await noteUserSeen(handle.db, userId, checkedProviders());
      // A few checks and nothing changed: no run, one request each.
      await new Promise((resolve) => setTimeout(resolve, CHECK_MS * 4));
      const quiet = (await book.stats()).total - before;
      expect((await runsOf(id)).length).toBe(1);
      expect(quiet).toBeGreaterThanOrEqual(2);
      expect(quiet).toBeLessThanOrEqual(6);
      expect((await connection(id)).nextCheckAt).not.toBeNull();

      const [contactId] = [...(await book.list()).keys()];
      await book.update(contactId!, { given: "Checked", family });
      await until(async () => (await handle.db.select().from(persons).where(eq(persons.firstName, "Checked"))).some((p) => p.lastName === family), {
        timeoutMs: 30_000,
        what: "the change to reach the CRM",
      });
      const runs = await runsOf(id);
      expect(runs.at(-1)).toMatchObject({ trigger: "check" });
      expect(runs.length).toBeLessThanOrEqual(3);
    });

    it("an idle user's connection is not checked", async () => {
      const { id, book, userId } = await synced();
      // Seen, then idle for over an hour: the next check finds them gone and stops.
      await noteUserSeen(handle.db, userId, checkedProviders());
      await handle.db.update(users).set({ lastSeenAt: sql`now() - interval '2 hours'` }).where(eq(users.id, userId));
      await until(async () => (await connection(id)).nextCheckAt === null, { timeoutMs: 10_000, what: "checks to stop" });
      const before = (await book.stats()).total;
      await new Promise((resolve) => setTimeout(resolve, CHECK_MS * 3));
      expect((await book.stats()).total).toBe(before);
      expect((await runsOf(id)).length).toBe(1);
    });
  });
});
