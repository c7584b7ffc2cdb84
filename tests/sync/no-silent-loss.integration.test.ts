// Every change survives or is recorded with the rule that decided it: CRM edits the engine does
// not send, restores of sync's deletions, confirmed held deletions, and creates a crash cut short.
// The real engine, the official clients against the emulators, PGlite and a Postgres server.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createPerson, deletePerson, getPersonById, updatePerson } from "@/db/queries/persons";
import { getViewer } from "@/db/queries/users";
import { persons, syncEvents, syncLinks, type Direction } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { ensureSyncCustomFields } from "@/lib/sync/engine/crm-side";
import { listUnconfirmedCreates } from "@/lib/sync/screens/dashboard";
import { resolveHeldDeletions } from "@/lib/sync/engine/deletions";
import { restoreDeletedPerson } from "@/lib/sync/engine/restore";
import { runSync, type RunSummary } from "@/lib/sync/engine/run";
import { answerUnconfirmedCreates } from "@/lib/sync/accounts/manage";
import type { AddressBook } from "@/tests/kit/address-book";
import { adapterFor, connectBook, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { EMULATED, type TestEmulator } from "@/tests/kit/emulators";
import { personInput } from "@/tests/kit/persons";
import { EMPTY_CONTACT } from "@/lib/sync/model/contact";

const matrix = EMULATED.flatMap((p) => testDatabases().map((d) => ({ provider: p.name, start: p.start, db: d.name, open: d.open })));

describe.each(matrix)("nothing silently lost with $provider on $db", ({ start, open }) => {
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

  const viewer = async (key: keyof SeededDemo["users"]) => (await getViewer(handle.db, demo.users[key]))!;

  async function connect(direction: Direction, book?: AddressBook) {
    const b = book ?? (await emu.addressBook(`loss${++n}-${Date.now()}@example.com`, "Clients"));
    return { book: b, id: await connectBook(handle.db, demo, b, { direction, visibility: "company" }) };
  }

  async function sync(id: string): Promise<Extract<RunSummary, { status: "done" }>> {
    const summary = await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY }) });
    if (summary.status !== "done") throw new Error(`run skipped: ${summary.reason}`);
    if (summary.outcome !== "succeeded" && summary.outcome !== "held") throw new Error(`run ${summary.outcome}: ${summary.error}`);
    return summary;
  }

  const linked = (id: string) =>
    handle.db.select({ person: persons, link: syncLinks }).from(syncLinks).innerJoin(persons, eq(persons.id, syncLinks.personId)).where(eq(syncLinks.connectionId, id));

  /** Sets the job title (a custom field) through the person form, as `who`. */
  async function setTitle(who: keyof SeededDemo["users"], personId: string, title: string) {
    const v = await viewer(who);
    const p = (await getPersonById(handle.db, v, personId))!;
    const fields = await ensureSyncCustomFields(handle.db, demo.companyId);
    await updatePerson(handle.db, v, personId, { ...personInput({ firstName: p.firstName, lastName: p.lastName, visibility: p.visibility }), emails: p.emails, ownerId: p.ownerId, customFields: { ...p.customFields, [fields.jobTitle]: title } }, p.version);
  }
  const titleOf = async (personId: string) => {
    const fields = await ensureSyncCustomFields(handle.db, demo.companyId);
    const [p] = await handle.db.select({ customFields: persons.customFields }).from(persons).where(eq(persons.id, personId));
    return p!.customFields[fields.jobTitle];
  };

  for (const [what, direction, reassign] of [
    ["one-way", "one_way", false],
    ["two-way, a person the user no longer owns", "two_way", true],
  ] as const) {
    it(`${what}: a CRM edit the engine does not send survives a provider edit and a full relisting`, async () => {
      const { book, id } = await connect(direction);
      const cid = await book.add({ given: "Kept", family: `Edit${n}`, email: `kept${n}@example.com`, title: "Engineer" });
      await sync(id);
      const person = (await linked(id))[0]!.person;
      if (reassign) await handle.db.update(persons).set({ ownerId: demo.users.west }).where(eq(persons.id, person.id));
      await setTitle(reassign ? "west" : "east", person.id, "Director");
      // Another field changes at the provider; the contact comes back in the next pull…
      await book.update(cid, { notes: "Met again." });
      await sync(id);
      expect(await titleOf(person.id)).toBe("Director");
      // …and again in a full listing.
      await book.expireCursor();
      const relisted = await sync(id);
      expect(relisted.full).toBe(true);
      expect(await titleOf(person.id)).toBe("Director");
      // Not sent (one-way, or not the user's), and so not at the provider either.
      expect((await book.list()).get(cid)?.title).toBe("Engineer");
      // The same field edited at the provider now is a conflict, decided and recorded.
      await book.update(cid, { title: "CTO" });
      const conflicted = await sync(id);
      expect(conflicted.counts.conflicts).toBe(1);
      const [conflict] = await handle.db.select().from(syncEvents).where(and(eq(syncEvents.connectionId, id), eq(syncEvents.kind, "conflict")));
      expect(conflict!.detail).toMatchObject({ crm: "Director", provider: "CTO", winner: direction === "two_way" ? "crm" : "provider" });
      expect(await titleOf(person.id)).toBe(direction === "two_way" ? "Director" : "CTO");
    });
  }

  it("restore undoes only the deletion that is still the person's last, marks it restored, keeps createdAt, and two-way sends the person again", async () => {
    const { book, id } = await connect("two_way");
    const cid = await book.add({ given: "Back", family: `Again${n}`, email: `back${n}@example.com` });
    await sync(id);
    const before = (await linked(id))[0]!.person;
    await book.remove(cid);
    await sync(id);
    const deletedEvent = async () =>
      (await handle.db.select().from(syncEvents).where(and(eq(syncEvents.connectionId, id), eq(syncEvents.kind, "deleted"), eq(syncEvents.side, "crm"))))[0]!;
    const first = await deletedEvent();
    const restored = await restoreDeletedPerson(handle.db, first.id);
    expect(restored).toEqual({ ok: true, personId: before.id });
    const [after] = await handle.db.select().from(persons).where(eq(persons.id, before.id));
    expect(after).toMatchObject({ deletedAt: null, createdAt: before.createdAt });
    expect((await deletedEvent()).resolvedAt).not.toBeNull();
    // Two-way: the next run creates it in the address book again (a new contact), once.
    await sync(id);
    await sync(id);
    expect([...(await book.list()).values()].map((c) => c.given)).toEqual(["Back"]);
    // Deleted again in the CRM by the user: the old deletion may not undo that.
    await deletePerson(handle.db, await viewer("east"), before.id);
    const again = await restoreDeletedPerson(handle.db, first.id);
    expect(again.ok).toBe(false);
    expect(again.ok ? "" : again.reason).toMatch(/already undone/);
    expect((await handle.db.select().from(persons).where(eq(persons.id, before.id)))[0]!.deletedAt).not.toBeNull();
  });

  it("a sync deletion is not restorable once someone changed the person after it", async () => {
    const { book, id } = await connect("one_way");
    const cid = await book.add({ given: "Changed", family: `Since${n}`, email: `since${n}@example.com` });
    await sync(id);
    const person = (await linked(id))[0]!.person;
    await book.remove(cid);
    await sync(id);
    const [event] = await handle.db.select().from(syncEvents).where(and(eq(syncEvents.connectionId, id), eq(syncEvents.kind, "deleted")));
    // Someone else brings it back and deletes it again later (versions move on).
    await handle.db.update(persons).set({ deletedAt: null, version: person.version + 2 }).where(eq(persons.id, person.id));
    await deletePerson(handle.db, await viewer("admin"), person.id);
    const outcome = await restoreDeletedPerson(handle.db, event!.id);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? "" : outcome.reason).toMatch(/changed after this deletion/);
  });

  it("confirming held deletions does what the run would have done: a person another address book links is only unlinked", async () => {
    const { book, id } = await connect("one_way");
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await book.add({ given: `Held${i}`, family: `Mass${n}`, email: `held${i}.${n}@example.com` }));
    await sync(id);
    // One of them is also in another of the user's address books.
    const other = await connect("one_way");
    const [shared] = (await linked(id)).filter((r) => r.link.providerId === ids[0]);
    await handle.db.insert(syncLinks).values({ connectionId: other.id, personId: shared!.person.id, providerId: `elsewhere-${n}`, base: EMPTY_CONTACT, crmVersion: shared!.person.version });
    for (const cid of ids.slice(0, 11)) await book.remove(cid);
    expect((await sync(id)).outcome).toBe("held");
    expect(await resolveHeldDeletions(handle.db, id, true)).toBe(11);
    const [sharedAfter] = await handle.db.select().from(persons).where(eq(persons.id, shared!.person.id));
    expect(sharedAfter!.deletedAt).toBeNull();
    const trashed = await handle.db.select().from(syncEvents).where(and(eq(syncEvents.connectionId, id), eq(syncEvents.kind, "deleted")));
    expect(trashed).toHaveLength(10);
    expect(trashed.map((e) => e.personId)).not.toContain(shared!.person.id);
  });

  it("a create a crash cut short and the provider does not show can be left out of sync", async () => {
    const { book, id } = await connect("two_way");
    const east = await viewer("east");
    const personId = await createPerson(handle.db, east, personInput({ firstName: "Left", lastName: `Out${n}`, visibility: "owner" }));
    await runSync({
      db: handle.db,
      connectionId: id,
      trigger: "manual",
      adapter: await adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY }),
      fault: (point) => {
        if (point === "after-provider-write") throw new Error("crash");
      },
    });
    for (const cid of (await book.list()).keys()) await book.remove(cid);
    await sync(id);
    expect((await listUnconfirmedCreates(handle.db, east, id)).map((u) => u.personId)).toEqual([personId]);
    expect(await answerUnconfirmedCreates(handle.db, east, id, false)).toBe(1);
    await sync(id);
    await sync(id);
    expect((await book.list()).size).toBe(0);
    expect(await listUnconfirmedCreates(handle.db, east, id)).toEqual([]);
    expect((await getPersonById(handle.db, east, personId))?.lastName).toBe(`Out${n}`);
  });
});
