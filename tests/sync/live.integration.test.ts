// Live sync, Tandem → provider: a person written in the CRM asks the two-way connections that
// link it for a run within seconds (debounced, so a burst is one run). The real engine and
// scheduler, the Google emulator, PGlite (and a Postgres server when TEST_DATABASE_URL is set).
import { and, asc, eq, gte } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createPerson, getPersonById, updatePerson } from "@/db/queries/persons";
import { CHANGE_DEBOUNCE_MS } from "@/db/queries/sync/run-requests";
import { getViewer } from "@/db/queries/users";
import { persons, syncConnections, syncLinks, syncRuns, type Direction } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { runWorker } from "@/lib/sync/jobs/scheduler";
import { adapterFor, connectBook, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { startTestEmulator, type TestEmulator } from "@/tests/kit/emulators";
import { personInput } from "@/tests/kit/persons";
import { until } from "@/tests/kit/until";

const HOUR = 3_600_000;

describe.each(testDatabases())("a CRM edit reaches the provider without Refresh, on $name", ({ open }) => {
  let emu: TestEmulator;
  let handle: DbHandle;
  let demo: SeededDemo;
  let n = 0;
  const workers: AbortController[] = [];

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([startTestEmulator("google"), openSeeded(open)]);
  });
  afterEach(() => {
    for (const w of workers.splice(0)) w.abort();
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  /** A worker that polls only once an hour: what runs, runs because it was asked. */
  function startWorker() {
    const controller = new AbortController();
    workers.push(controller);
    void runWorker({
      db: handle.db,
      intervalMs: HOUR,
      pollMs: HOUR,
      signal: controller.signal,
      adapterFor: (conn) => adapterFor(handle.db, conn, emu.url, { retry: FAST_RETRY }),
    });
  }

  const east = async () => (await getViewer(handle.db, demo.users.east))!;
  const runsOf = (id: string) => handle.db.select().from(syncRuns).where(eq(syncRuns.connectionId, id)).orderBy(asc(syncRuns.startedAt));
  const connection = async (id: string) => (await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id)))[0]!;
  /** Nothing waiting, nothing running. */
  const idle = async (id: string) => {
    const c = await connection(id);
    return !c.runRequestedAt && !c.leaseOwner;
  };

  /** A book of 3 contacts, connected and synced once (its first run, asked for). */
  async function synced(direction: Direction = "two_way", user: keyof SeededDemo["users"] = "east") {
    const email = `live${++n}-${Date.now()}@example.com`;
    const family = `Live${n}x${Date.now()}`;
    const book = await emu.addressBook(email, "Clients");
    for (let i = 0; i < 3; i++) await book.add({ given: `Person${i}`, family, email: `p${i}.${email}` });
    const id = await connectBook(handle.db, demo, book, { direction, user });
    await handle.db.update(syncConnections).set({ nextRunAt: new Date(Date.now() + HOUR), runRequestedAt: new Date() }).where(eq(syncConnections.id, id));
    startWorker();
    await until(async () => (await runsOf(id)).some((r) => r.finishedAt) && (await idle(id)), { timeoutMs: 30_000 });
    const linked = await handle.db.select({ personId: syncLinks.personId }).from(syncLinks).where(eq(syncLinks.connectionId, id));
    return { id, book, family, personIds: linked.map((l) => l.personId) };
  }

  async function rename(personId: string, firstName: string) {
    const viewer = await east();
    const person = (await getPersonById(handle.db, viewer, personId))!;
    await updatePerson(handle.db, viewer, personId, personInput({ firstName, lastName: person.lastName, emails: person.emails }));
  }

  it("an edit asks for one run about two seconds later, and the change reaches the provider", async () => {
    const { id, book, personIds } = await synced();
    const before = (await runsOf(id)).length;
    const editedAt = Date.now();
    await rename(personIds[0]!, "Renamed");
    const waiting = await connection(id);
    expect(waiting.runRequestReason).toBe("change");
    // Debounced: due CHANGE_DEBOUNCE_MS after the edit, not at once.
    expect(waiting.runRequestedAt!.getTime()).toBeGreaterThan(editedAt + CHANGE_DEBOUNCE_MS - 1_000);
    await until(async () => [...(await book.list()).values()].some((c) => c.given === "Renamed"), { timeoutMs: 30_000 });
    await until(() => idle(id), { timeoutMs: 30_000 });
    const after = (await runsOf(id)).slice(before);
    expect(after.map((r) => r.trigger)).toEqual(["change"]);
    expect(after[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(editedAt + CHANGE_DEBOUNCE_MS - 1_000);
  });

  it("a burst of 20 edits makes at most 2 runs, and the last value wins at the provider", async () => {
    const { id, book, personIds } = await synced();
    const since = new Date();
    for (let i = 1; i <= 20; i++) await rename(personIds[i % personIds.length]!, `Burst${i}`);
    await until(async () => [...(await book.list()).values()].some((c) => c.given === "Burst20"), { timeoutMs: 30_000 });
    await until(() => idle(id), { timeoutMs: 30_000 });
    const runs = await handle.db.select().from(syncRuns).where(and(eq(syncRuns.connectionId, id), gte(syncRuns.startedAt, since)));
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(2);
    expect(runs.every((r) => r.trigger === "change" && r.outcome === "succeeded")).toBe(true);
    const given = [...(await book.list()).values()].map((c) => c.given).sort();
    expect(given).toEqual(["Burst18", "Burst19", "Burst20"]);
  });

  it("a new person of the user is created at the provider without Refresh", async () => {
    // (A user whose only two-way connection this is: a new person goes to one of them.)
    const { id, book, family } = await synced("two_way", "manager");
    const manager = (await getViewer(handle.db, demo.users.manager))!;
    const personId = await createPerson(handle.db, manager, personInput({ firstName: "Fresh", lastName: family, visibility: "owner" }));
    expect((await connection(id)).runRequestReason).toBe("change");
    await until(async () => [...(await book.list()).values()].some((c) => c.given === "Fresh"), { timeoutMs: 30_000 });
    await until(async () => (await handle.db.select().from(syncLinks).where(eq(syncLinks.personId, personId))).length === 1, { timeoutMs: 30_000 });
  });

  it("a one-way connection is not asked, nor is a connection by its own writes", async () => {
    const oneWay = await synced("one_way");
    await rename(oneWay.personIds[0]!, "NotSent");
    expect((await connection(oneWay.id)).runRequestedAt).toBeNull();

    // Synced only on Refresh: an edit waits for the user's Refresh.
    const manual = await synced();
    await handle.db.update(syncConnections).set({ syncIntervalMinutes: 0 }).where(eq(syncConnections.id, manual.id));
    await rename(manual.personIds[0]!, "WaitsForRefresh");
    expect((await connection(manual.id)).runRequestedAt).toBeNull();

    // A contact changed at the provider: the run that brings it writes the person, and asks for
    // no run of itself.
    const twoWay = await synced();
    const [contactId] = [...(await twoWay.book.list()).keys()];
    await twoWay.book.update(contactId!, { given: "FromGoogle", family: twoWay.family });
    const before = (await runsOf(twoWay.id)).length;
    await handle.db.update(syncConnections).set({ runRequestedAt: new Date() }).where(eq(syncConnections.id, twoWay.id));
    const { wakeWorkers } = await import("@/lib/wakeups");
    wakeWorkers();
    await until(async () => (await handle.db.select().from(persons).where(and(eq(persons.firstName, "FromGoogle"), eq(persons.lastName, twoWay.family)))).length === 1, { timeoutMs: 30_000 });
    await until(() => idle(twoWay.id), { timeoutMs: 30_000 });
    expect((await connection(twoWay.id)).runRequestedAt).toBeNull();
    expect((await runsOf(twoWay.id)).length).toBe(before + 1);
  });
});
