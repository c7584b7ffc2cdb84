import type { people_v1 } from "@googleapis/people";
import fc from "fast-check";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { describe, expect, it } from "vitest";
import { birthdayArb } from "@/tests/kit/contact-arbitraries";
import { EMPTY_CONTACT, normalizeContact, type Contact } from "@/lib/sync/model/contact";
import { GOOGLE_PERSON_FIELDS, projectForGoogle, readGooglePerson, writeGooglePerson } from "./mapping";

type Person = people_v1.Schema$Person;

const GROUP = "contactGroups/4f2a9c";
const opts = { groupResourceName: GROUP, defaultCountry: "US" };
const read = (person: Person) => readGooglePerson(person, opts);
const write = (contact: Contact, current: Person | null) => writeGooglePerson(contact, current, opts);
const expected = (c: Contact) => projectForGoogle(normalizeContact(c, "US"));
const contact = (over: Partial<Contact>): Contact => ({ ...EMPTY_CONTACT, ...over });
const clone = <T>(value: T): T => structuredClone(value);

// ---- generators: values that mean something after normalisation -----------------------------

const nameArb = fc.oneof(
  fc.constantFrom("Ana", "José", "Zoë", "Łukasz", "李", "王小明", "Дмитрий", "محمد", "O'Neil", "van der Berg", "  Ana  Maria ", "Jose\u0301", ""),
  fc.string({ unit: "grapheme", maxLength: 10 }),
);
const labelArb = fc.constantFrom("home", "work", "mobile", "other", "", "Main", "homeFax", "WORK", "Custom label", " pager ", "googleVoice", "workMobile", "école");
const emailArb = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/), fc.stringMatching(/^[a-z]{1,6}$/))
  .map(([local, domain]) => `${local}@${domain}.test`);
const phoneArb = fc.constantFrom(
  "+1 415 555 0100",
  "(415) 555-0101",
  "415.555.0102",
  "+1 212 555 0199",
  "+44 20 7946 0000",
  "+49 30 901820",
  "+33 1 23 45 67 89",
  "+81 3-1234-5678",
  "+61 2 9876 5432",
  "+55 11 91234-5678",
  "ext 12",
  "234456",
  "call reception",
);
const addressArb = fc.option(
  fc.oneof(
    fc.constantFrom("1 Main St, Springfield", "Flat 2, 10 Downing St, London, SW1A 2AA, UK", "東京都千代田区1-1", "12 Rue X\nParis", "PO Box 7"),
    fc.string({ unit: "grapheme", maxLength: 16 }),
  ),
  { nil: null },
);
const textArb = fc.option(fc.oneof(fc.constantFrom("Acme", "Initech GmbH", "株式会社テスト"), fc.string({ unit: "grapheme", maxLength: 12 })), { nil: null });
const notesArb = fc.option(
  fc.array(fc.oneof(fc.constantFrom("Met at the fair.", "", "  Likes tea.  ", "Ünïcödé ✓"), fc.string({ maxLength: 10 })), { maxLength: 4 }).map((lines) => lines.join("\n")),
  { nil: null },
);
const contactArb: fc.Arbitrary<Contact> = fc.record({
  firstName: nameArb,
  lastName: nameArb,
  emails: fc.array(fc.record({ value: emailArb, label: labelArb }), { maxLength: 4 }),
  phones: fc.array(fc.record({ value: phoneArb, label: labelArb }), { maxLength: 5 }),
  address: addressArb,
  postalAddress: addressArb,
  ims: fc.array(fc.constantFrom("skype:ana", "ana@jabber.org", "sip:garth@contoso.com", "  ana_l ", "微信号", "Ana"), { maxLength: 3 }),
  organization: textArb,
  jobTitle: textArb,
  notes: notesArb,
  birthday: birthdayArb(1900),
});

// ---- a small Google: what the server adds to what it stores ----------------------------------

const SOURCE = { type: "CONTACT", id: "8e620c78e01409e" };
const WRITABLE_MAPPED = ["names", "emailAddresses", "phoneNumbers", "addresses", "imClients", "organizations", "biographies", "birthdays"] as const;

/** The person as Google returns it: item metadata, display names, canonicalForm, group ids. */
function serve(stored: Person): Person {
  const out: Person = { ...clone(stored), metadata: { sources: [{ ...SOURCE, etag: "#abc" }], objectType: "PERSON" } };
  for (const field of WRITABLE_MAPPED) {
    const items = out[field] as { metadata?: people_v1.Schema$FieldMetadata }[] | undefined;
    items?.forEach((item, i) => (item.metadata = { ...(i === 0 ? { primary: true } : {}), source: SOURCE }));
  }
  out.names = out.names?.map((stored) => {
    // Google splits a free-form name it is given when there are no parts.
    const tokens = (stored.unstructuredName ?? "").trim().split(/\s+/).filter(Boolean);
    const n = !stored.givenName && !stored.familyName && !stored.middleName && tokens.length > 0 ? { ...stored, givenName: tokens.slice(0, -1).join(" ") || tokens[0], familyName: tokens.length > 1 ? tokens.at(-1) : undefined } : stored;
    const display = [n.givenName, n.middleName, n.familyName].filter(Boolean).join(" ");
    return display ? { ...n, displayName: display, unstructuredName: n.unstructuredName ?? display } : n;
  });
  out.phoneNumbers = out.phoneNumbers?.map((p) => {
    const parsed = parsePhoneNumberFromString(p.value ?? "", "US");
    return parsed?.isValid() ? { ...p, canonicalForm: parsed.number } : p;
  });
  out.memberships = out.memberships?.map((m) => ({
    contactGroupMembership: { ...m.contactGroupMembership, contactGroupId: m.contactGroupMembership?.contactGroupResourceName?.replace("contactGroups/", "") },
  }));
  return out;
}

const created = (c: Contact): Person => serve({ ...write(c, null).person, resourceName: "people/c1", etag: "%E1" });

/** updateContact: every masked field is replaced by the body's (absent means cleared). */
function applyUpdate(current: Person, body: Person, mask: string[]): Person {
  const next: Record<string, unknown> = { ...clone(current), etag: `${current.etag}+` };
  for (const field of mask) next[field] = (body as Record<string, unknown>)[field] ?? [];
  return serve(next as Person);
}

/** What a user's edits in Google Contacts add around our fields: read identically, written never. */
function decorate(person: Person): Person {
  const p = clone(person);
  p.names = p.names?.length ? [{ ...p.names[0], middleName: "Quincy", honorificPrefix: "Dr." }] : [{ middleName: "Quincy" }];
  p.organizations = p.organizations?.length ? [{ ...p.organizations[0], department: "R&D" }, ...p.organizations.slice(1)] : [{ department: "R&D", type: "work" }];
  p.emailAddresses = p.emailAddresses?.map((e) => ({ ...e, displayName: "Ana at work", value: (e.value ?? "").toUpperCase() }));
  p.phoneNumbers = p.phoneNumbers?.map((ph) => {
    const parsed = parsePhoneNumberFromString(ph.value ?? "", "US");
    return parsed?.isValid() ? { ...ph, value: parsed.formatInternational(), canonicalForm: parsed.number } : ph;
  });
  p.nicknames = [{ value: "Q" }];
  p.urls = [{ value: "https://example.test", type: "homePage" }];
  p.biographies = p.biographies?.map((b) => ({ ...b, contentType: "TEXT_PLAIN" }));
  return p;
}

/** Persons as found in the wild: structured-only addresses, text birthdays, duplicates, HTML notes. */
const wildPersonArb: fc.Arbitrary<Person> = fc
  .record({
    given: nameArb,
    family: nameArb,
    emails: fc.array(fc.record({ value: emailArb, type: fc.option(fc.constantFrom("home", "work", "other", "Custom", "WORK"), { nil: undefined }), displayName: fc.option(fc.constantFrom("Ana", "Büro"), { nil: undefined }) }), { maxLength: 4 }),
    phones: fc.array(fc.record({ value: phoneArb, type: fc.option(fc.constantFrom("mobile", "homeFax", "main", "work", "Car"), { nil: undefined }) }), { maxLength: 4 }),
    home: fc.option(fc.oneof(fc.record({ formattedValue: fc.constantFrom("rue des Grouettes\n26\n78790 Courgent\nFrance", "1 Main St") }), fc.record({ streetAddress: fc.constantFrom("1 Main St", "Apt 4\n5 Elm Rd"), city: fc.constantFrom("Springfield", ""), postalCode: fc.constantFrom("12345", "") })), { nil: undefined }),
    homeType: fc.constantFrom(undefined, "home", "other", "cottage"),
    work: fc.option(fc.record({ streetAddress: fc.constantFrom("9 Dock Rd", "Unit 5"), region: fc.constantFrom("CA", ""), country: fc.constantFrom("USA", "") }), { nil: undefined }),
    ims: fc.array(fc.record({ username: fc.constantFrom("ana", " ana ", "skype:bea"), protocol: fc.constantFrom("skype", "jabber") }), { maxLength: 3 }),
    org: fc.option(fc.record({ name: fc.option(fc.constantFrom("Acme", "Initech"), { nil: undefined }), title: fc.option(fc.constantFrom("CTO", "Chef"), { nil: undefined }), department: fc.constantFrom("Sales", "R&D") }), { nil: undefined }),
    pastOrg: fc.boolean(),
    bio: fc.option(fc.record({ value: fc.constantFrom("Likes tea.", "<b>VIP</b>", "Two\r\nlines  "), contentType: fc.constantFrom("TEXT_PLAIN", "TEXT_HTML") }), { nil: undefined }),
    birthday: fc.option(fc.oneof(fc.record({ date: fc.record({ year: fc.constantFrom(0, 1990, 2004), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }) }) }), fc.record({ text: fc.constantFrom("1990-5-1", "05-01", "--12-24", "next tuesday") })), { nil: undefined }),
  })
  .map((w) =>
    serve({
      resourceName: "people/c2",
      etag: "%E2",
      names: w.given || w.family ? [{ givenName: w.given || undefined, familyName: w.family || undefined, honorificSuffix: "Jr." }] : undefined,
      emailAddresses: w.emails,
      phoneNumbers: w.phones,
      addresses: [...(w.home ? [{ ...w.home, type: w.homeType }] : []), ...(w.work ? [{ ...w.work, type: "work" }] : [])],
      imClients: w.ims,
      organizations: w.org ? [w.org, ...(w.pastOrg ? [{ name: "Old Co", current: false }] : [])] : undefined,
      biographies: w.bio ? [w.bio] : undefined,
      birthdays: w.birthday ? [w.birthday] : undefined,
      memberships: [{ contactGroupMembership: { contactGroupResourceName: GROUP } }],
    }),
  );

const RUNS = { numRuns: 250 };

// ---- properties --------------------------------------------------------------------------------

describe("Google mapping: round trips", () => {
  it("reads a created person back as the projected contact", () => {
    fc.assert(
      fc.property(contactArb, (c) => {
        const { person, updatePersonFields } = write(c, null);
        const back = read(serve({ ...person, resourceName: "people/c1", etag: "%E1" }));
        expect(back.contact).toEqual(expected(c));
        expect(back.inScope).toBe(true);
        expect([...updatePersonFields].sort()).toEqual(WRITABLE_MAPPED.filter((f) => person[f] !== undefined).sort());
      }),
      RUNS,
    );
  });

  it("reads an updated person back as the new contact, and the update leaves nothing more to write", () => {
    fc.assert(
      fc.property(contactArb, contactArb, fc.boolean(), (c1, c2, decorated) => {
        const before = decorated ? decorate(created(c1)) : created(c1);
        const { person: body, updatePersonFields } = write(c2, before);
        expect(body.etag).toBe(before.etag);
        expect(body.resourceName).toBe(before.resourceName);
        expect(Object.keys(body).filter((k) => k !== "etag" && k !== "resourceName").sort()).toEqual([...updatePersonFields].sort());
        const after = applyUpdate(before, body, updatePersonFields);
        expect(read(after).contact).toEqual(expected(c2));
        expect(write(c2, after).updatePersonFields).toEqual([]);
      }),
      RUNS,
    );
  });

  it("updates wild persons (structured addresses, text birthdays, duplicates) to exactly the new contact", () => {
    fc.assert(
      fc.property(wildPersonArb, contactArb, (before, c2) => {
        // Clearing the organization of a person with a past one promotes it (see the example below).
        fc.pre(!(before.organizations?.length === 2 && c2.organization === null && c2.jobTitle === null));
        const { person: body, updatePersonFields } = write(c2, before);
        expect(read(applyUpdate(before, body, updatePersonFields)).contact).toEqual(expected(c2));
      }),
      RUNS,
    );
  });

  it("writes nothing when the contact is the one just read (no echo)", () => {
    fc.assert(
      fc.property(fc.oneof(wildPersonArb, contactArb.map(created), contactArb.map((c) => decorate(created(c)))), (person) => {
        expect(write(read(person).contact, person).updatePersonFields).toEqual([]);
      }),
      RUNS,
    );
  });

  it("never sends more than one item of a singleton field", () => {
    fc.assert(
      fc.property(contactArb, wildPersonArb, (c, current) => {
        for (const { person } of [write(c, null), write(c, current)]) {
          for (const field of ["names", "biographies", "birthdays"] as const) expect((person[field] ?? []).length).toBeLessThanOrEqual(1);
        }
      }),
      RUNS,
    );
  });

  it("reads only what projectForGoogle keeps, and projecting twice changes nothing", () => {
    fc.assert(
      fc.property(contactArb, wildPersonArb, (c, person) => {
        const once = expected(c);
        expect(projectForGoogle(once)).toEqual(once);
        const got = read(person).contact;
        expect(projectForGoogle(got)).toEqual(got);
      }),
      RUNS,
    );
  });

  it("projects a normalised contact onto itself, except birthdays Google cannot hold", () => {
    fc.assert(
      fc.property(contactArb, (c) => {
        const n = normalizeContact(c, "US");
        const projected = projectForGoogle(n);
        expect({ ...projected, birthday: null }).toEqual({ ...n, birthday: null });
        if (n.birthday !== "--02-30" && !n.birthday?.startsWith("0000-")) expect(projected.birthday).toBe(n.birthday);
      }),
      RUNS,
    );
    expect(projectForGoogle(contact({ birthday: "0000-07-01" })).birthday).toBe("--07-01");
    expect(projectForGoogle(contact({ birthday: "--02-30" })).birthday).toBeNull();
    expect(projectForGoogle(contact({ birthday: "--02-29" })).birthday).toBe("--02-29");
  });
});

// ---- realistic payloads --------------------------------------------------------------------------

/** The captured createContact response (provider-apis.md, section 4). */
const CAPTURED: Person = {
  resourceName: "people/c641236038399901854",
  etag: "%EigBAgMEBQYHCAkKCwwNDg8QERITFBUWFxkfISIjJCUmJy40NTc9Pj9AGgQBAgUHIgxiVWs4MVRkenh0Yz0=",
  metadata: {
    sources: [
      { type: "CONTACT", id: "8e620c78e01409e", etag: "#bUk81Tdzxtc=", updateTime: "2023-03-29T08:09:22.140191Z" },
      { type: "PROFILE", id: "100997152194831127595", etag: "#ljYY7oWcZ94=", profileMetadata: { objectType: "PERSON", userTypes: ["GOOGLE_USER"] }, updateTime: "2023-03-25T15:01:08.738314Z" },
    ],
    objectType: "PERSON",
  },
  names: [
    {
      metadata: { primary: true, source: { type: "CONTACT", id: "8e620c78e01409e" } },
      displayName: "Daniele Buono",
      familyName: "Buono",
      givenName: "Daniele",
      displayNameLastFirst: "Buono, Daniele",
      unstructuredName: "Daniele Buono",
    },
  ],
  photos: [{ metadata: { source: { type: "CONTACT", id: "8e620c78e01409e" } }, url: "https://lh3.googleusercontent.com/cm/AAkd=s100", default: true }],
  emailAddresses: [{ metadata: { primary: true, source: { type: "CONTACT", id: "8e620c78e01409e" } }, value: "dennyno01@gmail.com" }],
  phoneNumbers: [{ metadata: { primary: true, source: { type: "CONTACT", id: "8e620c78e01409e" } }, value: "234456" }],
  memberships: [
    { metadata: { source: { type: "CONTACT", id: "8e620c78e01409e" } }, contactGroupMembership: { contactGroupId: "myContacts", contactGroupResourceName: "contactGroups/myContacts" } },
  ],
};

describe("Google mapping: reading real payloads", () => {
  it("reads the captured createContact response", () => {
    expect(readGooglePerson(CAPTURED, { groupResourceName: "contactGroups/myContacts", defaultCountry: "US" })).toEqual({
      id: "people/c641236038399901854",
      etag: CAPTURED.etag,
      deleted: false,
      inScope: true,
      contact: contact({ firstName: "Daniele", lastName: "Buono", emails: [{ value: "dennyno01@gmail.com", label: "other" }], phones: [{ value: "234456", label: "other" }] }),
      oversize: [],
      photoUrl: null,
      previousIds: [],
    });
  });

  it("puts a person outside the synced group out of scope", () => {
    expect(read(CAPTURED).inScope).toBe(false);
    expect(read({ ...CAPTURED, memberships: [{ contactGroupMembership: { contactGroupId: "4f2a9c" } }] }).inScope).toBe(true);
  });

  it("reads a deleted tombstone as deleted, out of scope and empty, with its earlier ids", () => {
    const tombstone: Person = { resourceName: "people/c9", etag: "%E9", metadata: { deleted: true, previousResourceNames: ["people/c8"] } };
    expect(read(tombstone)).toEqual({ id: "people/c9", etag: "%E9", deleted: true, inScope: false, contact: EMPTY_CONTACT, oversize: [], photoUrl: null, previousIds: ["people/c8"] });
    expect(read({ ...CAPTURED, metadata: { deleted: true } }).inScope).toBe(false);
  });

  it("takes the first photo that is not a generated placeholder", () => {
    const photos = [{ url: "https://x.test/default", default: true }, { url: "https://x.test/mine" }, { url: "https://x.test/other" }];
    expect(read({ ...CAPTURED, photos }).photoUrl).toBe("https://x.test/mine");
  });

  it("reads the first non-work address as the address and the first work address as the postal address", () => {
    const person: Person = {
      addresses: [
        {
          formattedValue: "rue des Grouettes\n26\n78790 Courgent, Yvelines, Ile de France\nFrance",
          type: "work",
          formattedType: "Work",
          poBox: "26",
          streetAddress: "rue des Grouettes",
          city: "Courgent",
          region: "Yvelines, Ile de France",
          postalCode: "78790",
          country: "France",
          countryCode: "FR",
        },
        { type: "work", formattedValue: "Second office" },
        { type: "cottage", streetAddress: "1 Lake Rd", city: "Bala", postalCode: "P0C 1A0", country: "Canada" },
        { type: "home", formattedValue: "Later home" },
      ],
    };
    const c = read(person).contact;
    expect(c.postalAddress).toBe("rue des Grouettes, 26, 78790 Courgent, Yvelines, Ile de France, France");
    expect(c.address).toBe("1 Lake Rd, Bala, P0C 1A0, Canada");
  });

  it("reads labels from types, 'other' when absent, and prefers a valid canonicalForm for phones", () => {
    const c = read({
      emailAddresses: [{ value: "Ana@Example.test", type: "Work" }, { value: "b@x.test" }],
      phoneNumbers: [
        { value: "020 7946 0000", canonicalForm: "+442079460000", type: "workMobile" },
        { value: "+1 555 0100 123", canonicalForm: "+15550100123", type: "homeFax" },
        { value: "ext 12" },
      ],
    }).contact;
    expect(c.emails).toEqual([
      { value: "ana@example.test", label: "work" },
      { value: "b@x.test", label: "other" },
    ]);
    expect(c.phones).toEqual([
      { value: "+1 555 0100 123", label: "homefax" },
      { value: "+442079460000", label: "workmobile" },
      { value: "ext 12", label: "other" },
    ]);
  });

  it("reads birthdays from the date, year 0 as no year, and only ISO-like free text", () => {
    const birthday = (b: people_v1.Schema$Birthday) => read({ birthdays: [b] }).contact.birthday;
    expect(birthday({ date: { year: 1974, month: 7, day: 2 } })).toBe("1974-07-02");
    expect(birthday({ date: { year: 0, month: 12, day: 24 } })).toBe("--12-24");
    expect(birthday({ date: { month: 2, day: 29 } })).toBe("--02-29");
    expect(birthday({ date: { year: 1990 } })).toBeNull();
    expect(birthday({ text: "1990-5-1" })).toBe("1990-05-01");
    expect(birthday({ text: "05-01" })).toBe("--05-01");
    expect(birthday({ text: "--05-01" })).toBe("--05-01");
    expect(birthday({ text: "next tuesday" })).toBeNull();
    expect(birthday({ text: "1990-02-30" })).toBeNull();
  });

  it("asks for every field it maps in its read mask", () => {
    expect(GOOGLE_PERSON_FIELDS.split(",")).toEqual(expect.arrayContaining([...WRITABLE_MAPPED, "memberships", "photos", "metadata"]));
  });
});

// ---- writing: what must survive --------------------------------------------------------------------

/** A person a user edited in Google Contacts: much of it is not ours to change. */
const EDITED: Person = serve({
  resourceName: "people/c77",
  etag: "%E77",
  names: [{ givenName: "Ana", middleName: "Beatriz", familyName: "Lima", honorificPrefix: "Dr." }],
  emailAddresses: [{ value: "ana@acme.test", type: "work", displayName: "Ana (Acme)" }],
  phoneNumbers: [{ value: "(415) 555-0100", type: "mobile" }],
  addresses: [
    { type: "home", formattedValue: "1 Main St, Springfield" },
    { type: "work", streetAddress: "9 Dock Rd", city: "Oakland", region: "CA", countryCode: "US" },
    { type: "other", formattedValue: "Holiday flat, Lisbon" },
  ],
  organizations: [{ name: "Acme", title: "CTO", department: "R&D", type: "work" }, { name: "Old Co", current: false }],
  biographies: [{ value: "Likes tea.", contentType: "TEXT_PLAIN" }],
  birthdays: [{ date: { month: 5, day: 1 } }],
  nicknames: [{ value: "Bia" }],
  memberships: [{ contactGroupMembership: { contactGroupResourceName: GROUP } }],
});

describe("Google mapping: writing keeps what it does not map", () => {
  it("changes only the notes when only the notes changed, and keeps everything else as it was", () => {
    const c = read(EDITED).contact;
    const { person: body, updatePersonFields } = write({ ...c, notes: "Likes tea.\nAnd coffee." }, EDITED);
    expect(updatePersonFields).toEqual(["biographies"]);
    expect(body).toEqual({
      resourceName: "people/c77",
      etag: "%E77",
      biographies: [{ metadata: EDITED.biographies?.[0]?.metadata, value: "Likes tea.\nAnd coffee.", contentType: "TEXT_PLAIN" }],
    });
    const after = applyUpdate(EDITED, body, updatePersonFields);
    expect({ ...after, biographies: undefined, etag: undefined }).toEqual({ ...EDITED, biographies: undefined, etag: undefined });
  });

  it("keeps kept items as they are (display name, formatting, metadata), changing only a changed label's type", () => {
    const c = read(EDITED).contact;
    const { person: body, updatePersonFields } = write(
      { ...c, emails: [...c.emails, { value: "ana@home.test", label: "home" }], phones: [{ value: "+14155550100", label: "homefax" }] },
      EDITED,
    );
    expect(updatePersonFields).toEqual(["emailAddresses", "phoneNumbers"]);
    expect(body.emailAddresses).toEqual([EDITED.emailAddresses?.[0], { value: "ana@home.test", type: "home" }]);
    expect(body.phoneNumbers).toEqual([{ metadata: EDITED.phoneNumbers?.[0]?.metadata, value: "(415) 555-0100", canonicalForm: "+14155550100", type: "homeFax" }]);
  });

  it("keeps the other name parts, the department and later organizations when names and job change", () => {
    const c = read(EDITED).contact;
    const { person: body, updatePersonFields } = write({ ...c, firstName: "Anna", organization: "Initech", jobTitle: null }, EDITED);
    expect(updatePersonFields).toEqual(["names", "organizations"]);
    expect(body.names).toEqual([{ metadata: EDITED.names?.[0]?.metadata, givenName: "Anna", middleName: "Beatriz", familyName: "Lima", honorificPrefix: "Dr." }]);
    expect(body.organizations).toEqual([{ metadata: EDITED.organizations?.[0]?.metadata, name: "Initech", department: "R&D", type: "work" }, EDITED.organizations?.[1]]);
  });

  it("replaces only the mapped address that changed, keeping the others in place", () => {
    const c = read(EDITED).contact;
    expect(c.postalAddress).toBe("9 Dock Rd, Oakland, CA");
    const { person: body, updatePersonFields } = write({ ...c, address: "2 Side St, Springfield" }, EDITED);
    expect(updatePersonFields).toEqual(["addresses"]);
    expect(body.addresses).toEqual([
      { metadata: EDITED.addresses?.[0]?.metadata, type: "home", formattedValue: "2 Side St, Springfield", streetAddress: "2 Side St, Springfield" },
      EDITED.addresses?.[1],
      EDITED.addresses?.[2],
    ]);
  });

  it("clears a field that became empty with an empty list in the mask", () => {
    const c = read(EDITED).contact;
    const { person: body, updatePersonFields } = write({ ...c, notes: null, birthday: null, emails: [] }, EDITED);
    expect(updatePersonFields).toEqual(["emailAddresses", "biographies", "birthdays"]);
    expect(body).toMatchObject({ emailAddresses: [], biographies: [], birthdays: [] });
  });

  it("promotes the next item of a kind when the one we map is cleared (known limit of first-item mapping)", () => {
    const c = read(EDITED).contact;
    const { person: body, updatePersonFields } = write({ ...c, address: null, organization: null, jobTitle: null }, EDITED);
    const after = read(applyUpdate(EDITED, body, updatePersonFields)).contact;
    // The department keeps organizations[0], so no promotion there; the "other" address moves up.
    expect(after.organization).toBeNull();
    expect(after.address).toBe("Holiday flat, Lisbon");
  });

  it("creates a contact in the group with Google's own spelling of predefined types", () => {
    const { person, updatePersonFields } = write(
      contact({ firstName: "Ana", phones: [{ value: "+14155550100", label: "homefax" }, { value: "+14155550101", label: "Car" }], birthday: "--05-01" }),
      null,
    );
    expect(person).toEqual({
      names: [{ givenName: "Ana" }],
      phoneNumbers: [
        { value: "+14155550100", type: "homeFax" },
        { value: "+14155550101", type: "car" },
      ],
      birthdays: [{ date: { month: 5, day: 1 } }],
      memberships: [{ contactGroupMembership: { contactGroupResourceName: GROUP } }],
    });
    expect(updatePersonFields).toEqual(["names", "phoneNumbers", "birthdays"]);
  });
});
