import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { birthdayArb, notesArb } from "@/tests/kit/contact-arbitraries";
import { EMPTY_CONTACT, normalizeContact, type Contact } from "@/lib/sync/model/contact";
import { projectForCardDav, readVCard, VCardError } from "./vcard";
import { setGroupMembers, writeVCard } from "./vcard-write";

const COUNTRY = "US";
const read = (text: string) => readVCard(text, { defaultCountry: COUNTRY });
const write = (c: Contact, previous: string | null, stamp?: string | null) => writeVCard(c, { previous, uid: "new-uid", stamp, defaultCountry: COUNTRY });
const expected = (c: Contact) => projectForCardDav(normalizeContact(c, COUNTRY));
const contact = (over: Partial<Contact>): Contact => ({ ...EMPTY_CONTACT, ...over });
const crlf = (text: string) => text.replace(/\r?\n/g, "\r\n");

/** The content lines of a card, each with its folding and line ending, in order. */
function linesOf(text: string): string[] {
  const lines: string[] = [];
  for (const row of text.split(/(?<=\n)/)) {
    if (/^[ \t]/.test(row) && lines.length > 0) lines[lines.length - 1] += row;
    else lines.push(row);
  }
  return lines;
}

/** What a write removed and added, line by line (a multiset difference). */
function diff(before: string, after: string): { removed: string[]; added: string[] } {
  const minus = (a: string[], b: string[]) => {
    const rest = [...b];
    return a.filter((line) => {
      const i = rest.indexOf(line);
      if (i >= 0) rest.splice(i, 1);
      return i < 0;
    });
  };
  return { removed: minus(linesOf(before), linesOf(after)), added: minus(linesOf(after), linesOf(before)) };
}

const octets = (line: string) => Buffer.byteLength(line.replace(/\r\n$/, ""));

// ---- realistic cards ---------------------------------------------------------------------------

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);
const foldedBase64 = (data: Buffer) => data.toString("base64").replace(/(.{74})/g, "$1\r\n ");

/** An iCloud export (3.0): item groups with X-ABLabel, Apple's wrapped labels, X-SOCIALPROFILE,
 * a year-less birthday, an inline photo, escaped text, folded lines. */
const APPLE = crlf(`BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.5.1//EN
N:Rodriguez;Abigail;Marie;Dr.;PhD
FN:Dr. Abigail Marie Rodriguez PhD
NICKNAME:Abby
ORG:Northwind Traders;Platform Engineering
TITLE:Senior Software Engineer
item1.EMAIL;type=INTERNET;type=pref:abigail52@outlook.com
item2.EMAIL;type=INTERNET:Abby@Climbing-Collective.org
item2.X-ABLabel:Climbing club
TEL;type=CELL;type=VOICE;type=pref:+1 (415) 555-0142
item3.TEL:+1 (415) 555-0187
item3.X-ABLabel:_$!<HomeFAX>!$_
item4.ADR;type=HOME;type=pref:;;2150 Divisadero St;San Francisco;CA;94115;United States
item4.X-ABADR:us
item5.ADR;type=WORK:;Suite 400;1 Market St;San Francisco;CA;94105;United States
item5.X-ABADR:us
item6.URL;type=pref:https://abigail.example
item6.X-ABLabel:_$!<HomePage>!$_
item7.X-ABRELATEDNAMES;type=pref:Daniel Rodriguez
item7.X-ABLabel:_$!<Spouse>!$_
IMPP;X-SERVICE-TYPE=Skype;type=pref:skype:abby.rod
BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-15
X-SOCIALPROFILE;type=linkedin;x-user=abigailrodriguez:https://www.linkedin.com/in/abigailrodriguez
NOTE:Met at the CRM fair in Oakland\\, 2023.\\nPrefers texts over calls\\; never
  on Sundays.
PHOTO;ENCODING=b;TYPE=JPEG:${foldedBase64(JPEG)}
CATEGORIES:Friends,Climbing
X-IMAGETYPE:PHOTO
REV:2024-05-01T10:22:31Z
UID:3b9f2c1e-7a4d-4f0e-9c21-5d8e6a1b0c01
END:VCARD
`);

/** Nextcloud / sabre/vobject 4.0. */
const NEXTCLOUD = crlf(`BEGIN:VCARD
VERSION:4.0
PRODID:-//Sabre//Sabre VObject 4.5.4//EN
UID:urn:uuid:6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f
FN:Åsa Öberg
N:Öberg;Åsa;;;
KIND:individual
EMAIL;TYPE=work;PREF=1:asa.oberg@example.se
EMAIL;TYPE=home:asa@home.example
TEL;TYPE="cell,voice";VALUE=uri:tel:+46-70-123-45-67
TEL;TYPE=work:+46 8 123 456 78
ADR;TYPE=home:;;Storgatan 1;Stockholm;;111 22;Sweden
IMPP;PREF=1:xmpp:asa@jabber.example
RELATED;TYPE=spouse:urn:uuid:0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d
URL;TYPE=home:https://asa.example
ORG:Nordlys AB
TITLE:VD
NOTE:Kaffe\\, inte te.\\nRing efter 10.
BDAY:--0415
PHOTO:data:image/png;base64,iVBORw0KGgo=
CATEGORIES:Kunder
X-CUSTOM-THING;X-PARAM=1:kept as is
REV:20240501T102231Z
END:VCARD
`);

/** A Google Contacts export (3.0). */
const GOOGLE = crlf(`BEGIN:VCARD
VERSION:3.0
FN:Lei Li
N:Li;Lei;;;
EMAIL;TYPE=INTERNET;TYPE=HOME:li.lei@example.cn
EMAIL;TYPE=INTERNET:lei@other.example
TEL;TYPE=CELL:(415) 555-0100
TEL:415.555.0101
ADR;TYPE=HOME:;;1 Main St;Springfield;IL;62701;US
ORG:Acme Inc.
TITLE:CTO
BDAY:1985-04-15
item1.X-ABDATE:2010-06-01
item1.X-ABLabel:_$!<Anniversary>!$_
item2.URL:https\\://lei.example
item2.X-ABLabel:
NOTE:李雷 likes tea
CATEGORIES:myContacts
END:VCARD
`);

/** Radicale (re-serialised by vobject) of a card Thunderbird made: folded lines, a lower-case
 * group, X-MOZILLA properties, a 2.1-style bare type. */
const RADICALE = crlf(`BEGIN:VCARD
VERSION:3.0
UID:tb-4a5b6c7d
FN:Hannah Kowalski
N:Kowalski;Hannah;;;
EMAIL;TYPE=WORK,VOICE:hannah.k@protonmail.com
TEL;CELL:+1 (646) 555-0157
TEL;type=work;type=voice:+1 (646) 555-0158
item1.ADR;TYPE=WORK:;;350 Fifth Avenue;New York;NY;10118;USA
X-JABBER:hanka@jabber.example
X-AIM:hanka77
NOTE:A very long note that Thunderbird wrote on one line and Radicale folded a
 t seventy-five octets\\, as RFC 6350 asks\\; it goes on for a while longer s
 o that it folds twice.
X-MOZILLA-HTML:FALSE
END:VCARD
`);

const REALISTIC = { APPLE, NEXTCLOUD, GOOGLE, RADICALE };

describe("vCard: reading real cards", () => {
  it("reads an iCloud card: item groups, Apple labels, the year-less birthday and the inline photo", () => {
    const got = read(APPLE);
    expect(got).toMatchObject({ uid: "3b9f2c1e-7a4d-4f0e-9c21-5d8e6a1b0c01", kind: "individual", version: "3.0", stamp: null, groupName: null, members: [] });
    expect(got.contact).toEqual({
      firstName: "Abigail",
      lastName: "Rodriguez",
      emails: [
        { value: "abby@climbing-collective.org", label: "climbing club" },
        { value: "abigail52@outlook.com", label: "other" },
      ],
      phones: [
        { value: "+14155550142", label: "mobile" },
        { value: "+14155550187", label: "homefax" },
      ],
      address: "2150 Divisadero St, San Francisco, CA, 94115, United States",
      postalAddress: "1 Market St, Suite 400, San Francisco, CA, 94105, United States",
      ims: ["skype:abby.rod"],
      organization: "Northwind Traders",
      jobTitle: "Senior Software Engineer",
      notes: "Met at the CRM fair in Oakland, 2023.\nPrefers texts over calls; never on Sundays.",
      birthday: "--04-15",
    });
    expect(got.photo).toEqual({ data: JPEG, contentType: "image/jpeg" });
  });

  it("reads a Nextcloud 4.0 card: tel: URIs, quoted TYPE lists, --MMDD and a data: photo", () => {
    const got = read(NEXTCLOUD);
    expect(got).toMatchObject({ uid: "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f", kind: "individual", version: "4.0" });
    expect(got.contact).toEqual({
      firstName: "Åsa",
      lastName: "Öberg",
      emails: [
        { value: "asa.oberg@example.se", label: "work" },
        { value: "asa@home.example", label: "home" },
      ],
      phones: [
        { value: "+46701234567", label: "mobile" },
        { value: "+46812345678", label: "work" },
      ],
      address: "Storgatan 1, Stockholm, 111 22, Sweden",
      postalAddress: null,
      ims: ["xmpp:asa@jabber.example"],
      organization: "Nordlys AB",
      jobTitle: "VD",
      notes: "Kaffe, inte te.\nRing efter 10.",
      birthday: "--04-15",
    });
    expect(got.photo).toEqual({ data: Buffer.from("iVBORw0KGgo=", "base64"), contentType: "image/png" });
  });

  it("reads a Google export: national numbers in the default country, no TYPE as 'other'", () => {
    expect(read(GOOGLE).contact).toEqual({
      firstName: "Lei",
      lastName: "Li",
      emails: [
        { value: "lei@other.example", label: "other" },
        { value: "li.lei@example.cn", label: "home" },
      ],
      phones: [
        { value: "+14155550100", label: "mobile" },
        { value: "+14155550101", label: "other" },
      ],
      address: "1 Main St, Springfield, IL, 62701, US",
      postalAddress: null,
      ims: [],
      organization: "Acme Inc.",
      jobTitle: "CTO",
      notes: "李雷 likes tea",
      birthday: "1985-04-15",
    });
    expect(read(GOOGLE).photo).toBeNull();
  });

  it("reads a folded Radicale card: TYPE lists in every spelling, X-JABBER and X-AIM as IM URIs", () => {
    const c = read(RADICALE).contact;
    expect(c.emails).toEqual([{ value: "hannah.k@protonmail.com", label: "work" }]);
    expect(c.phones).toEqual([
      { value: "+16465550157", label: "mobile" },
      { value: "+16465550158", label: "work" },
    ]);
    expect(c.postalAddress).toBe("350 Fifth Avenue, New York, NY, 10118, USA");
    expect(c.ims).toEqual(["aim:hanka77", "xmpp:hanka@jabber.example"]);
    expect(c.notes).toBe("A very long note that Thunderbird wrote on one line and Radicale folded at seventy-five octets, as RFC 6350 asks; it goes on for a while longer so that it folds twice.");
  });

  it("accepts LF line endings, lower-case names and parameters, and blank lines", () => {
    const c = read("begin:vcard\nversion:3.0\n\nn:Lima;Ana;;;\nemail;type=work:ana@x.test\ntel;type=cell:+1 415 555 0100\nend:vcard").contact;
    expect(c).toEqual(contact({ firstName: "Ana", lastName: "Lima", emails: [{ value: "ana@x.test", label: "work" }], phones: [{ value: "+14155550100", label: "mobile" }] }));
  });

  it("takes the name from FN when N is missing or empty, but not from a company card's FN", () => {
    const card = (lines: string) => crlf(`BEGIN:VCARD\nVERSION:3.0\n${lines}\nEND:VCARD\n`);
    expect(read(card("FN:José Luis Álvarez")).contact).toMatchObject({ firstName: "José Luis", lastName: "Álvarez" });
    expect(read(card("N:;;;;\nFN:Reception")).contact).toMatchObject({ firstName: "Reception", lastName: "" });
    expect(read(card("N:;;;;\nFN:Ridgeview Vet\nORG:Ridgeview Vet;\nX-ABShowAs:COMPANY")).contact).toMatchObject({ firstName: "", lastName: "", organization: "Ridgeview Vet" });
  });

  it("reads labels: Apple's X-ABLabel over TYPE, the usual TYPE combinations, any other TYPE as typed", () => {
    const card = crlf(`BEGIN:VCARD
VERSION:3.0
N:X;Y;;;
TEL;TYPE=WORK,FAX:+1 415 555 0101
TEL;TYPE=HOME;TYPE=FAX:+1 415 555 0102
TEL;TYPE=FAX:+1 415 555 0103
TEL;TYPE=WORK,CELL:+1 415 555 0104
TEL;TYPE=PAGER:+1 415 555 0105
TEL;TYPE=CAR:+1 415 555 0106
TEL;TYPE=PREF,VOICE:+1 415 555 0107
item1.TEL;TYPE=CELL:+1 415 555 0108
item1.X-ABLabel:_$!<Main>!$_
TEL;TYPE=IPHONE,CELL,VOICE:+1 415 555 0109
END:VCARD
`);
    expect(read(card).contact.phones.map((p) => p.label)).toEqual(["workfax", "homefax", "otherfax", "workmobile", "pager", "car", "other", "main", "mobile"]);
  });

  it("reads birthdays in every spelling, and drops what is not a date", () => {
    const bday = (line: string, version = "3.0") => read(crlf(`BEGIN:VCARD\nVERSION:${version}\nFN:A\n${line}\nEND:VCARD\n`)).contact.birthday;
    expect(bday("BDAY:1985-04-15")).toBe("1985-04-15");
    expect(bday("BDAY:19850415")).toBe("1985-04-15");
    expect(bday("BDAY:1985-04-15T10:22:00Z")).toBe("1985-04-15");
    expect(bday("BDAY:--04-15")).toBe("--04-15");
    expect(bday("BDAY:--0415")).toBe("--04-15");
    expect(bday("BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29")).toBe("--02-29");
    expect(bday("BDAY;VALUE=date:1604-02-29")).toBe("1604-02-29");
    expect(bday("BDAY:--0415", "4.0")).toBe("--04-15");
    expect(bday("BDAY:19850415T102200Z", "4.0")).toBe("1985-04-15");
    expect(bday("BDAY;VALUE=text:circa 1800", "4.0")).toBeNull();
    expect(bday("BDAY:1985-02-30")).toBeNull();
  });

  it("reads group cards of both flavours, member UIDs without urn:uuid:", () => {
    const icloud = read(crlf(`BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//AddressBook 6.1//EN
N:Friends
FN:Friends
X-ADDRESSBOOKSERVER-KIND:group
X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:aaa
X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:bbb
UID:grp-1
END:VCARD
`));
    expect(icloud).toMatchObject({ kind: "group", groupName: "Friends", members: ["aaa", "bbb"], contact: EMPTY_CONTACT, uid: "grp-1" });
    const v4 = read(crlf("BEGIN:VCARD\nVERSION:4.0\nKIND:group\nFN:Team\nMEMBER:urn:uuid:ccc\nMEMBER:mailto:x@y.test\nUID:urn:uuid:grp-2\nEND:VCARD\n"));
    expect(v4).toMatchObject({ kind: "group", groupName: "Team", members: ["ccc", "mailto:x@y.test"], uid: "grp-2" });
  });

  it("returns a photo URI as a URI", () => {
    expect(read(crlf("BEGIN:VCARD\nVERSION:4.0\nFN:A\nPHOTO:https://x.test/a.jpg\nEND:VCARD\n")).photo).toEqual({ uri: "https://x.test/a.jpg" });
    expect(read(crlf("BEGIN:VCARD\nVERSION:3.0\nFN:A\nPHOTO;VALUE=uri:https://x.test/b.jpg\nEND:VCARD\n")).photo).toEqual({ uri: "https://x.test/b.jpg" });
  });

  it("reads a 5 MB inline photo quickly, as a Buffer with its content type", () => {
    const data = Buffer.alloc(5 * 1024 * 1024, 7);
    const card = crlf(`BEGIN:VCARD\nVERSION:3.0\nFN:Big\nN:;Big;;;\nPHOTO;ENCODING=b;TYPE=PNG:${data.toString("base64").replace(/(.{74})/g, "$1\n ")}\nEND:VCARD\n`);
    const started = performance.now();
    const got = read(card);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(got.photo).toMatchObject({ contentType: "image/png" });
    expect(Buffer.compare((got.photo as { data: Buffer }).data, data)).toBe(0);
  });
});

describe("vCard: malformed cards", () => {
  const fails = (text: string, message: RegExp) => {
    expect(() => read(text)).toThrow(VCardError);
    expect(() => read(text)).toThrow(message);
  };

  it("refuses what is not one card, naming what is wrong", () => {
    fails("", /does not start with BEGIN:VCARD/);
    fails("hello", /does not start with BEGIN:VCARD/);
    fails("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\n", /does not end with END:VCARD/);
    fails("BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:B\r\nEND:VCARD\r\n", /line 3 "END:VCARD" begins or ends a second card/);
  });

  it("refuses garbage lines and unparseable parameters, with the line number", () => {
    fails("BEGIN:VCARD\r\nVERSION:3.0\r\nthis is not a property\r\nEND:VCARD\r\n", /line 3 "this is not a property" is not a property/);
    fails("BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL;TYPE=\"work:a@b.c\r\nEND:VCARD\r\n", /line 3 .* has malformed parameters/);
    fails("BEGIN:VCARD\r\nVERSION:3.0\r\nTEL;TYPE=work\r\nEND:VCARD\r\n", /line 3 "TEL;TYPE=work" has malformed parameters or no value/);
  });

  it("refuses a malformed previous card on write and a card that is not a group in setGroupMembers", () => {
    expect(() => write(EMPTY_CONTACT, "BEGIN:VCARD\r\nnonsense\r\nEND:VCARD\r\n")).toThrow(VCardError);
    expect(() => setGroupMembers(GOOGLE, { add: ["x"], remove: [] })).toThrow(/not a group card/);
  });
});

// ---- writing: what must survive ----------------------------------------------------------------

describe("vCard: writing keeps what it does not map", () => {
  it.each(Object.entries(REALISTIC))("writes the %s card back byte for byte when the contact is the one read", (_name, card) => {
    expect(write(read(card).contact, card)).toBe(card);
  });

  it("changes only the line of a changed single field, in place", () => {
    const c = read(APPLE).contact;
    const after = write({ ...c, notes: "Moved to Berlin, 2024; still climbs." }, APPLE);
    expect(diff(APPLE, after)).toEqual({
      removed: [linesOf(APPLE).find((l) => l.startsWith("NOTE:"))],
      added: ["NOTE:Moved to Berlin\\, 2024\\; still climbs.\r\n"],
    });
    expect(linesOf(after).findIndex((l) => l.startsWith("NOTE:"))).toBe(linesOf(APPLE).findIndex((l) => l.startsWith("NOTE:")));
    expect(read(after).contact).toEqual({ ...c, notes: "Moved to Berlin, 2024; still climbs." });
  });

  it("keeps every unmapped line byte for byte whatever changes", () => {
    const c = read(APPLE).contact;
    const after = write(
      { ...c, firstName: "Abby", emails: [{ value: "new@x.test", label: "work" }], phones: [], address: "1 New St", ims: [], organization: "Contoso", jobTitle: null, birthday: "1990-01-02" },
      APPLE,
    );
    const unmapped = linesOf(APPLE).filter((l) => /^(item6\.|item7\.|X-SOCIALPROFILE|NICKNAME|PHOTO|CATEGORIES|X-IMAGETYPE|REV|UID|PRODID|VERSION|item4\.X-ABADR)/.test(l));
    expect(unmapped).toHaveLength(14);
    for (const line of unmapped) expect(linesOf(after)).toContain(line);
    for (const line of linesOf(NEXTCLOUD).filter((l) => /^(RELATED|URL|X-CUSTOM-THING|KIND|CATEGORIES|PHOTO)/.test(l))) {
      expect(linesOf(write({ ...read(NEXTCLOUD).contact, notes: null, phones: [] }, NEXTCLOUD))).toContain(line);
    }
  });

  it("keeps a kept e-mail's line and its X-ABLabel, and removes a dropped one's with its now orphaned label", () => {
    const c = read(APPLE).contact;
    const after = write({ ...c, emails: c.emails.filter((e) => e.value === "abigail52@outlook.com") }, APPLE);
    expect(diff(APPLE, after)).toEqual({ removed: ["item2.EMAIL;type=INTERNET:Abby@Climbing-Collective.org\r\n", "item2.X-ABLabel:Climbing club\r\n"], added: [] });
  });

  it("adds a new value after the last line of its property, a custom label in a fresh item group", () => {
    const c = read(APPLE).contact;
    const after = write({ ...c, emails: [...c.emails, { value: "abby@work.test", label: "Team lead" }, { value: "abby@home.test", label: "home" }] }, APPLE);
    const lines = linesOf(after);
    const at = lines.indexOf("item2.X-ABLabel:Climbing club\r\n");
    expect(lines.slice(at + 1, at + 4)).toEqual(["EMAIL;TYPE=HOME:abby@home.test\r\n", "item8.EMAIL:abby@work.test\r\n", "item8.X-ABLabel:team lead\r\n"]);
    expect(read(after).contact.emails).toEqual([...c.emails, { value: "abby@home.test", label: "home" }, { value: "abby@work.test", label: "team lead" }].sort((a, b) => (a.value < b.value ? -1 : 1)));
  });

  it("rewrites a value whose label changed, and leaves alone numbers that only look different (the UID-less card gets one)", () => {
    const c = read(GOOGLE).contact;
    const phones = [
      { value: "+14155550100", label: "work" },
      { value: "+1 (415) 555-0101", label: "other" },
    ];
    expect(diff(GOOGLE, write({ ...c, phones }, GOOGLE))).toEqual({ removed: ["TEL;TYPE=CELL:(415) 555-0100\r\n"], added: ["UID:new-uid\r\n", "TEL;TYPE=WORK:+14155550100\r\n"] });
  });

  it("writes a changed name to N (keeping middle name, prefix and suffix) and rewrites FN from first and last", () => {
    const after = write({ ...read(APPLE).contact, lastName: "Rodríguez-Smith" }, APPLE);
    expect(diff(APPLE, after)).toEqual({
      removed: ["N:Rodriguez;Abigail;Marie;Dr.;PhD\r\n", "FN:Dr. Abigail Marie Rodriguez PhD\r\n"],
      added: ["N:Rodríguez-Smith;Abigail;Marie;Dr.;PhD\r\n", "FN:Abigail Rodríguez-Smith\r\n"],
    });
  });

  it("keeps the department of a changed or cleared organization", () => {
    const c = read(APPLE).contact;
    expect(diff(APPLE, write({ ...c, organization: "Contoso; Ltd" }, APPLE)).added).toEqual(["ORG:Contoso\\; Ltd;Platform Engineering\r\n"]);
    const cleared = write({ ...c, organization: null }, APPLE);
    expect(diff(APPLE, cleared).added).toEqual(["ORG:;Platform Engineering\r\n"]);
    expect(read(cleared).contact.organization).toBeNull();
    expect(diff(GOOGLE, write({ ...read(GOOGLE).contact, organization: null }, GOOGLE))).toEqual({ removed: ["ORG:Acme Inc.\r\n"], added: ["UID:new-uid\r\n"] });
  });

  it("replaces a changed address in place, keeping its group and TYPE (so X-ABADR stays with it)", () => {
    const after = write({ ...read(APPLE).contact, postalAddress: "2 Pier, Oakland" }, APPLE);
    expect(diff(APPLE, after)).toEqual({
      removed: ["item5.ADR;type=WORK:;Suite 400;1 Market St;San Francisco;CA;94105;United States\r\n"],
      added: ["item5.ADR;TYPE=WORK:;;2 Pier\\, Oakland;;;;\r\n"],
    });
    expect(read(after).contact.postalAddress).toBe("2 Pier, Oakland");
  });

  it("removes a cleared address with its X-ABADR, and adds a missing one", () => {
    const c = read(APPLE).contact;
    expect(diff(APPLE, write({ ...c, address: null }, APPLE)).removed).toEqual([
      "item4.ADR;type=HOME;type=pref:;;2150 Divisadero St;San Francisco;CA;94115;United States\r\n",
      "item4.X-ABADR:us\r\n",
    ]);
    expect(diff(GOOGLE, write({ ...read(GOOGLE).contact, postalAddress: "9 Dock Rd" }, GOOGLE)).added).toEqual(["UID:new-uid\r\n", "ADR;TYPE=WORK:;;9 Dock Rd;;;;\r\n"]);
  });

  it("lets a second address of a kind move up when the first is cleared (known limit of first-line mapping)", () => {
    const card = crlf("BEGIN:VCARD\nVERSION:3.0\nUID:u\nN:Lima;Ana;;;\nFN:Ana Lima\nADR;TYPE=HOME:;;1 Main St;;;;\nADR;TYPE=OTHER:;;Holiday flat;Lisbon;;;\nEND:VCARD\n");
    expect(read(card).contact.address).toBe("1 Main St");
    expect(read(write({ ...read(card).contact, address: null }, card)).contact.address).toBe("Holiday flat, Lisbon");
  });

  it("writes birthdays in each version's own way", () => {
    const c = read(APPLE).contact;
    expect(diff(APPLE, write({ ...c, birthday: "--02-29" }, APPLE)).added).toEqual(["BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29\r\n"]);
    expect(diff(APPLE, write({ ...c, birthday: "1985-04-15" }, APPLE)).added).toEqual(["BDAY:1985-04-15\r\n"]);
    const n = read(NEXTCLOUD).contact;
    expect(diff(NEXTCLOUD, write({ ...n, birthday: "--12-24" }, NEXTCLOUD)).added).toEqual(["BDAY:--1224\r\n"]);
    expect(diff(NEXTCLOUD, write({ ...n, birthday: "1985-04-15" }, NEXTCLOUD)).added).toEqual(["BDAY:19850415\r\n"]);
  });

  it("keeps X-JABBER/X-AIM lines while wanted and adds new IMs as IMPP", () => {
    const c = read(RADICALE).contact;
    const after = write({ ...c, ims: ["xmpp:hanka@jabber.example", "sip:hanka@voip.test"] }, RADICALE);
    expect(diff(RADICALE, after)).toEqual({ removed: ["X-AIM:hanka77\r\n"], added: ["IMPP:sip:hanka@voip.test\r\n"] });
    expect(read(after).contact.ims).toEqual(["sip:hanka@voip.test", "xmpp:hanka@jabber.example"]);
  });

  it("writes 4.0 numbers as tel: URIs and text that is no number as text", () => {
    const after = write({ ...read(NEXTCLOUD).contact, phones: [{ value: "+46701234567", label: "mobile" }, { value: "+1 415 555 0100", label: "home" }, { value: "reception", label: "work" }] }, NEXTCLOUD);
    expect(diff(NEXTCLOUD, after)).toEqual({
      removed: ["TEL;TYPE=work:+46 8 123 456 78\r\n"],
      added: ["TEL;TYPE=HOME:tel:+14155550100\r\n", "TEL;TYPE=WORK;VALUE=TEXT:reception\r\n"],
    });
  });

  it("adds the stamp and a missing UID, and leaves an equal stamp alone", () => {
    const card = crlf("BEGIN:VCARD\nVERSION:3.0\nFN:A\nN:;A;;;\nEND:VCARD\n");
    const stamped = write(read(card).contact, card, "person-42");
    expect(stamped).toBe(crlf("BEGIN:VCARD\nVERSION:3.0\nUID:new-uid\nFN:A\nN:;A;;;\nX-TANDEM-PERSON-ID:person-42\nEND:VCARD\n"));
    expect(read(stamped).stamp).toBe("person-42");
    expect(write(read(stamped).contact, stamped, "person-42")).toBe(stamped);
  });

  it("keeps a card's LF line endings, ending it with CRLF after END:VCARD", () => {
    const lf = "BEGIN:VCARD\nVERSION:3.0\nUID:u\nFN:Ana Lima\nN:Lima;Ana;;;\nEND:VCARD\n";
    expect(write(read(lf).contact, lf)).toBe(lf.replace(/\nEND:VCARD\n$/, "\nEND:VCARD\r\n"));
    expect(write({ ...read(lf).contact, jobTitle: "CTO" }, lf)).toBe("BEGIN:VCARD\nVERSION:3.0\nUID:u\nFN:Ana Lima\nN:Lima;Ana;;;\nTITLE:CTO\r\nEND:VCARD\r\n");
  });
});

// ---- writing: new cards ------------------------------------------------------------------------

describe("vCard: new cards", () => {
  it("writes a vCard 3.0 card with CRLF, our PRODID, the UID, FN and N first and the stamp last", () => {
    const c = contact({
      firstName: "Ana",
      lastName: "Lima",
      emails: [{ value: "ana@x.test", label: "work" }],
      phones: [{ value: "+14155550100", label: "mobile" }],
      address: "1 Main St, Springfield",
      postalAddress: "9 Dock Rd",
      ims: ["skype:ana"],
      organization: "Acme",
      jobTitle: "CTO",
      notes: "Line one\nLine two",
      birthday: "--05-01",
    });
    expect(write(c, null, "person-1")).toBe(
      crlf(`BEGIN:VCARD
VERSION:3.0
PRODID:-//Tandem//CRM//EN
UID:new-uid
FN:Ana Lima
N:Lima;Ana;;;
EMAIL;TYPE=WORK:ana@x.test
TEL;TYPE=CELL:+14155550100
ADR;TYPE=HOME:;;1 Main St\\, Springfield;;;;
ADR;TYPE=WORK:;;9 Dock Rd;;;;
IMPP:skype:ana
ORG:Acme
TITLE:CTO
NOTE:Line one\\nLine two
BDAY;X-APPLE-OMIT-YEAR=1604:1604-05-01
X-TANDEM-PERSON-ID:person-1
END:VCARD
`),
    );
  });

  it("names a nameless card after its organization, and reads it back nameless", () => {
    const c = contact({ organization: "Ridgeview Vet" });
    expect(write(c, null)).toContain("\r\nFN:Ridgeview Vet\r\nN:;;;;\r\n");
    expect(read(write(c, null)).contact).toEqual(c);
    expect(read(write(EMPTY_CONTACT, null)).contact).toEqual(EMPTY_CONTACT);
  });

  it("folds at 75 octets, continuation lines included, never inside a character", () => {
    const notes = `${"Åsa Öberg 李雷 ".repeat(20)}${"x".repeat(300)}`.trim();
    const card = write(contact({ firstName: "李雷", notes }), null);
    for (const row of card.split("\r\n").slice(0, -1)) expect(octets(row)).toBeLessThanOrEqual(75);
    expect(card).not.toMatch(/[^\r]\n|\r(?!\n)/);
    expect(read(card).contact.notes).toBe(notes);
  });

  it("escapes commas, semicolons and backslashes in NOTE and ORG, and keeps non-ASCII names, in both versions", () => {
    const c = contact({ firstName: "Åsa", lastName: "Öberg, Jr.", organization: "A;B, C\\D", notes: "x, y; z \\ w\nnext", ims: ["a,b;c"] });
    const v3 = write(c, null);
    expect(linesOf(v3)).toEqual(expect.arrayContaining(["N:Öberg\\, Jr.;Åsa;;;\r\n", "ORG:A\\;B\\, C\\\\D\r\n", "NOTE:x\\, y\\; z \\\\ w\\nnext\r\n"]));
    expect(read(v3).contact).toEqual(expected(c));
    const v4card = crlf("BEGIN:VCARD\nVERSION:4.0\nUID:u\nFN:x\nEND:VCARD\n");
    const v4 = write(c, v4card);
    expect(linesOf(v4)).toEqual(expect.arrayContaining(["ORG:A\\;B\\, C\\\\D\r\n", "IMPP:a\\,b;c\r\n"]));
    expect(read(v4).contact).toEqual(expected(c));
    expect(read(write(contact({ firstName: "雷", lastName: "李" }), v4card)).contact).toMatchObject({ firstName: "雷", lastName: "李" });
  });
});

// ---- group cards -------------------------------------------------------------------------------

describe("vCard: group members", () => {
  const ICLOUD_GROUP = crlf(`BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//AddressBook 6.1//EN
N:Friends
FN:Friends
X-ADDRESSBOOKSERVER-KIND:group
X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:aaa
x-addressbookserver-member:urn:uuid:bbb
REV:2024-05-01T10:22:31Z
UID:grp-1
END:VCARD
`);
  const V4_GROUP = crlf("BEGIN:VCARD\nVERSION:4.0\nUID:urn:uuid:grp\nKIND:group\nFN:Team\nEND:VCARD\n");

  it("adds and removes iCloud's X-ADDRESSBOOKSERVER-MEMBER lines, keeping the rest byte for byte", () => {
    const after = setGroupMembers(ICLOUD_GROUP, { add: ["ccc", "urn:uuid:aaa", "ddd", "ccc"], remove: ["bbb", "zzz"] });
    expect(diff(ICLOUD_GROUP, after)).toEqual({
      removed: ["x-addressbookserver-member:urn:uuid:bbb\r\n"],
      added: ["X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:ccc\r\n", "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:ddd\r\n"],
    });
    expect(linesOf(after)[7]).toBe("X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:ccc\r\n");
    expect(read(after).members).toEqual(["aaa", "ccc", "ddd"]);
  });

  it("writes MEMBER lines in a 4.0 group, and keeps a UID that is both added and removed", () => {
    const after = setGroupMembers(V4_GROUP, { add: ["m1", "m2"], remove: [] });
    expect(after).toBe(crlf("BEGIN:VCARD\nVERSION:4.0\nUID:urn:uuid:grp\nKIND:group\nFN:Team\nMEMBER:urn:uuid:m1\nMEMBER:urn:uuid:m2\nEND:VCARD\n"));
    expect(setGroupMembers(after, { add: ["m1"], remove: ["m1", "m2"] })).toBe(crlf("BEGIN:VCARD\nVERSION:4.0\nUID:urn:uuid:grp\nKIND:group\nFN:Team\nMEMBER:urn:uuid:m1\nEND:VCARD\n"));
    expect(setGroupMembers(after, { add: [], remove: [] })).toBe(after);
  });
});

// ---- properties --------------------------------------------------------------------------------

const nameArb = fc.oneof(
  fc.constantFrom("Ana", "José", "Zoë", "Åsa", "李雷", "Дмитрий", "محمد", "O'Neil", "van der Berg", "  Ana  Maria ", "Jose\u0301", "Smith, Jr.", "a;b\\c", ""),
  fc.string({ unit: "grapheme", maxLength: 10 }),
);
const labelArb = fc.constantFrom("home", "work", "mobile", "other", "", "Main", "homeFax", "WORKFAX", "otherfax", "workmobile", "pager", "Custom label", " pager ", "école", "_$!<Mobile>!$_", "pref", "fax", "a,b;c");
const emailArb = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/), fc.stringMatching(/^[a-z]{1,6}$/))
  .map(([local, domain]) => `${local}@${domain}.test`);
const phoneArb = fc.constantFrom(
  "+1 415 555 0100",
  "(415) 555-0101",
  "415.555.0102",
  "+44 20 7946 0000",
  "+49 30 901820",
  "+46 70 123 45 67",
  "+81 3-1234-5678",
  "+1 415 555 0100 ext. 12",
  "ext 12",
  "234456",
  "call reception",
  "a,b;c\\d",
);
const textArb = fc.option(fc.oneof(fc.constantFrom("Acme", "Contoso, Inc.", "A;B\\C", "株式会社テスト", "1 Main St, Springfield", "12 Rue X\nParis"), fc.string({ unit: "grapheme", maxLength: 16 })), { nil: null });
const contactArb: fc.Arbitrary<Contact> = fc.record({
  firstName: nameArb,
  lastName: nameArb,
  emails: fc.array(fc.record({ value: emailArb, label: labelArb }), { maxLength: 4 }),
  phones: fc.array(fc.record({ value: phoneArb, label: labelArb }), { maxLength: 5 }),
  address: textArb,
  postalAddress: textArb,
  ims: fc.array(fc.constantFrom("skype:ana", "ana@jabber.org", "xmpp:ana@jabber.org", "XMPP:Ana@Jabber.org", "sip:garth@contoso.com", "  ana_l ", "微信号", "x-apple:wxid", "a,b;c\\d"), { maxLength: 3 }),
  organization: textArb,
  jobTitle: textArb,
  notes: notesArb(["Met at the fair.", "", "  Likes tea, coffee; water \\ juice.  ", "Ünïcödé ✓ 李雷", "\tindented"]),
  birthday: birthdayArb(1600),
});
/** Cards as other clients write them: every spelling we read, groups, duplicates, empty values,
 * lines we do not map, CRLF or LF, folded or not. */
const wildCardArb: fc.Arbitrary<string> = fc
  .record({
    version: fc.constantFrom("3.0", "4.0"),
    newline: fc.constantFrom("\r\n", "\n"),
    name: fc.constantFrom("N:Lima;Ana;Maria;Dr.;\nFN:Dr. Ana Maria Lima", "FN:Ana Lima", "N:;;;;\nFN:Acme\nORG:Acme;Sales", "N:Li,Wang;Lei;;;\nFN:Lei Li", "n:Öberg;Åsa;;;"),
    props: fc.array(
      fc.oneof(
        fc.tuple(fc.constantFrom("EMAIL", "item1.EMAIL", "email;type=INTERNET", "EMAIL;TYPE=work,pref", "EMAIL;TYPE=\"home,pref\"", "EMAIL;HOME"), emailArb).map(([p, v]) => `${p}:${v.toUpperCase()}`),
        fc.tuple(fc.constantFrom("TEL", "TEL;CELL;VOICE", "TEL;type=WORK;type=FAX", "item2.TEL", "TEL;VALUE=uri;TYPE=cell", "TEL;TYPE=car"), phoneArb).map(([p, v]) => `${p}:${p.includes("uri") ? `tel:${v.replace(/\D/g, "")}` : v.replace(/([,;\\])/g, "\\$1")}`),
        fc.constantFrom(
          "item1.X-ABLabel:Private",
          "item2.X-ABLabel:_$!<Mobile>!$_",
          "item3.ADR;type=HOME:;;1 Main St\\nApt 4;Springfield;IL;62701;USA\nitem3.X-ABADR:us",
          "ADR;TYPE=WORK:PO Box 7;;9 Dock Rd;Oakland;CA;;",
          "ADR;TYPE=HOME:;;;;;;",
          "X-AIM:ana77",
          "X-JABBER;TYPE=HOME:ana@jabber.org",
          "IMPP;X-SERVICE-TYPE=Skype:skype:ana.l",
          "IMPP:",
          "ORG:Initech\\, Inc.;R&D",
          "TITLE:CTO\\; founder",
          "TITLE:",
          "NOTE:a\\, b\\; c\\\\ d\\ne",
          "BDAY:--0415",
          "BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29",
          "BDAY:1985-04-15T10:00:00Z",
          "BDAY:garbage",
          "EMAIL:",
          "URL;TYPE=home:https://ana.example",
          "X-SOCIALPROFILE;type=twitter:https://twitter.com/ana",
          "RELATED;TYPE=friend:urn:uuid:1234",
          "CATEGORIES:A,B",
          "X-UNKNOWN-THING;X-P=\"a;b:c\":whatever\\, really",
          "NOTE:A long note, long enough that it has to be folded across more than one line by its wr\n iter.",
        ),
      ),
      { maxLength: 10 },
    ),
  })
  .map(({ version, newline, name, props }) => ["BEGIN:VCARD", `VERSION:${version}`, "UID:wild-1", name, ...props, "END:VCARD", ""].join("\n").replace(/\n/g, newline));

/** Cards a write starts from: none, or one of the realistic ones. */
const baseArb = fc.constantFrom<string | null>(null, ...Object.values(REALISTIC));
const RUNS = { numRuns: 250 };

/** Which properties hold a field (so a change of it may touch only those lines). */
const FIELD_PROPERTIES: Record<keyof Contact, RegExp> = {
  firstName: /^(N|FN)[;:]/i,
  lastName: /^(N|FN)[;:]/i,
  emails: /^(item\d+\.)?(EMAIL|X-ABLabel)[;:]/i,
  phones: /^(item\d+\.)?(TEL|X-ABLabel)[;:]/i,
  address: /^(item\d+\.)?(ADR|X-ABADR|X-ABLabel)[;:]/i,
  postalAddress: /^(item\d+\.)?(ADR|X-ABADR|X-ABLabel)[;:]/i,
  ims: /^(IMPP|X-AIM|X-JABBER)[;:]/i,
  // A nameless card's FN is its organization's name.
  organization: /^(ORG|FN)[;:]/i,
  jobTitle: /^TITLE[;:]/i,
  notes: /^NOTE[;:]/i,
  birthday: /^BDAY[;:]/i,
};

describe("vCard: round trips", () => {
  it("reads a new card back as the projected contact, in CRLF lines of at most 75 octets", () => {
    fc.assert(
      fc.property(contactArb, (c) => {
        const card = write(c, null);
        expect(read(card).contact).toEqual(expected(c));
        expect(card.endsWith("END:VCARD\r\n")).toBe(true);
        for (const row of card.split("\r\n").slice(0, -1)) expect(octets(row)).toBeLessThanOrEqual(75);
      }),
      RUNS,
    );
  });

  it("reads an updated card back as the new contact, and the update leaves nothing more to write", () => {
    fc.assert(
      fc.property(baseArb, contactArb, contactArb, (base, c1, c2) => {
        const before = write(c1, base);
        const after = write(c2, before);
        expect(read(after).contact).toEqual(expected(c2));
        expect(write(c2, after)).toBe(after);
        expect(write(read(after).contact, after)).toBe(after);
      }),
      RUNS,
    );
  });

  it("writes a wild card back unchanged when the contact is the one read", () => {
    fc.assert(
      fc.property(wildCardArb, (card) => {
        expect(write(read(card).contact, card)).toBe(card.replace(/\n?$/, "").replace(/\r$/, "") + "\r\n");
      }),
      RUNS,
    );
  });

  it("updates a wild card to exactly the new contact, with nothing more to write after", () => {
    fc.assert(
      fc.property(wildCardArb, contactArb, (card, c) => {
        // Two addresses of a kind: clearing the first lets the second move up (see the example).
        fc.pre(["item3.ADR", "ADR;TYPE=WORK"].every((adr) => card.split(adr).length <= 2));
        const after = write(c, card);
        expect(read(after).contact).toEqual(expected(c));
        expect(write(c, after)).toBe(after);
      }),
      RUNS,
    );
  });

  it("changes only the lines of the field that changed, whatever the card", () => {
    const fields = Object.keys(FIELD_PROPERTIES) as (keyof Contact)[];
    fc.assert(
      fc.property(baseArb, contactArb, contactArb, fc.constantFrom(...fields), (base, c1, c2, field) => {
        const before = write(c1, base);
        const after = write({ ...read(before).contact, [field]: c2[field] }, before);
        const { removed, added } = diff(before, after);
        for (const line of [...removed, ...added]) expect(line).toMatch(FIELD_PROPERTIES[field]);
      }),
      RUNS,
    );
  });

  it("reads only what projectForCardDav keeps, and projecting twice changes nothing", () => {
    fc.assert(
      fc.property(contactArb, baseArb, (c, base) => {
        const once = expected(c);
        expect(projectForCardDav(once)).toEqual(once);
        const got = read(write(c, base)).contact;
        expect(projectForCardDav(got)).toEqual(got);
      }),
      RUNS,
    );
  });

  it("projects a normalised contact onto itself but for Apple's label markers and backslashes ending a component", () => {
    fc.assert(
      fc.property(contactArb, (c) => {
        const n = normalizeContact(c, COUNTRY);
        const { emails, phones, firstName, lastName, organization, address, postalAddress, ...rest } = projectForCardDav(n);
        expect(rest).toEqual({ ims: n.ims, jobTitle: n.jobTitle, notes: n.notes, birthday: n.birthday });
        expect([emails.map((e) => e.value), phones.map((p) => p.value)]).toEqual([n.emails.map((e) => e.value), n.phones.map((p) => p.value)]);
        for (const [projected, original] of [[firstName, n.firstName], [lastName, n.lastName], [organization, n.organization], [address, n.address], [postalAddress, n.postalAddress]]) {
          if (!original?.endsWith("\\")) expect(projected).toBe(original);
        }
      }),
      RUNS,
    );
    const projected = projectForCardDav(contact({ lastName: "Lima \\", organization: "\\", address: "1 Main St\\\\", phones: [{ value: "+14155550100", label: "_$!<mobile>!$_" }] }));
    expect(projected).toEqual(contact({ lastName: "Lima", organization: null, address: "1 Main St", phones: [{ value: "+14155550100", label: "mobile" }] }));
  });
});
