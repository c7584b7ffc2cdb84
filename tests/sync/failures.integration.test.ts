// A contact the provider refuses is not lost: it waits in "Needs attention" with the provider's
// reason, later runs try it again with growing waits and stop after the limit, an edit of the
// person (the fix) or the user's Retry makes it due at once, and a write that goes through — or
// a change that makes it moot — clears it. The real engine, the official clients against the
// emulators and a real CardDAV server, PGlite and a Postgres server.
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createPerson, deletePerson, getPersonById, updatePerson } from "@/db/queries/persons";
import { getViewer } from "@/db/queries/users";
import { syncFailures, syncLinks } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { listNeedsAttention } from "@/lib/sync/screens/dashboard";
import { RETRY_LIMIT } from "@/lib/sync/engine/failures";
import { runSync } from "@/lib/sync/engine/run";
import { configureConnection, retryFailedContacts } from "@/lib/sync/accounts/manage";
import { setConfig } from "@/emulators";
import { openAddressBook } from "@/tests/kit/address-book";
import { adapterFor, connectBook, emulatorOAuthConfig, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { EMULATED, type TestEmulator } from "@/tests/kit/emulators";
import { personInput } from "@/tests/kit/persons";

const matrix = EMULATED.flatMap((p) => testDatabases().map((d) => ({ provider: p.name, start: p.start, db: d.name, open: d.open })));
const REASON = "Request contains an invalid argument.";

describe.each(matrix)("refused contacts with $provider on $db", ({ provider, start, open }) => {
  let emu: TestEmulator;
  let handle: DbHandle;
  let demo: SeededDemo;
  let n = 0;

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([start(), openSeeded(open)]);
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  const east = async () => (await getViewer(handle.db, demo.users.east))!;

  async function connect() {
    const book = await emu.addressBook(`refused${++n}-${Date.now()}@example.com`, "Clients");
    return { book, id: await connectBook(handle.db, demo, book, { direction: "two_way", visibility: "company" }) };
  }

  async function sync(id: string) {
    const summary = await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY }) });
    if (summary.status !== "done" || summary.outcome !== "succeeded") throw new Error(`run ${JSON.stringify(summary)}`);
    return summary;
  }

  const failuresOf = (id: string) => handle.db.select().from(syncFailures).where(eq(syncFailures.connectionId, id));
  /** As if the failure's wait had passed. */
  const waitPassed = (id: string) => handle.db.update(syncFailures).set({ retryAt: sql`now() - interval '1 second'` }).where(eq(syncFailures.connectionId, id));
  const emailsAtProvider = async (book: { list(): Promise<Map<string, { email?: string }>> }) => [...(await book.list()).values()].map((c) => c.email).sort();

  async function setEmail(personId: string, email: string) {
    const v = await east();
    const p = (await getPersonById(handle.db, v, personId))!;
    await updatePerson(handle.db, v, personId, { ...personInput({ firstName: p.firstName, lastName: p.lastName, visibility: p.visibility }), emails: [{ value: email, label: "work" }], ownerId: p.ownerId, customFields: p.customFields }, p.version);
  }

  it("a refused create waits with its reason, is retried with backoff, stops after the limit, and goes through once the person is fixed", async () => {
    const { book, id } = await connect();
    await sync(id);
    await book.refuse("refused.example");
    const v = await east();
    const bad = await createPerson(handle.db, v, personInput({ firstName: "Rita", lastName: `Refused${n}`, emails: [{ value: `rita${n}@refused.example`, label: "work" }] }));
    await createPerson(handle.db, v, personInput({ firstName: "Olga", lastName: `Fine${n}`, emails: [{ value: `olga${n}@fine.example`, label: "work" }] }));

    const first = await sync(id);
    expect(first.counts.errors).toBe(1);
    // The other person of the batch went through.
    expect(await emailsAtProvider(book)).toEqual([`olga${n}@fine.example`]);
    const [failure] = await failuresOf(id);
    expect(failure).toMatchObject({ personId: bad, operation: "create", label: `Rita Refused${n}`, attempts: 1, cause: "invalid" });
    // The provider's reason, where its host is fixed (Google, Microsoft); a CardDAV server is
    // whatever the user typed: its words (the refusal's body) are not repeated, its status is.
    if (provider === "carddav") {
      expect(failure!.reason).toBe("The server refused the contact (HTTP 400)");
      expect(failure!.reason).not.toContain(REASON);
    } else expect(failure!.reason).toContain(REASON);
    const wait = failure!.retryAt!.getTime() - Date.now();
    expect(wait).toBeGreaterThan(14 * 60_000);
    expect(wait).toBeLessThanOrEqual(15 * 60_000);

    // Not due yet: the next run does not send it.
    const writes = await book.writeCalls();
    const quiet = await sync(id);
    expect(quiet.counts.errors).toBe(0);
    expect(await book.writeCalls()).toBe(writes);

    // Due: tried again, and the next wait is longer.
    await waitPassed(id);
    expect((await sync(id)).counts.errors).toBe(1);
    const [second] = await failuresOf(id);
    expect(second!.attempts).toBe(2);
    expect(second!.retryAt!.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);

    // The last attempt: no more retries by itself, and it says so.
    await handle.db.update(syncFailures).set({ attempts: RETRY_LIMIT - 1 }).where(eq(syncFailures.connectionId, id));
    await waitPassed(id);
    await sync(id);
    const [last] = await failuresOf(id);
    expect(last).toMatchObject({ attempts: RETRY_LIMIT, retryAt: null });
    const [listed] = (await listNeedsAttention(handle.db, v, id)).failed;
    expect(listed).toMatchObject({ personId: bad, label: `Rita Refused${n}`, operation: "create", attempts: RETRY_LIMIT, retryAt: null, personVisible: true });
    const writesBefore = await book.writeCalls();
    await sync(id);
    expect(await book.writeCalls()).toBe(writesBefore);

    // The user fixes the person: due at once, created, and no longer waiting.
    await setEmail(bad, `rita${n}@fixed.example`);
    const fixed = await sync(id);
    expect(fixed.counts.errors).toBe(0);
    expect(await emailsAtProvider(book)).toEqual([`olga${n}@fine.example`, `rita${n}@fixed.example`].sort());
    expect(await failuresOf(id)).toEqual([]);
    expect((await listNeedsAttention(handle.db, v, id)).failed).toEqual([]);
    // Once: the next run has nothing to send.
    await sync(id);
    expect((await book.list()).size).toBe(2);
  });

  it("a refused update is kept and sent after Retry once the provider accepts it", async () => {
    const { book, id } = await connect();
    const cid = await book.add({ given: "Uma", family: `Update${n}`, email: `uma${n}@ok.example` });
    await sync(id);
    const [link] = await handle.db.select().from(syncLinks).where(eq(syncLinks.connectionId, id));
    await book.refuse("refused.example");
    await setEmail(link!.personId, `uma${n}@refused.example`);
    await sync(id);
    const [failure] = await failuresOf(id);
    expect(failure).toMatchObject({ personId: link!.personId, operation: "update", providerId: cid, attempts: 1, cause: "invalid" });
    expect((await book.list()).get(cid)?.email).toBe(`uma${n}@ok.example`);
    // The CRM keeps the edit meanwhile (nothing is reverted by the pull), and the refused update
    // waits for its time.
    await sync(id);
    expect((await failuresOf(id))[0]!.attempts).toBe(1);
    expect((await getPersonById(handle.db, await east(), link!.personId))!.emails[0]!.value).toBe(`uma${n}@refused.example`);

    // Fixed at the provider's end; Retry makes it due now.
    await book.clearFaults();
    expect(await retryFailedContacts(handle.db, await east(), id)).toBe(1);
    await sync(id);
    expect((await book.list()).get(cid)?.email).toBe(`uma${n}@refused.example`);
    expect(await failuresOf(id)).toEqual([]);
  });

  it.runIf(provider === "google")("an address book at Google's limit: the refused create says it is full, and goes through after Retry once there is room", async () => {
    const { book, id } = await connect();
    await setConfig(emu.url, { maxContacts: 1 });
    try {
      const v = await east();
      await createPerson(handle.db, v, personInput({ firstName: "First", lastName: `Fits${n}` }));
      const second = await createPerson(handle.db, v, personInput({ firstName: "Second", lastName: `Full${n}` }));
      await sync(id);
      const [failure] = await failuresOf(id);
      expect(failure).toMatchObject({ personId: second, operation: "create", cause: "full" });
      expect((await book.list()).size).toBe(1);
      // Room is made at Google (here: its limit raised); Retry sends it now.
      await setConfig(emu.url, { maxContacts: 25_000 });
      await retryFailedContacts(handle.db, v, id);
      await sync(id);
      expect(await failuresOf(id)).toEqual([]);
      expect((await book.list()).size).toBe(2);
    } finally {
      await setConfig(emu.url, { maxContacts: 25_000 });
    }
  });

  it.runIf(provider === "google")("a group change drops what waited for the old group", async () => {
    const { book, id } = await connect();
    await book.refuse("refused.example");
    const v = await east();
    await createPerson(handle.db, v, personInput({ firstName: "Old", lastName: `Group${n}`, emails: [{ value: `old${n}@refused.example`, label: "work" }] }));
    await sync(id);
    expect(await failuresOf(id)).toHaveLength(1);
    const other = await openAddressBook({ provider: "google", url: emu.url, email: book.email, group: "Suppliers", create: true });
    await configureConnection(handle.db, v, id, { groupId: other.groupId, direction: "two_way", visibility: "company" }, { apiBaseUrl: `${emu.url}/`, oauthConfig: emulatorOAuthConfig("google", emu.url) });
    expect(await failuresOf(id)).toEqual([]);
  });

  it("a refused create whose person is deleted meanwhile is cleared, and Retry is the user's own connection only", async () => {
    const { book, id } = await connect();
    await book.refuse("refused.example");
    const v = await east();
    const bad = await createPerson(handle.db, v, personInput({ firstName: "Gone", lastName: `Soon${n}`, emails: [{ value: `gone${n}@refused.example`, label: "work" }] }));
    await sync(id);
    expect(await failuresOf(id)).toHaveLength(1);
    // Someone else's connection reads as missing.
    const west = (await getViewer(handle.db, demo.users.west))!;
    await expect(retryFailedContacts(handle.db, west, id)).rejects.toThrow();
    expect((await listNeedsAttention(handle.db, west, id)).failed).toEqual([]);
    await deletePerson(handle.db, v, bad);
    await sync(id);
    expect(await failuresOf(id)).toEqual([]);
    expect((await book.list()).size).toBe(0);
    expect(await handle.db.select().from(syncLinks).where(and(eq(syncLinks.connectionId, id), eq(syncLinks.personId, bad)))).toEqual([]);
  });
});
