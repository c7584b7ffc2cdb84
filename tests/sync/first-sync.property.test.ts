// Properties of a first sync's pairing and merge, for random persons and contacts:
// - matching (the database's candidates, then pairContacts) never pairs one side twice, never
//   pairs with another user's person, a deleted one or one the user already syncs elsewhere,
//   pairs only what shares an e-mail, a phone or a full name unique on both sides, and pairs
//   every contact and person that have only each other;
// - the first merge never drops a value of either side.
// The staging and the candidate query run on PGlite, each case in a transaction rolled back.
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DB, type DbHandle } from "@/db/client";
import { insertMany } from "@/db/bulk";
import { asUser } from "@/db/queries/person-writes";
import { getViewer } from "@/db/queries/users";
import type { Viewer } from "@/db/queries/visibility";
import { persons, syncLinks, syncPreviewContacts } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { CONTACT_FIELDS, EMPTY_CONTACT, LIST_FIELDS, normalizeContact, type Contact } from "@/lib/sync/model/contact";
import { firstMerge } from "@/lib/sync/first-sync/merge";
import { stagePreview } from "@/lib/sync/first-sync/preview";
import type { AddressBook } from "@/tests/kit/address-book";
import { connectBook, openSeeded } from "@/tests/kit/connect";

const RUNS = Number(process.env.FC_RUNS ?? 150);

// Small pools, so that values collide often: shared addresses, ties, duplicate names.
const EMAILS = ["ana@prop.test", "Ana@Prop.test", "bo@prop.test", "cy@prop.test", "dee@prop.test", "eli@prop.test"];
const PHONES = ["+14155550101", "+14155550102", "+14155550103", "+442071838750"];
const FIRST = ["", "Ana", "Bo", "Cy"];
const LAST = ["", "Lind", "Moss"];

type PersonSpec = { owner: "east" | "west"; first: string; last: string; emails: string[]; phones: string[]; deleted: boolean; syncedElsewhere: boolean };
type ContactSpec = { first: string; last: string; emails: string[]; phones: string[] };

const personArb: fc.Arbitrary<PersonSpec> = fc.record({
  owner: fc.constantFrom("east" as const, "east" as const, "west" as const),
  first: fc.constantFrom(...FIRST),
  last: fc.constantFrom(...LAST),
  emails: fc.uniqueArray(fc.constantFrom(...EMAILS), { maxLength: 3 }),
  phones: fc.uniqueArray(fc.constantFrom(...PHONES), { maxLength: 2 }),
  deleted: fc.constantFrom(false, false, false, false, true),
  syncedElsewhere: fc.constantFrom(false, false, false, true),
});
const contactArb: fc.Arbitrary<ContactSpec> = fc.record({
  first: fc.constantFrom(...FIRST),
  last: fc.constantFrom(...LAST),
  emails: fc.uniqueArray(fc.constantFrom(...EMAILS.map((e) => e.toLowerCase())), { maxLength: 3 }),
  phones: fc.uniqueArray(fc.constantFrom(...PHONES), { maxLength: 2 }),
});

class Rollback extends Error {}

describe("first-sync matching (property)", () => {
  let handle: DbHandle;
  let demo: SeededDemo;
  let east: Viewer;

  beforeAll(async () => {
    ({ handle, demo } = await openSeeded(() => createDb({})));
    east = (await getViewer(handle.db, demo.users.east))!;
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("never pairs one side twice nor another user's person, and pairs whatever has only each other", { timeout: 60_000 + RUNS * 400 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(personArb, { maxLength: 12 }), fc.array(contactArb, { maxLength: 12 }), async (people, contacts) => {
        await handle.db
          .transaction(async (tx) => {
            // East's connection being previewed, and another of east's that already syncs some persons.
            const db = tx as unknown as DB;
            const book = (email: string) => ({ provider: "google", email, accessToken: "x", secret: { accessToken: "x" }, groupId: "contactGroups/prop" }) as AddressBook;
            const connectionId = await connectBook(db, demo, book(`prop-${crypto.randomUUID()}@example.com`));
            const otherId = await connectBook(db, demo, book(`other-${crypto.randomUUID()}@example.com`));
            const ids = people.map(() => crypto.randomUUID());
            await insertMany(
              tx,
              persons,
              people.map((p, i) => ({
                id: ids[i]!,
                companyId: demo.companyId,
                ownerId: demo.users[p.owner],
                visibility: "owner" as const,
                firstName: p.first,
                lastName: p.last,
                emails: p.emails.map((value) => ({ value, label: "work" })),
                phones: p.phones.map((value) => ({ value, label: "mobile" })),
                deletedAt: p.deleted ? new Date() : null,
                searchText: "",
              })),
            );
            const elsewhere = people.flatMap((p, i) => (p.syncedElsewhere ? [ids[i]!] : []));
            if (elsewhere.length > 0) {
              await insertMany(
                tx,
                syncLinks,
                elsewhere.map((personId, k) => ({ connectionId: otherId, personId, providerId: `other/${k}`, base: EMPTY_CONTACT, crmVersion: 1 })),
              );
            }
            const listed = new Map(
              contacts.map((c, i) => [
                `people/c${i}`,
                normalizeContact(
                  {
                    ...EMPTY_CONTACT,
                    firstName: c.first,
                    lastName: c.last,
                    emails: c.emails.map((value) => ({ value, label: "" })),
                    phones: c.phones.map((value) => ({ value, label: "" })),
                  },
                  "US",
                ),
              ]),
            );
            await stagePreview(tx, asUser(east), connectionId, listed);
            const staged = await tx.select().from(syncPreviewContacts).where(eqConnection(connectionId));
            checkPairing(people, ids, contacts, staged);
            throw new Rollback();
          })
          .catch((error) => {
            if (!(error instanceof Rollback)) throw error;
          });
      }),
      { numRuns: RUNS, seed: Number(process.env.FC_SEED ?? 20261129), verbose: 1 },
    );
  });

  it("the first merge never drops a value of either side", () => {
    const text = fc.constantFrom("", "a", "b", "Ünïcode", "two words");
    const labeled = fc.uniqueArray(
      fc.record({ value: fc.constantFrom("x@t.test", "y@t.test", "z@t.test", "+14155550101"), label: fc.constantFrom("", "work", "home") }),
      { selector: (l) => l.value, maxLength: 3 },
    );
    const contact: fc.Arbitrary<Contact> = fc.record({
      firstName: text,
      lastName: text,
      emails: labeled,
      phones: labeled,
      address: fc.option(text.filter((t) => t !== ""), { nil: null }),
      postalAddress: fc.option(text.filter((t) => t !== ""), { nil: null }),
      ims: fc.uniqueArray(fc.constantFrom("im:a", "im:b", "im:c"), { maxLength: 3 }),
      organization: fc.option(text.filter((t) => t !== ""), { nil: null }),
      jobTitle: fc.option(text.filter((t) => t !== ""), { nil: null }),
      notes: fc.option(text.filter((t) => t !== ""), { nil: null }),
      birthday: fc.option(fc.constantFrom("1990-01-02", "--03-04"), { nil: null }),
    });
    fc.assert(
      fc.property(contact, contact, (crm, provider) => {
        const { merged, filled, differ } = firstMerge(crm, provider);
        for (const field of LIST_FIELDS) {
          const values = (c: Contact) => (c[field] as (string | { value: string })[]).map((v) => (typeof v === "string" ? v : v.value));
          expect(new Set(values(merged))).toEqual(new Set([...values(crm), ...values(provider)]));
        }
        for (const field of CONTACT_FIELDS.filter((f) => !(LIST_FIELDS as readonly string[]).includes(f))) {
          const empty = (v: unknown) => v === null || v === "";
          if (!empty(crm[field])) expect(merged[field]).toEqual(crm[field]);
          else expect(merged[field]).toEqual(provider[field]);
          // A provider value that is not kept is reported, to be recorded as a conflict.
          const lost = !empty(provider[field]) && merged[field] !== provider[field];
          expect(differ.some((d) => d.field === field && d.provider === provider[field])).toBe(lost);
          expect(filled.includes(field)).toBe(empty(crm[field]) && !empty(provider[field]));
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

const eqConnection = (id: string) => eq(syncPreviewContacts.connectionId, id);

type StagedRow = typeof syncPreviewContacts.$inferSelect;

/** The properties of one staged pairing, against the specs it was made from. */
function checkPairing(people: PersonSpec[], ids: string[], contacts: ContactSpec[], staged: StagedRow[]): void {
  const spec = new Map(ids.map((id, i) => [id, people[i]!]));
  const contactOf = (providerId: string) => contacts[Number(providerId.slice("people/c".length))]!;
  expect(staged).toHaveLength(contacts.length);
  const pairable = (id: string) => {
    const p = spec.get(id);
    return Boolean(p && p.owner === "east" && !p.deleted && !p.syncedElsewhere);
  };
  const linked = staged.filter((r) => r.decision === "link");
  // One side twice: never.
  expect(new Set(linked.map((r) => r.personId)).size).toBe(linked.length);
  for (const r of staged) {
    for (const id of r.decision === "create" ? [] : r.candidates) expect(pairable(id), `candidate ${id} is east's, live and not synced elsewhere`).toBe(true);
  }
  const lower = (s: string[]) => s.map((e) => e.toLowerCase());
  const fullName = (f: string, l: string) => (f && l ? `${f} ${l}`.toLowerCase() : null);
  const shares = (c: ContactSpec, p: PersonSpec) =>
    lower(c.emails).some((e) => lower(p.emails).includes(e)) || c.phones.some((ph) => p.phones.includes(ph)) || fullName(c.first, c.last) === fullName(p.first, p.last);
  for (const r of linked) {
    const c = contactOf(r.providerId);
    const p = spec.get(r.personId!)!;
    expect(shares(c, p)).toBe(true);
    if (r.matchedBy === "name") {
      const name = fullName(c.first, c.last)!;
      expect(contacts.filter((o) => fullName(o.first, o.last) === name)).toHaveLength(1);
      expect(ids.filter((id) => pairable(id) && fullName(spec.get(id)!.first, spec.get(id)!.last) === name)).toHaveLength(1);
    }
  }
  // Completeness at the e-mail stage: a contact and a pairable person that share an address and
  // have no other e-mail partner are paired.
  const emailPartners = (c: ContactSpec) => ids.filter((id) => pairable(id) && lower(c.emails).some((e) => lower(spec.get(id)!.emails).includes(e)));
  for (const r of staged) {
    const c = contactOf(r.providerId);
    const partners = emailPartners(c);
    if (partners.length !== 1) continue;
    const others = contacts.filter((o) => o !== c && emailPartners(o).includes(partners[0]!));
    if (others.length === 0) expect(r).toMatchObject({ decision: "link", personId: partners[0], matchedBy: "email" });
  }
}
