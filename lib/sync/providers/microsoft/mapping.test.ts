import type { Contact as GraphContact } from "@microsoft/microsoft-graph-types";
import fc from "fast-check";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { describe, expect, it } from "vitest";
import { birthdayArb, notesArb } from "@/tests/kit/contact-arbitraries";
import { EMPTY_CONTACT, normalizeContact, type Contact } from "@/lib/sync/model/contact";
import { GRAPH_CONTACT_SELECT, GRAPH_LIMITS, projectForGraph, readGraphContact, writeGraphContact, type GraphContactItem } from "./mapping";

const FOLDER = "AAMkAGI2AAEOAAA=";
const opts = { folderId: FOLDER, defaultCountry: "US" };
const read = (item: GraphContactItem) => readGraphContact(item, opts);
const write = (contact: Contact, current: GraphContact | null) => writeGraphContact(contact, current, opts);
const expected = (c: Contact) => projectForGraph(normalizeContact(c, "US"));
const contact = (over: Partial<Contact>): Contact => ({ ...EMPTY_CONTACT, ...over });

/** The properties we map, i.e. the only ones a body may carry. */
const WRITTEN = new Set([
  "givenName",
  "surname",
  "displayName",
  "emailAddresses",
  "mobilePhone",
  "businessPhones",
  "homePhones",
  "imAddresses",
  "homeAddress",
  "businessAddress",
  "companyName",
  "jobTitle",
  "personalNotes",
  "birthday",
]);

// ---- generators: values that mean something after normalisation -----------------------------

const nameArb = fc.oneof(
  fc.constantFrom("Ana", "José", "Zoë", "Łukasz", "李", "王小明", "Дмитрий", "محمد", "O'Neil", "van der Berg", "  Ana  Maria ", "Jose\u0301", ""),
  fc.string({ unit: "grapheme", maxLength: 10 }),
);
const labelArb = fc.constantFrom("home", "work", "mobile", "other", "", "Main", "homeFax", "WORK", "Custom label", "pager");
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
  "ext 12",
  "234456",
);
const addressArb = fc.option(
  fc.oneof(
    fc.constantFrom("1 Main St, Springfield", "Flat 2, 10 Downing St, London, SW1A 2AA, UK", "東京都千代田区1-1", "12 Rue X\nParis", "a, , b", "x ,y", "a , b", "Seattle, WA"),
    fc.string({ unit: "grapheme", maxLength: 16 }),
  ),
  { nil: null },
);
const textArb = fc.option(fc.oneof(fc.constantFrom("Acme", "Contoso, Inc.", "株式会社テスト"), fc.string({ unit: "grapheme", maxLength: 12 })), { nil: null });
const contactArb: fc.Arbitrary<Contact> = fc.record({
  firstName: nameArb,
  lastName: nameArb,
  emails: fc.array(fc.record({ value: emailArb, label: labelArb }), { maxLength: 5 }),
  phones: fc.array(fc.record({ value: phoneArb, label: labelArb }), { maxLength: 7 }),
  address: addressArb,
  postalAddress: addressArb,
  ims: fc.array(fc.constantFrom("skype:ana", "ana@jabber.org", "sip:garth@contoso.com", "  ana_l ", "微信号"), { maxLength: 5 }),
  organization: textArb,
  jobTitle: textArb,
  notes: notesArb(["Met at the fair.", "", "  Likes tea.  ", "Ünïcödé ✓"]),
  birthday: birthdayArb(1700),
});

// ---- a small Graph, as the emulator models it ---------------------------------------------------

/** POST/PATCH result: caps enforced, birthdays as ISO UTC, displayName generated when not given. */
function serve(stored: GraphContactItem): GraphContactItem {
  for (const [prop, max] of Object.entries(GRAPH_LIMITS)) {
    const value = (stored as Record<string, unknown>)[prop];
    if (Array.isArray(value) && value.length > max) throw new Error(`ErrorInvalidProperty: ${prop} has ${value.length} entries`);
  }
  const out: GraphContactItem = { homePhones: [], businessPhones: [], imAddresses: [], emailAddresses: [], homeAddress: {}, businessAddress: {}, personalNotes: "", ...stored };
  if (out.birthday) out.birthday = new Date(Date.parse(out.birthday)).toISOString().replace(".000Z", "Z");
  out.displayName ??= [out.givenName, out.surname].filter(Boolean).join(" ") || out.companyName || out.emailAddresses?.[0]?.address || "";
  return out;
}

const created = (c: Contact): GraphContactItem => serve({ ...write(c, null).body, id: "AAMk1", changeKey: "ck1", parentFolderId: FOLDER });
/** PATCH semantics: a top-level merge, arrays and addresses replaced. */
const patched = (current: GraphContactItem, body: Partial<GraphContact>) => serve({ ...current, ...body, changeKey: `${current.changeKey}+` });

/** A user's edits in Outlook around our properties: read identically, never written by us. */
function decorate(item: GraphContactItem): GraphContactItem {
  const formatted = (p: string) => {
    const parsed = parsePhoneNumberFromString(p, "US");
    return parsed?.isValid() ? parsed.formatInternational() : p;
  };
  const structured = (a: GraphContact["homeAddress"]) => {
    const pieces = (a?.street ?? "").split(", ");
    if (pieces.length > 5 || pieces.some((p) => p === "" || p !== p.trim())) return a;
    const [street, city, state, postalCode, countryOrRegion] = pieces;
    return { street, city, state, postalCode, countryOrRegion };
  };
  return {
    ...item,
    middleName: "Quincy",
    nickName: "Q",
    categories: ["VIP"],
    department: "R&D",
    otherAddress: { street: "Holiday flat", city: "Lisbon" },
    emailAddresses: item.emailAddresses?.map((e) => ({ name: "Ana", address: (e.address ?? "").toUpperCase() })),
    mobilePhone: item.mobilePhone ? formatted(item.mobilePhone) : item.mobilePhone,
    businessPhones: item.businessPhones?.map(formatted),
    homePhones: item.homePhones?.map(formatted),
    homeAddress: structured(item.homeAddress),
    businessAddress: structured(item.businessAddress),
    birthday: item.birthday?.replace("T00:00:00Z", "T11:59:00Z"),
  };
}

/** Contacts as Outlook users leave them: display-name-only names, a number in two slots, multi-line streets. */
const wildArb: fc.Arbitrary<GraphContactItem> = fc
  .record({
    givenName: fc.constantFrom(null, "", "Garth", "  Ana "),
    surname: fc.constantFrom(null, "", "Fort"),
    displayName: fc.constantFrom(null, "", "Reception", "Dr. Garth Fort (Contoso)"),
    emails: fc.array(fc.record({ name: fc.constantFrom("Garth", "x"), address: emailArb }), { maxLength: 3 }),
    mobilePhone: fc.constantFrom(null, "", "+1 425 555 0109", "(415) 555-0100"),
    businessPhones: fc.array(fc.constantFrom("+1 425 555 0109", "+44 20 7946 0000", "ext 12"), { maxLength: 2 }),
    homePhones: fc.array(fc.constantFrom("415-555-0101", "+49 30 901820"), { maxLength: 2 }),
    imAddresses: fc.array(fc.constantFrom("sip:garthf@contoso.com", " skype:ana "), { maxLength: 3 }),
    homeAddress: fc.constantFrom({}, { street: "1 Main St\r\nApt 4", city: "Springfield" }, { city: "Seattle", state: "WA" }),
    businessAddress: fc.constantFrom({}, { street: "123 Some street", city: "Seattle", state: "WA", postalCode: "98121", countryOrRegion: "USA" }),
    companyName: fc.constantFrom(null, "", "Contoso, Inc."),
    jobTitle: fc.constantFrom(null, "Web Marketing Manager"),
    personalNotes: fc.constantFrom("", "Line 1\r\nLine 2  \r\n"),
    birthday: fc.constantFrom(null, "1974-07-22", "1974-07-22T11:59:00Z", "1604-03-05T00:00:00Z", "1990-01-01T00:00:00.0000000Z"),
  })
  .map((w) => ({ ...w, emailAddresses: w.emails, emails: undefined, id: "AAMk2", changeKey: "ck2", parentFolderId: FOLDER, nickName: "Gar", categories: ["Blue"] }));

const anyCurrentArb = fc.oneof(contactArb.map(created), contactArb.map((c) => decorate(created(c))), wildArb);
const RUNS = { numRuns: 250 };

// ---- properties --------------------------------------------------------------------------------

describe("Graph mapping: round trips", () => {
  it("reads a created contact back as the projected contact, within Outlook's caps", () => {
    fc.assert(
      fc.property(contactArb, (c) => {
        const { body, changed } = write(c, null);
        expect(changed).toBe(true);
        expect(Object.keys(body).filter((k) => !WRITTEN.has(k))).toEqual([]);
        expect(read(created(c)).contact).toEqual(expected(c));
      }),
      RUNS,
    );
  });

  it("reads a patched contact back as the new contact, and the patch leaves nothing more to write", () => {
    fc.assert(
      fc.property(anyCurrentArb, contactArb, (current, c2) => {
        const { body, changed } = write(c2, current);
        expect(Object.keys(body).filter((k) => !WRITTEN.has(k))).toEqual([]);
        expect(body.displayName).toBeTypeOf("string");
        if (!changed) expect(Object.keys(body)).toEqual(["displayName"]);
        const after = patched(current, body);
        expect(read(after).contact).toEqual(expected(c2));
        expect(write(c2, after).changed).toBe(false);
      }),
      RUNS,
    );
  });

  it("writes nothing when the contact is the one just read (no echo)", () => {
    fc.assert(
      fc.property(anyCurrentArb, (current) => {
        const { body, changed } = write(read(current).contact, current);
        expect(changed).toBe(false);
        expect(Object.keys(body)).toEqual(["displayName"]);
        if (typeof current.displayName === "string") expect(body.displayName).toBe(current.displayName);
      }),
      RUNS,
    );
  });

  it("projects idempotently, within Graph's slots and caps, and reads only what it projects", () => {
    fc.assert(
      fc.property(contactArb, anyCurrentArb, (c, current) => {
        const once = expected(c);
        expect(projectForGraph(once)).toEqual(once);
        expect(once.emails.every((e) => e.label === "other")).toBe(true);
        expect(once.emails.length).toBeLessThanOrEqual(GRAPH_LIMITS.emailAddresses);
        expect(once.ims.length).toBeLessThanOrEqual(GRAPH_LIMITS.imAddresses);
        const count = (label: string) => once.phones.filter((p) => p.label === label).length;
        expect(count("mobile")).toBeLessThanOrEqual(1);
        expect(count("work")).toBeLessThanOrEqual(GRAPH_LIMITS.businessPhones);
        expect(count("home")).toBeLessThanOrEqual(GRAPH_LIMITS.homePhones);
        expect(once.phones.length).toBe(count("mobile") + count("work") + count("home"));
        const got = read(current).contact;
        expect(projectForGraph(got)).toEqual(got);
      }),
      RUNS,
    );
  });
});

// ---- projection rules ------------------------------------------------------------------------------

describe("projectForGraph", () => {
  it("keeps the first mobile and two work numbers, and makes every other number home while a home slot is free", () => {
    const projected = projectForGraph(
      normalizeContact(
        contact({
          phones: [
            { value: "+12125550199", label: "mobile" },
            { value: "+14155550100", label: "mobile" },
            { value: "+14155550101", label: "work" },
            { value: "+14155550102", label: "work" },
            { value: "+442079460000", label: "work" },
            { value: "+4930901820", label: "pager" },
            { value: "+61298765432", label: "home" },
          ],
        }),
        "US",
      ),
    );
    expect(projected.phones).toEqual([
      { value: "+12125550199", label: "mobile" },
      { value: "+14155550100", label: "home" },
      { value: "+14155550101", label: "work" },
      { value: "+14155550102", label: "work" },
      { value: "+442079460000", label: "home" },
    ]);
  });

  it("drops e-mail labels and keeps the first three e-mails and IM handles", () => {
    const projected = projectForGraph(
      normalizeContact(
        contact({
          emails: ["d@x.test", "a@x.test", "c@x.test", "b@x.test"].map((value) => ({ value, label: "work" })),
          ims: ["d", "c", "b", "a"],
        }),
        "US",
      ),
    );
    expect(projected.emails).toEqual(["a@x.test", "b@x.test", "c@x.test"].map((value) => ({ value, label: "other" })));
    expect(projected.ims).toEqual(["a", "b", "c"]);
  });

  it("reads Outlook's year 1604 and a year 0 as no year, and drops a year-less date that does not exist", () => {
    expect(projectForGraph(contact({ birthday: "1604-03-05" })).birthday).toBe("--03-05");
    expect(projectForGraph(contact({ birthday: "0000-07-01" })).birthday).toBe("--07-01");
    expect(projectForGraph(contact({ birthday: "--02-29" })).birthday).toBe("--02-29");
    expect(projectForGraph(contact({ birthday: "--02-30" })).birthday).toBeNull();
    expect(projectForGraph(contact({ birthday: "1974-07-22" })).birthday).toBe("1974-07-22");
  });
});

// ---- realistic payloads --------------------------------------------------------------------------

/** The GET sample of the Graph docs (provider-apis.md, section 8). */
const DOCS_SAMPLE: GraphContactItem = {
  id: "AAMkAGI2THk0AAA=",
  createdDateTime: "2014-10-19T23:08:24Z",
  lastModifiedDateTime: "2014-10-19T23:08:24Z",
  changeKey: "EQAAABYAAACd9nJ/tVysQos2hTfspaWRAAADTIa4",
  categories: [],
  parentFolderId: FOLDER,
  birthday: "1974-07-22",
  fileAs: "Fort, Garth",
  displayName: "Garth Fort",
  givenName: "Garth",
  surname: "Fort",
  emailAddresses: [{ name: "Garth", address: "garth@contoso.com" }],
  imAddresses: ["sip:garthf@contoso.com"],
  jobTitle: "Web Marketing Manager",
  companyName: "Contoso, Inc.",
  department: "Sales & Marketing",
  homePhones: [],
  mobilePhone: null,
  businessPhones: ["+1 425 555 0109"],
  homeAddress: {},
  businessAddress: { street: "123 Some street", city: "Seattle", state: "WA", postalCode: "98121", countryOrRegion: "USA" },
};

describe("Graph mapping: reading real payloads", () => {
  it("reads the docs' GET sample", () => {
    expect(read(DOCS_SAMPLE)).toEqual({
      id: "AAMkAGI2THk0AAA=",
      etag: "EQAAABYAAACd9nJ/tVysQos2hTfspaWRAAADTIa4",
      deleted: false,
      inScope: true,
      contact: contact({
        firstName: "Garth",
        lastName: "Fort",
        emails: [{ value: "garth@contoso.com", label: "other" }],
        phones: [{ value: "+14255550109", label: "work" }],
        postalAddress: "123 Some street, Seattle, WA, 98121, USA",
        ims: ["sip:garthf@contoso.com"],
        organization: "Contoso, Inc.",
        jobTitle: "Web Marketing Manager",
        birthday: "1974-07-22",
      }),
      oversize: [],
    });
  });

  it("reads an '@removed' delta item as deleted, out of scope and empty", () => {
    const removed: GraphContactItem = { "@odata.type": "#microsoft.graph.contact", id: "AAMk9", "@removed": { reason: "deleted" } } as GraphContactItem;
    expect(read(removed)).toEqual({ id: "AAMk9", etag: "", deleted: true, inScope: false, contact: EMPTY_CONTACT, oversize: [] });
    expect(read({ ...DOCS_SAMPLE, "@removed": { reason: "changed" } }).inScope).toBe(false);
  });

  it("puts a contact of another folder out of scope, and one without parentFolderId in it", () => {
    expect(read({ ...DOCS_SAMPLE, parentFolderId: "AAMkOTHER" }).inScope).toBe(false);
    expect(read({ ...DOCS_SAMPLE, parentFolderId: undefined }).inScope).toBe(true);
  });

  it("falls back to @odata.etag when there is no changeKey", () => {
    expect(read({ id: "AAMk3", "@odata.etag": 'W/"ck3"' }).etag).toBe('W/"ck3"');
  });

  it("reads birthdays by their UTC date, with 1604 as no year", () => {
    const birthday = (value: string) => read({ ...DOCS_SAMPLE, birthday: value }).contact.birthday;
    expect(birthday("1974-07-22T11:59:00Z")).toBe("1974-07-22");
    expect(birthday("1604-03-05T00:00:00Z")).toBe("--03-05");
    expect(birthday("1604-02-29T11:59:00Z")).toBe("--02-29");
    expect(birthday("1990-01-01T00:00:00.0000000Z")).toBe("1990-01-01");
    expect(birthday("1974-07-22T23:30:00-05:00")).toBe("1974-07-23");
    expect(birthday("not a date")).toBeNull();
  });

  it("reads a name-less contact's display name as its first name, and a number in two slots once, as mobile", () => {
    const c = read({ id: "AAMk4", displayName: "Reception", givenName: "", mobilePhone: "(415) 555-0100", homePhones: ["+1 415 555 0100"] }).contact;
    expect(c.firstName).toBe("Reception");
    expect(c.lastName).toBe("");
    expect(c.phones).toEqual([{ value: "+14155550100", label: "mobile" }]);
  });

  it("selects every property it reads", () => {
    const selected = GRAPH_CONTACT_SELECT.split(",");
    for (const prop of [...WRITTEN, "id", "changeKey", "parentFolderId"]) expect(selected).toContain(prop);
  });
});

// ---- writing ---------------------------------------------------------------------------------------

/** A contact an Outlook user keeps: much of it is not ours to change. */
const KEPT: GraphContactItem = {
  ...DOCS_SAMPLE,
  displayName: "Dr. Garth Fort (Contoso)",
  middleName: "Q.",
  nickName: "Gar",
  categories: ["VIP", "Golf"],
  otherAddress: { street: "Holiday flat", city: "Lisbon" },
  homePhones: ["(415) 555-0101"],
};

describe("Graph mapping: writing", () => {
  it("patches only what changed plus the current display name, never nickName, categories or other unmapped properties", () => {
    const c = read(KEPT).contact;
    const { body, changed } = write({ ...c, jobTitle: "CMO" }, KEPT);
    expect(changed).toBe(true);
    expect(body).toEqual({ jobTitle: "CMO", displayName: "Dr. Garth Fort (Contoso)" });
  });

  it("writes 'first last' as the display name when the names change", () => {
    const c = read(KEPT).contact;
    expect(write({ ...c, firstName: "Gareth" }, KEPT).body).toEqual({ givenName: "Gareth", surname: "Fort", displayName: "Gareth Fort" });
  });

  it("keeps the formatting of numbers it keeps and sends only the phone slots that change", () => {
    const c = read(KEPT).contact;
    const { body } = write({ ...c, phones: [...c.phones, { value: "+12125550199", label: "mobile" }] }, KEPT);
    expect(body).toEqual({ mobilePhone: "+12125550199", displayName: KEPT.displayName });
    const moved = write({ ...c, phones: c.phones.map((p) => ({ ...p, label: "home" })) }, KEPT).body;
    expect(moved).toEqual({ businessPhones: [], homePhones: ["(415) 555-0101", "+1 425 555 0109"], displayName: KEPT.displayName });
  });

  it("keeps an e-mail's display name when the e-mail stays", () => {
    const c = read(KEPT).contact;
    const { body } = write({ ...c, emails: [...c.emails, { value: "garth@home.test", label: "home" }] }, KEPT);
    expect(body.emailAddresses).toEqual([{ name: "Garth", address: "garth@contoso.com" }, { address: "garth@home.test" }]);
  });

  it("writes a changed address back into the parts it had when the pieces match, else all into street", () => {
    const c = read(KEPT).contact;
    const address = (text: string | null) => write({ ...c, postalAddress: text }, KEPT).body.businessAddress;
    expect(address("124 Some street, Seattle, WA, 98121, USA")).toEqual({ street: "124 Some street", city: "Seattle", state: "WA", postalCode: "98121", countryOrRegion: "USA" });
    expect(address("PO Box 7, Seattle")).toEqual({ street: "PO Box 7, Seattle", city: "", state: "", postalCode: "", countryOrRegion: "" });
    expect(address(null)).toEqual({ street: "", city: "", state: "", postalCode: "", countryOrRegion: "" });
    expect(write({ ...c, address: "1 Main St, Springfield" }, KEPT).body.homeAddress).toEqual({ street: "1 Main St, Springfield", city: "", state: "", postalCode: "", countryOrRegion: "" });
  });

  it("writes birthdays as midnight UTC, a year-less one in 1604, and clears with null", () => {
    const c = read(KEPT).contact;
    expect(write({ ...c, birthday: "--03-05" }, KEPT).body.birthday).toBe("1604-03-05T00:00:00Z");
    expect(write({ ...c, birthday: "1980-12-31" }, KEPT).body.birthday).toBe("1980-12-31T00:00:00Z");
    expect(write({ ...c, birthday: null }, KEPT).body.birthday).toBeNull();
  });

  it("creates a contact with every mapped property that has a value, and nothing else", () => {
    const { body } = write(
      contact({
        firstName: "Ana",
        lastName: "Lima",
        emails: [{ value: "Ana@Example.test", label: "work" }],
        phones: [
          { value: "(415) 555-0100", label: "mobile" },
          { value: "+44 20 7946 0000", label: "work" },
          { value: "+49 30 901820", label: "main" },
        ],
        address: "1 Main St",
        ims: ["skype:ana"],
        organization: "Acme",
        notes: "Likes tea.\nAnd coffee.",
        birthday: "--05-01",
      }),
      null,
    );
    expect(body).toEqual({
      displayName: "Ana Lima",
      givenName: "Ana",
      surname: "Lima",
      emailAddresses: [{ address: "ana@example.test" }],
      mobilePhone: "+14155550100",
      businessPhones: ["+442079460000"],
      homePhones: ["+4930901820"],
      imAddresses: ["skype:ana"],
      homeAddress: { street: "1 Main St", city: "", state: "", postalCode: "", countryOrRegion: "" },
      companyName: "Acme",
      personalNotes: "Likes tea.\nAnd coffee.",
      birthday: "1604-05-01T00:00:00Z",
    });
  });
});
