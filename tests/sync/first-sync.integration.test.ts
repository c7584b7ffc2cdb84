// A first sync without duplicates: the group's contacts are paired with the persons the user
// already owns (e-mail, then phone, then a unique full name), previewed, changed by the user,
// and applied exactly; the first merge of a pair loses nothing, and the run after it writes
// nothing. The real engine, the official clients against the emulators, PGlite and Postgres.
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createPerson } from "@/db/queries/persons";
import { getViewer } from "@/db/queries/users";
import type { Viewer } from "@/db/queries/visibility";
import { persons, syncConnections, syncEvents, syncLinks, syncPreviewContacts, type Direction } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { personSearchText } from "@/lib/persons/input";
import { ensureSyncCustomFields } from "@/lib/sync/engine/crm-side";
import { runSync, type RunSummary } from "@/lib/sync/engine/run";
import { answerPreviewContact, configureConnection, confirmPreview, leavePreview, prepareFirstSync, readPreview, syncNow, type ManageDeps } from "@/lib/sync/accounts/manage";
import { finishAuthorization } from "@/lib/sync/accounts/oauth-flow";
import { oauthOf, providerDefinition } from "@/lib/sync/providers/registry";
import type { ProviderId } from "@/db/vocabulary";
import type { AddressBook } from "@/tests/kit/address-book";
import { consentAs } from "@/tests/kit/consent";
import { adapterFor, connectBook, emulatorOAuthConfig, FAST_RETRY, openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { EMULATED, type TestEmulator } from "@/tests/kit/emulators";
import { personInput } from "@/tests/kit/persons";

/** The scopes an OAuth grant for `direction` has (a password sign-in has none: it may write). */
const scopesFor = (provider: ProviderId, direction: Direction) => (providerDefinition(provider).auth.kind === "oauth" ? oauthOf(provider).scopes(direction).join(" ") : null);
const matrix = EMULATED.flatMap((p) => testDatabases().map((d) => ({ provider: p.name, start: p.start, db: d.name, open: d.open })));

describe.each(matrix)("first sync with $provider on $db", ({ provider, start, open }) => {
  let emu: TestEmulator;
  let handle: DbHandle;
  let demo: SeededDemo;
  let east: Viewer;
  let west: Viewer;
  let deps: ManageDeps;
  let n = 0;

  beforeAll(async () => {
    [emu, { handle, demo }] = await Promise.all([start(), openSeeded(open)]);
    [east, west] = (await Promise.all([getViewer(handle.db, demo.users.east), getViewer(handle.db, demo.users.west)])) as [Viewer, Viewer];
    deps = { apiBaseUrl: `${emu.url}/`, oauthConfig: emulatorOAuthConfig(provider, emu.url) };
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), handle?.close()]);
  });

  /** A fresh address book and an unconfigured connection of east's to it, granted `direction`. */
  async function unconfigured(direction: Direction): Promise<{ book: AddressBook; id: string }> {
    const book = await emu.addressBook(`first${++n}-${Date.now()}@example.com`, "Clients");
    const id = await connectBook(handle.db, demo, book, {
      unconfigured: true,
      direction,
      tokens: { scope: scopesFor(provider, direction) },
    });
    return { book, id };
  }

  async function sync(id: string): Promise<Extract<RunSummary, { status: "done" }>> {
    const summary = await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url, { retry: FAST_RETRY }) });
    if (summary.status !== "done") throw new Error(`run skipped: ${summary.reason}`);
    if (summary.outcome !== "succeeded") throw new Error(`run ${summary.outcome}: ${summary.error}`);
    return summary;
  }

  /** A person of `who`'s as an import left it: e-mails as typed, not normalised. */
  async function importedPerson(who: Viewer, p: { firstName: string; lastName: string; emails?: string[]; notes?: string }): Promise<string> {
    const fields = await ensureSyncCustomFields(handle.db, demo.companyId);
    const emails = (p.emails ?? []).map((value) => ({ value, label: "work" }));
    const [row] = await handle.db
      .insert(persons)
      .values({
        companyId: demo.companyId,
        ownerId: who.id,
        visibility: "owner",
        firstName: p.firstName,
        lastName: p.lastName,
        emails,
        customFields: p.notes ? { [fields.notes]: p.notes } : {},
        searchText: personSearchText({ firstName: p.firstName, lastName: p.lastName, emails, phones: [] }),
      })
      .returning({ id: persons.id });
    return row!.id;
  }

  const person = async (id: string) => (await handle.db.select().from(persons).where(eq(persons.id, id)))[0]!;
  const connection = async (id: string) => (await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id)))[0]!;
  const ownedNamed = async (who: Viewer, firstName: string, lastName: string) =>
    handle.db
      .select({ id: persons.id })
      .from(persons)
      .where(and(eq(persons.ownerId, who.id), eq(persons.firstName, firstName), eq(persons.lastName, lastName), sql`${persons.deletedAt} is null`));

  it("pairs by e-mail, phone and unique name, leaves ties to the user, applies the preview exactly and writes nothing afterwards", async () => {
    const { book, id } = await unconfigured("two_way");
    const tag = `${n}${provider[0]}`;
    const fields = await ensureSyncCustomFields(handle.db, demo.companyId);
    // East's persons: an import with a mixed-case address, a phone, a name, two persons sharing
    // an address, one person with an address two contacts share, one with 60 addresses.
    const abigail = await importedPerson(east, { firstName: "Abigail", lastName: `Rodriguez${tag}`, emails: [`Abigail52.${tag}@Outlook.com`], notes: "Met at the CRM fair" });
    const noor = await createPerson(handle.db, east, personInput({ firstName: "Noor", lastName: `Haddad${tag}`, phones: [{ value: `+1 415 555 01${String(n).padStart(2, "0")}`, label: "mobile" }] }));
    const ilse = await createPerson(handle.db, east, personInput({ firstName: "Ilse", lastName: `Vermeer${tag}` }));
    const twinA = await createPerson(handle.db, east, personInput({ firstName: "Twin", lastName: `A${tag}`, emails: [{ value: `twin.${tag}@example.com`, label: "work" }] }));
    const twinB = await createPerson(handle.db, east, personInput({ firstName: "Twin", lastName: `B${tag}`, emails: [{ value: `twin.${tag}@example.com`, label: "home" }] }));
    const shared = await createPerson(handle.db, east, personInput({ firstName: "Shared", lastName: `Inbox${tag}`, emails: [{ value: `shared.${tag}@example.com`, label: "work" }] }));
    const many = await importedPerson(east, { firstName: "Many", lastName: `Addresses${tag}`, emails: Array.from({ length: 60 }, (_, i) => `many${i}.${tag}@example.com`) });
    // West owns a person with an address of the group: never east's to pair.
    const westsOwn = await createPerson(handle.db, west, personInput({ firstName: "Wes", lastName: `Own${tag}`, emails: [{ value: `west.${tag}@example.com`, label: "work" }] }));

    const c = {
      abigail: await book.add({ given: "Abigail", family: `Rodriguez${tag}`, email: `abigail52.${tag}@outlook.com`, phone: "+1 415 555 0142", title: "Engineer", notes: "Met at the fair" }),
      noor: await book.add({ given: "Noor", family: "H.", phone: `(415) 555-01${String(n).padStart(2, "0")}` }),
      ilse: await book.add({ given: "Ilse", family: `Vermeer${tag}`, email: `ilse.${tag}@example.com` }),
      twin: await book.add({ given: "Twin", family: "Contact", email: `twin.${tag}@example.com` }),
      shared1: await book.add({ given: "Shared", family: "One", email: `shared.${tag}@example.com` }),
      shared2: await book.add({ given: "Shared", family: "Two", email: `shared.${tag}@example.com` }),
      many: await book.add({ given: "Many", family: "Addresses", email: `many42.${tag}@example.com` }),
      empty: await book.add({ notes: "A contact with no name, no e-mail and no phone" }),
      west: await book.add({ given: "Wes", family: `Own${tag}`, email: `west.${tag}@example.com` }),
    };

    const result = await configureConnection(handle.db, east, id, { groupId: book.groupId, direction: "two_way", visibility: "owner" }, deps);
    expect(result).toEqual({ saved: true, started: false, preview: { link: 4, choose: 3, create: 2 } });
    expect((await connection(id)).status).toBe("preview");
    // Nothing is written and nothing runs until the user confirms.
    expect(await runSync({ db: handle.db, connectionId: id, trigger: "manual", adapter: await adapterFor(handle.db, id, emu.url) })).toEqual({ status: "skipped", reason: "preview" });
    await expect(syncNow(handle.db, east, id)).rejects.toThrow(/preview/);
    await expect(confirmPreview(handle.db, east, id)).rejects.toThrow(/3 contacts still need your choice/);

    const { summary, page: links } = await readPreview(handle.db, east, id, { decision: "link", page: 1 });
    expect(summary).toEqual({ link: 4, choose: 3, create: 2 });
    expect(links.total).toBe(4);
    const byPerson = new Map(links.rows.map((r) => [r.person!.id, r]));
    expect([...byPerson.keys()].sort()).toEqual([abigail, noor, ilse, many].sort());
    expect(byPerson.get(abigail)).toMatchObject({ providerId: c.abigail, matchedBy: "email" });
    expect(byPerson.get(noor)!.matchedBy).toBe("phone");
    expect(byPerson.get(ilse)!.matchedBy).toBe("name");
    expect(byPerson.get(many)!.matchedBy).toBe("email");
    expect(byPerson.get(abigail)!.filled.map((f) => f.field).sort()).toEqual(["jobTitle", "phones"]);
    expect(byPerson.get(abigail)!.differ).toEqual([{ field: "notes", crm: "Met at the CRM fair", provider: "Met at the fair" }]);
    const { page: ties } = await readPreview(handle.db, east, id, { decision: "choose", page: 1 });
    const tie = (cid: string) => ties.rows.find((r) => r.providerId === cid)!;
    expect(tie(c.twin).candidates.map((p) => p.id).sort()).toEqual([twinA, twinB].sort());
    expect(tie(c.shared1).candidates.map((p) => p.id)).toEqual([shared]);
    expect(tie(c.shared2).candidates.map((p) => p.id)).toEqual([shared]);
    const { page: creates } = await readPreview(handle.db, east, id, { decision: "create", page: 1 });
    expect(creates.rows.map((r) => r.providerId).sort()).toEqual([c.empty, c.west].sort());

    // The user's answers: one person per contact, and only among its candidates.
    await answerPreviewContact(handle.db, east, id, c.twin, twinB);
    await answerPreviewContact(handle.db, east, id, c.shared1, shared);
    await expect(answerPreviewContact(handle.db, east, id, c.shared2, shared)).rejects.toThrow(/already paired/);
    await expect(answerPreviewContact(handle.db, east, id, c.shared2, westsOwn)).rejects.toThrow(/not one this contact can be linked to/);
    await expect(answerPreviewContact(handle.db, west, id, c.shared2, null)).rejects.toThrow(/not found/i);
    await answerPreviewContact(handle.db, east, id, c.shared2, null);
    await answerPreviewContact(handle.db, east, id, c.ilse, null); // unpaired: created as a new person
    await confirmPreview(handle.db, east, id);
    expect((await connection(id)).runRequestedAt).not.toBeNull();

    const first = await sync(id);
    // Conflicts: Abigail's notes, and four names the CRM keeps (Noor, Twin, Shared, Many).
    expect(first.counts).toMatchObject({ crmLinked: 5, crmAdded: 4, conflicts: 5, errors: 0 });
    // One Abigail: linked, filled, the CRM's notes kept and sent to the address book.
    expect(await ownedNamed(east, "Abigail", `Rodriguez${tag}`)).toEqual([{ id: abigail }]);
    const merged = await person(abigail);
    expect(merged.emails.map((e) => e.value.toLowerCase())).toEqual([`abigail52.${tag}@outlook.com`]);
    expect(merged.phones.map((p) => p.value)).toEqual(["+14155550142"]);
    expect(merged.customFields[fields.jobTitle]).toBe("Engineer");
    expect(merged.customFields[fields.notes]).toBe("Met at the CRM fair");
    const remote = await book.list();
    expect(remote.get(c.abigail)!.notes).toBe("Met at the CRM fair");
    const [conflict] = await handle.db.select().from(syncEvents).where(and(eq(syncEvents.personId, abigail), eq(syncEvents.kind, "conflict")));
    expect(conflict!.detail).toMatchObject({ crm: "Met at the CRM fair", provider: "Met at the fair", winner: "crm" });
    // The 60 addresses are all kept; the name match unpaired made a second Ilse.
    expect((await person(many)).emails).toHaveLength(60);
    expect(await ownedNamed(east, "Ilse", `Vermeer${tag}`)).toHaveLength(2);
    expect((await person(twinA)).version).toBe(1);
    // West's person stays West's and unlinked; east got a person of their own for the contact.
    expect(await ownedNamed(east, "Wes", `Own${tag}`)).toHaveLength(1);
    expect(await handle.db.select().from(syncLinks).where(eq(syncLinks.personId, westsOwn))).toEqual([]);
    const linkedPersons = await handle.db.select({ personId: syncLinks.personId }).from(syncLinks).where(eq(syncLinks.connectionId, id));
    expect(linkedPersons).toHaveLength(9);
    expect(linkedPersons.map((l) => l.personId)).toEqual(expect.arrayContaining([abigail, noor, many, twinB, shared]));
    expect(await handle.db.select().from(syncPreviewContacts).where(eq(syncPreviewContacts.connectionId, id))).toEqual([]);

    // The pair's base is what both sides hold: the next run writes nothing.
    const writes = await book.writeCalls();
    const again = await sync(id);
    expect(again.counts).toMatchObject({ crmAdded: 0, crmUpdated: 0, crmLinked: 0, providerUpdated: 0, providerAdded: 0, conflicts: 0 });
    expect(await book.writeCalls()).toBe(writes);
  });

  it("one-way: the first merge fills the person and leaves the address book alone", async () => {
    const { book, id } = await unconfigured("one_way");
    const tag = `${n}${provider[0]}`;
    const fields = await ensureSyncCustomFields(handle.db, demo.companyId);
    const abigail = await importedPerson(east, { firstName: "Abigail", lastName: `Oneway${tag}`, emails: [`Abigail.${tag}@Outlook.com`], notes: "CRM notes" });
    const cid = await book.add({ given: "Abigail", family: `Oneway${tag}`, email: `abigail.${tag}@outlook.com`, title: "Engineer", notes: "Provider notes" });
    const writes = await book.writeCalls();
    const result = await configureConnection(handle.db, east, id, { groupId: book.groupId, direction: "one_way", visibility: "owner" }, deps);
    expect(result).toMatchObject({ preview: { link: 1, choose: 0, create: 0 } });
    await confirmPreview(handle.db, east, id);
    const first = await sync(id);
    expect(first.counts).toMatchObject({ crmLinked: 1, crmAdded: 0, conflicts: 1 });
    expect((await person(abigail)).customFields).toMatchObject({ [fields.jobTitle]: "Engineer", [fields.notes]: "CRM notes" });
    expect(await book.writeCalls()).toBe(writes);
    expect((await book.list()).get(cid)!.notes).toBe("Provider notes");
    expect((await sync(id)).counts).toMatchObject({ crmUpdated: 0, crmLinked: 0, conflicts: 0 });
  });

  // A password sign-in has no scopes: it may always write.
  it.skipIf(providerDefinition(provider).auth.kind !== "oauth")("a two-way group chosen on a read-only grant waits for write access, then is previewed, never run unseen", async () => {
    const { book, id } = await unconfigured("one_way");
    await importedPerson(east, { firstName: "Grant", lastName: `Later${n}`, emails: [`grant.${n}@example.com`] });
    await book.add({ given: "Grant", family: `Later${n}`, email: `grant.${n}@example.com` });
    const asked = await configureConnection(handle.db, east, id, { groupId: book.groupId, direction: "two_way", visibility: "owner" }, deps);
    expect((await connection(id)).status).toBe("reconnect_needed");
    const back = await consentAs((asked as { consentUrl: string }).consentUrl, book.email);
    const finished = await finishAuthorization(handle.db, east, { provider, params: back.searchParams }, { config: deps.oauthConfig });
    expect(finished).toMatchObject({ reconnected: true, firstSync: true });
    // Not runnable until the preview is confirmed.
    expect(await connection(id)).toMatchObject({ status: "preview", runRequestedAt: null });
    expect(await prepareFirstSync(handle.db, east, id, deps)).toEqual({ preview: { link: 1, choose: 0, create: 0 } });
    await confirmPreview(handle.db, east, id);
    expect((await sync(id)).counts).toMatchObject({ crmLinked: 1, crmAdded: 0 });
  });

  it("starts at once when nothing pairs, and Back leaves the connection to be set up again", async () => {
    const { book, id } = await unconfigured("one_way");
    await book.add({ given: "Nobody", family: `Known${n}`, email: `nobody.${n}@example.com` });
    expect(await configureConnection(handle.db, east, id, { groupId: book.groupId, direction: "one_way", visibility: "owner" }, deps)).toEqual({
      saved: true,
      started: true,
      preview: null,
    });
    expect(await connection(id)).toMatchObject({ status: "active", groupId: book.groupId });

    const other = await unconfigured("one_way");
    await importedPerson(east, { firstName: "Back", lastName: `Out${n}`, emails: [`back.${n}@example.com`] });
    await other.book.add({ given: "Back", family: `Out${n}`, email: `back.${n}@example.com` });
    await configureConnection(handle.db, east, other.id, { groupId: other.book.groupId, direction: "one_way", visibility: "owner" }, deps);
    expect((await connection(other.id)).status).toBe("preview");
    await leavePreview(handle.db, east, other.id);
    expect(await connection(other.id)).toMatchObject({ status: "active", groupId: null, runRequestedAt: null });
    expect(await handle.db.select().from(syncPreviewContacts).where(eq(syncPreviewContacts.connectionId, other.id))).toEqual([]);
    expect(await ownedNamed(east, "Back", `Out${n}`)).toHaveLength(1);
  });
});
