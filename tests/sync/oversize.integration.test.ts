// A contact with a field longer than Tandem syncs (lib/sync/model/contact.ts FIELD_LIMITS) — a note of 120,000
// spaces and a letter, as a hostile or broken client might leave — is never cut and written
// back: its other fields come into Tandem, that field is left as it is on both sides, nothing is
// sent to the contact meanwhile (a CRM edit waits, not lost), it is listed under Needs attention
// naming the field, and once the field is shortened at the provider everything syncs. The real
// engine, the official clients against the emulators and a real CardDAV server, PGlite and a
// Postgres server.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { getPersonById, updatePerson } from "@/db/queries/persons";
import { getViewer } from "@/db/queries/users";
import { syncFailures, syncLinks } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { FIELD_LIMITS } from "@/lib/sync/model/contact";
import { ensureSyncCustomFields } from "@/lib/sync/engine/crm-side";
import { listNeedsAttention } from "@/lib/sync/screens/dashboard";
import { runSync } from "@/lib/sync/engine/run";
import type { AddressBook } from "@/tests/kit/address-book";
import { adapterFor, connectBook, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { EMULATED, type TestEmulator } from "@/tests/kit/emulators";
import { personInput } from "@/tests/kit/persons";

const matrix = EMULATED.flatMap((p) => testDatabases().map((d) => ({ provider: p.name, start: p.start, db: d.name, open: d.open })));
const HOSTILE_NOTE = `${" ".repeat(120_000)}a`;

describe.each(matrix)("a field over the limits with $provider on $db", ({ start, open }) => {
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

  async function sync(id: string) {
    const summary = await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY }) });
    if (summary.status !== "done" || summary.outcome !== "succeeded") throw new Error(`run ${JSON.stringify(summary)}`);
    return summary;
  }

  async function personOf(id: string, providerId: string) {
    const [link] = await handle.db.select().from(syncLinks).where(and(eq(syncLinks.connectionId, id), eq(syncLinks.providerId, providerId)));
    return (await getPersonById(handle.db, await east(), link!.personId))!;
  }

  async function setJobTitle(personId: string, title: string) {
    const fields = await ensureSyncCustomFields(handle.db, demo.companyId);
    const v = await east();
    const p = (await getPersonById(handle.db, v, personId))!;
    await updatePerson(handle.db, v, personId, { ...personInput({ firstName: p.firstName, lastName: p.lastName, visibility: p.visibility }), emails: p.emails, phones: p.phones, ownerId: p.ownerId, customFields: { ...p.customFields, [fields.jobTitle]: title } }, p.version);
  }

  it("syncs the other fields, leaves the field as it is on both sides, sends nothing meanwhile, and syncs in full once it is shortened", async () => {
    const book: AddressBook = await emu.addressBook(`oversize${++n}-${Date.now()}@example.com`, "Clients");
    const cid = await book.add({ given: "Noel", family: `Notes${n}`, email: `noel${n}@example.com`, title: "Engineer", notes: HOSTILE_NOTE });
    const id = await connectBook(handle.db, demo, book, { direction: "two_way", visibility: "owner" });
    const fields = await ensureSyncCustomFields(handle.db, demo.companyId);

    // First sync: the person, without the note; the note untouched at the provider.
    expect((await sync(id)).counts.crmAdded).toBe(1);
    let person = await personOf(id, cid);
    expect(person).toMatchObject({ firstName: "Noel", lastName: `Notes${n}` });
    expect(person.customFields[fields.jobTitle]).toBe("Engineer");
    expect(person.customFields[fields.notes]).toBeUndefined();
    expect((await book.list()).get(cid)?.notes).toBe(HOSTILE_NOTE);
    const [failure] = await handle.db.select().from(syncFailures).where(eq(syncFailures.connectionId, id));
    expect(failure).toMatchObject({ operation: "oversize", providerId: cid, heldFields: [{ field: "notes", length: HOSTILE_NOTE.length, limit: FIELD_LIMITS.notes, unit: "characters" }] });
    const attention = await listNeedsAttention(handle.db, await east(), id);
    expect(attention.failed).toEqual([expect.objectContaining({ operation: "oversize", label: `Noel Notes${n}`, heldFields: failure!.heldFields })]);

    // A CRM edit waits (kept in the CRM, not sent); a provider edit of another field comes in.
    await setJobTitle(person.id, "CTO");
    await book.update(cid, { phone: "+14155550123" });
    const writesBefore = await book.writeCalls();
    await sync(id);
    expect(await book.writeCalls()).toBe(writesBefore);
    person = await personOf(id, cid);
    expect(person.customFields[fields.jobTitle]).toBe("CTO");
    expect(person.phones.map((p) => p.value)).toEqual(["+14155550123"]);
    const atProvider = (await book.list()).get(cid)!;
    expect(atProvider).toMatchObject({ title: "Engineer", notes: HOSTILE_NOTE });

    // Shortened at the provider: the note comes in, the waiting edit goes out, nothing waits.
    await book.update(cid, { notes: "Met at the conference." });
    await sync(id);
    person = await personOf(id, cid);
    expect(person.customFields[fields.notes]).toBe("Met at the conference.");
    expect((await book.list()).get(cid)).toMatchObject({ title: "CTO", notes: "Met at the conference." });
    expect(await handle.db.select().from(syncFailures).where(eq(syncFailures.connectionId, id))).toEqual([]);
  });
});
