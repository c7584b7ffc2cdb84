// Microsoft Graph personal contact ⇄ canonical Contact. Pure functions, no I/O.
//
// Graph is less expressive than the CRM: e-mails carry no type, phones have three fixed slots
// (mobilePhone, businessPhones, homePhones) and Outlook caps its multi-value properties.
// projectForGraph says exactly what survives, and both directions go through it, so a detail
// Graph cannot hold never looks like a change. A PATCH carries only the properties whose mapped
// content changes (plus displayName, which Graph would otherwise regenerate); properties we do
// not map (middleName, nickName, department, categories, otherAddress, …) are never sent.
import type { Contact as GraphContact, PhysicalAddress } from "@microsoft/microsoft-graph-types";
import { birthdayParts, EMPTY_CONTACT, normalizeContact, readProviderContact, yearlessBirthday, type Contact, type Labeled, type OversizeField } from "@/lib/sync/model/contact";
import { oneLine, pad, sameJson } from "../mapping-kit";
import { normalizeEmail, normalizePhone, normalizeText } from "@/lib/normalize";

/** The $select of every read: what we map, plus what tells us identity, version and scope. */
export const GRAPH_CONTACT_SELECT = [
  "id",
  "changeKey",
  "parentFolderId",
  "givenName",
  "surname",
  "displayName",
  "emailAddresses",
  "businessPhones",
  "homePhones",
  "mobilePhone",
  "imAddresses",
  "homeAddress",
  "businessAddress",
  "otherAddress",
  "companyName",
  "jobTitle",
  "personalNotes",
  "birthday",
].join(",");

/** Outlook's hidden caps on multi-value properties: more is a 400 ErrorInvalidProperty. */
export const GRAPH_LIMITS = { emailAddresses: 3, businessPhones: 2, homePhones: 2, imAddresses: 3 } as const;

/** Outlook's "no year" birthday: a leap year, so 29 February fits. */
const NO_YEAR = 1604;

/** A contact as a list or delta page delivers it: with annotations, or a tombstone. */
export type GraphContactItem = GraphContact & { "@odata.etag"?: string; "@removed"?: { reason?: string } };

export type GraphContactRead = {
  id: string;
  /** The changeKey, else the @odata.etag. */
  etag: string;
  /** A delta tombstone ("@removed", whatever the reason). */
  deleted: boolean;
  /** Not removed, and in the synced folder (a contact without parentFolderId is taken as in it). */
  inScope: boolean;
  /** Normalised and projected; EMPTY_CONTACT for a tombstone. */
  contact: Contact;
  /** Fields over Tandem's limits, left out of `contact`. */
  oversize: OversizeField[];
};

const ADDRESS_SLOTS = ["street", "city", "state", "postalCode", "countryOrRegion"] as const;
const EMPTY_ADDRESS: PhysicalAddress = { street: "", city: "", state: "", postalCode: "", countryOrRegion: "" };

// ---- reading -------------------------------------------------------------------------------

const addressText = (a: PhysicalAddress | null | undefined): string =>
  ADDRESS_SLOTS.map((slot) => oneLine(a?.[slot]))
    .filter(Boolean)
    .join(", ");

/** The UTC date part of a DateTimeOffset; year 1604 is Outlook's "no year". */
function readBirthday(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) return null;
  const d = new Date(ms);
  const monthDay = `${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  return d.getUTCFullYear() === NO_YEAR ? `--${monthDay}` : `${pad(d.getUTCFullYear(), 4)}-${monthDay}`;
}

/** The contact a Graph contact's mapped properties describe, before normalisation. */
function contactFromGraph(item: GraphContact): Contact {
  const givenName = item.givenName ?? "";
  const surname = item.surname ?? "";
  // A contact saved with only a display name ("Reception") still has a name for us.
  const nameless = normalizeText(givenName) === "" && normalizeText(surname) === "";
  return {
    firstName: nameless ? (item.displayName ?? "") : givenName,
    lastName: surname,
    emails: (item.emailAddresses ?? []).map((e) => ({ value: e.address ?? "", label: "other" })),
    // Mobile first: when a number sits in two slots, the first label read wins.
    phones: [
      ...(item.mobilePhone ? [{ value: item.mobilePhone, label: "mobile" }] : []),
      ...(item.businessPhones ?? []).map((value) => ({ value, label: "work" })),
      ...(item.homePhones ?? []).map((value) => ({ value, label: "home" })),
    ],
    address: addressText(item.homeAddress),
    postalAddress: addressText(item.businessAddress),
    ims: item.imAddresses ?? [],
    organization: item.companyName ?? null,
    jobTitle: item.jobTitle ?? null,
    notes: item.personalNotes ?? null,
    birthday: readBirthday(item.birthday),
  };
}

/** The contact, with the fields over Tandem's limits left out and named. */
function readContactOf(item: GraphContact, defaultCountry: string): { contact: Contact; oversize: OversizeField[] } {
  const { contact, oversize } = readProviderContact(contactFromGraph(item), defaultCountry);
  return { contact: projectForGraph(contact), oversize };
}

const readContact = (item: GraphContact, defaultCountry: string): Contact => readContactOf(item, defaultCountry).contact;

export function readGraphContact(item: GraphContactItem, { folderId, defaultCountry }: { folderId: string; defaultCountry: string }): GraphContactRead {
  const deleted = item["@removed"] !== undefined;
  const { contact, oversize } = deleted ? { contact: EMPTY_CONTACT, oversize: [] } : readContactOf(item, defaultCountry);
  return {
    id: item.id ?? "",
    etag: item.changeKey ?? item["@odata.etag"] ?? "",
    deleted,
    inScope: !deleted && (item.parentFolderId == null || item.parentFolderId === folderId),
    contact,
    oversize,
  };
}

// ---- projection ----------------------------------------------------------------------------

/**
 * Phones onto Graph's slots, in the contact's (sorted) order: the first "mobile" keeps the one
 * mobilePhone; "work" keeps a business slot while one is free; every other number — another
 * label, a second mobile, a third work number — becomes "home" while a home slot is free.
 * What still does not fit is dropped.
 */
function projectPhones(phones: Labeled[]): Labeled[] {
  let mobile = false;
  let work = 0;
  let home = 0;
  const out: Labeled[] = [];
  for (const { value, label } of phones) {
    if (label === "mobile" && !mobile) {
      mobile = true;
      out.push({ value, label });
    } else if (label === "work" && work < GRAPH_LIMITS.businessPhones) {
      work++;
      out.push({ value, label });
    } else if (home < GRAPH_LIMITS.homePhones) {
      home++;
      out.push({ value, label: "home" });
    }
  }
  return out;
}

/** Year 1604 reads back as "no year"; year 0 is not a DateTimeOffset; a year-less date must exist. */
function projectBirthday(value: string | null): string | null {
  const parts = value === null ? null : birthdayParts(value);
  if (!parts) return null;
  return parts.year === null || parts.year === 0 || parts.year === NO_YEAR ? yearlessBirthday(parts.month, parts.day) : value;
}

/**
 * What Graph can hold of a normalised contact: every e-mail label becomes "other" (Graph has no
 * e-mail types); phones are mapped onto the three slots (projectPhones); Outlook's caps keep
 * the first 3 e-mails and 3 IM handles (in the contact's sorted order); birthdays as
 * projectBirthday says. Everything else is kept as it is. Idempotent.
 */
export function projectForGraph(contact: Contact): Contact {
  return {
    ...contact,
    emails: contact.emails.slice(0, GRAPH_LIMITS.emailAddresses).map(({ value }) => ({ value, label: "other" })),
    phones: projectPhones(contact.phones),
    ims: contact.ims.slice(0, GRAPH_LIMITS.imAddresses),
    birthday: projectBirthday(contact.birthday),
  };
}

// ---- writing -------------------------------------------------------------------------------

const fullName = (c: Contact) => `${c.firstName} ${c.lastName}`.trim();

function graphBirthday(value: string): string {
  return `${value.startsWith("--") ? `${NO_YEAR}${value.slice(1)}` : value}T00:00:00Z`;
}

/**
 * The address object for a changed text. All five parts are always written, so a PATCH replaces
 * the address whether Graph merges or replaces complex values. When the new text splits (on
 * ", ") into as many pieces as the current address has filled parts, the pieces go back into
 * those parts (editing the street keeps city and postcode where Outlook shows them); otherwise
 * the whole text goes into `street`. Either way it reads back as exactly the text.
 */
function graphAddress(current: PhysicalAddress | null | undefined, text: string | null): PhysicalAddress {
  if (text === null) return { ...EMPTY_ADDRESS };
  const filled = ADDRESS_SLOTS.filter((slot) => oneLine(current?.[slot]) !== "");
  const pieces = text.split(", ");
  if (filled.length > 0 && pieces.length === filled.length && pieces.every((p) => p !== "" && p === normalizeText(p))) {
    const address: PhysicalAddress = { ...EMPTY_ADDRESS };
    filled.forEach((slot, i) => (address[slot] = pieces[i]));
    return address;
  }
  return { ...EMPTY_ADDRESS, street: text };
}

type PhoneSlots = { mobilePhone: string | null; businessPhones: string[]; homePhones: string[] };

function phoneSlots(phones: Labeled[], formatted: (value: string) => string): PhoneSlots {
  const mobile = phones.find((p) => p.label === "mobile");
  return {
    mobilePhone: mobile ? formatted(mobile.value) : null,
    businessPhones: phones.filter((p) => p.label === "work").map((p) => formatted(p.value)),
    homePhones: phones.filter((p) => p.label === "home").map((p) => formatted(p.value)),
  };
}

function createBody(next: Contact): Partial<GraphContact> {
  const slots = phoneSlots(next.phones, (v) => v);
  const body: Partial<GraphContact> = { displayName: fullName(next) };
  if (next.firstName) body.givenName = next.firstName;
  if (next.lastName) body.surname = next.lastName;
  if (next.emails.length > 0) body.emailAddresses = next.emails.map((e) => ({ address: e.value }));
  if (slots.mobilePhone) body.mobilePhone = slots.mobilePhone;
  if (slots.businessPhones.length > 0) body.businessPhones = slots.businessPhones;
  if (slots.homePhones.length > 0) body.homePhones = slots.homePhones;
  if (next.ims.length > 0) body.imAddresses = next.ims;
  if (next.address) body.homeAddress = graphAddress(null, next.address);
  if (next.postalAddress) body.businessAddress = graphAddress(null, next.postalAddress);
  if (next.organization) body.companyName = next.organization;
  if (next.jobTitle) body.jobTitle = next.jobTitle;
  if (next.notes) body.personalNotes = next.notes;
  if (next.birthday) body.birthday = graphBirthday(next.birthday);
  return body;
}

function patchBody(next: Contact, current: GraphContact, defaultCountry: string): Partial<GraphContact> {
  const prev = readContact(current, defaultCountry);
  const body: Partial<GraphContact> = {};
  const changed = (field: keyof Contact) => !sameJson(prev[field], next[field]);

  if (changed("firstName") || changed("lastName")) {
    // Both parts together: a name read from displayName alone must not lose its first part.
    body.givenName = next.firstName;
    body.surname = next.lastName;
  }
  if (changed("emails")) {
    const kept = new Map((current.emailAddresses ?? []).map((e) => [normalizeEmail(e.address ?? ""), e]));
    body.emailAddresses = next.emails.map((e) => kept.get(e.value) ?? { address: e.value });
  }
  if (changed("phones")) {
    const original = new Map<string, string>();
    for (const p of [current.mobilePhone ?? "", ...(current.businessPhones ?? []), ...(current.homePhones ?? [])]) {
      const key = normalizePhone(p, defaultCountry);
      if (key !== "" && !original.has(key)) original.set(key, p);
    }
    const slots = phoneSlots(next.phones, (v) => original.get(v) ?? v);
    const asSet = (values: (string | null | undefined)[]) => values.map((v) => normalizePhone(v ?? "", defaultCountry)).filter(Boolean).sort();
    if (!sameJson(asSet([current.mobilePhone]), asSet([slots.mobilePhone]))) body.mobilePhone = slots.mobilePhone;
    if (!sameJson(asSet(current.businessPhones ?? []), asSet(slots.businessPhones))) body.businessPhones = slots.businessPhones;
    if (!sameJson(asSet(current.homePhones ?? []), asSet(slots.homePhones))) body.homePhones = slots.homePhones;
  }
  if (changed("ims")) {
    const kept = new Map((current.imAddresses ?? []).map((im) => [normalizeText(im), im]));
    body.imAddresses = next.ims.map((im) => kept.get(im) ?? im);
  }
  if (changed("address")) body.homeAddress = graphAddress(current.homeAddress, next.address);
  if (changed("postalAddress")) body.businessAddress = graphAddress(current.businessAddress, next.postalAddress);
  if (changed("organization")) body.companyName = next.organization;
  if (changed("jobTitle")) body.jobTitle = next.jobTitle;
  if (changed("notes")) body.personalNotes = next.notes;
  if (changed("birthday")) body.birthday = next.birthday === null ? null : graphBirthday(next.birthday);
  return body;
}

/**
 * The POST body (current = null) or the PATCH body against the contact as Graph holds it.
 * `changed` says whether a PATCH is needed at all (always true for a create); a PATCH body also
 * always carries displayName — "first last" when the names change, else the current one —
 * because Graph may regenerate it from other properties otherwise.
 */
export function writeGraphContact(
  contact: Contact,
  current: GraphContact | null,
  { defaultCountry }: { defaultCountry: string },
): { body: Partial<GraphContact>; changed: boolean } {
  const next = projectForGraph(normalizeContact(contact, defaultCountry));
  if (!current) return { body: createBody(next), changed: true };
  const body = patchBody(next, current, defaultCountry);
  const changed = Object.keys(body).length > 0;
  const namesChanged = "givenName" in body;
  body.displayName = namesChanged ? fullName(next) : (current.displayName ?? fullName(next));
  return { body, changed };
}
