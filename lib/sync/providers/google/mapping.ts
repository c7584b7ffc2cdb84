// Google People API v1 Person ⇄ canonical Contact. Pure functions, no I/O.
//
// Reading picks the items we map out of a Person and normalises them. Writing merges a Contact
// into the provider's current Person so that what we do not map survives an update (other name
// parts, departments, further organizations and addresses, item metadata, the formatting of
// numbers we keep), and it names exactly the person fields whose mapped content changes: an
// empty updatePersonFields means "nothing to write", which is what stops echo loops.
//
// Known limit: a field is read from the first item that qualifies (the first non-work address,
// organizations[0]). Clearing that item in the CRM removes it, so a second item of the same kind
// that the person also has is what the next read reports ("promotion").
import type { people_v1 } from "@googleapis/people";
import { isValidPhoneNumber } from "libphonenumber-js";
import { birthdayParts, EMPTY_CONTACT, normalizeContact, readProviderContact, yearlessBirthday, type Contact, type Labeled, type OversizeField } from "@/lib/sync/model/contact";
import { oneLine, pad, sameJson } from "../mapping-kit";
import { normalizeEmail, normalizePhone, normalizeText } from "@/lib/normalize";

type Person = people_v1.Schema$Person;
type Address = people_v1.Schema$Address;
type Organization = people_v1.Schema$Organization;

/** The personFields mask every read uses. */
export const GOOGLE_PERSON_FIELDS =
  "names,emailAddresses,phoneNumbers,addresses,imClients,organizations,biographies,birthdays,memberships,photos,metadata";

/** The writable person fields we map, in the order updatePersonFields lists them. */
const MAPPED_FIELDS = [
  "names",
  "emailAddresses",
  "phoneNumbers",
  "addresses",
  "imClients",
  "organizations",
  "biographies",
  "birthdays",
] as const;
export type GoogleMappedField = (typeof MAPPED_FIELDS)[number];

export type GoogleMappingOptions = { groupResourceName: string; defaultCountry: string };

export type GooglePersonRead = {
  /** The resourceName, "people/c…". */
  id: string;
  etag: string;
  deleted: boolean;
  /** A member of the synced contact group (never true for a deleted person). */
  inScope: boolean;
  /** Normalised and projected; EMPTY_CONTACT for a deleted person. */
  contact: Contact;
  /** Fields over Tandem's limits, left out of `contact`. */
  oversize: OversizeField[];
  /** The first photo the user set (Google's generated placeholders are skipped). */
  photoUrl: string | null;
  previousIds: string[];
};

// ---- shared item helpers -------------------------------------------------------------------

function omit<T extends object>(item: T, keys: readonly string[]): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !keys.includes(k))) as T;
}

/** True when an item still holds something besides the given bookkeeping keys. */
function hasContent(item: object, ignored: readonly string[]): boolean {
  return Object.entries(item).some(([k, v]) => !ignored.includes(k) && v !== null && v !== undefined && v !== "");
}

const keepMetadata = (item: { metadata?: people_v1.Schema$FieldMetadata } | undefined) => (item?.metadata ? { metadata: item.metadata } : {});

/** The label normalizeContact makes of a provider type, so a kept item's type is compared
 * exactly as it will read back (normalizeContact's label rule is not exported on its own). */
function labelAsRead(type: string | null | undefined): string {
  return normalizeContact({ ...EMPTY_CONTACT, emails: [{ value: "x", label: type ?? "" }] }, "US").emails[0]?.label ?? "other";
}

/** Google's predefined types are camelCase; a canonical label is lower-case. Writing "homefax"
 * back as "homeFax" keeps it a predefined type instead of a custom one. */
const GOOGLE_TYPES = new Map(["homeFax", "workFax", "otherFax", "workMobile", "workPager", "googleVoice"].map((t) => [t.toLowerCase(), t]));
const googleType = (label: string) => GOOGLE_TYPES.get(label) ?? label;

// ---- birthdays -----------------------------------------------------------------------------

/** Google's Date reads year 0 as "no year", and a year-less date must exist in some year. */
function representableBirthday(value: string | null): string | null {
  if (value === null) return null;
  const parts = birthdayParts(value);
  if (!parts) return null;
  return parts.year === null || parts.year === 0 ? yearlessBirthday(parts.month, parts.day) : value;
}

function readBirthday(birthday: people_v1.Schema$Birthday | undefined): string | null {
  if (!birthday) return null;
  const date = birthday.date;
  if (date?.month && date.day) {
    return date.year ? `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}` : `--${pad(date.month, 2)}-${pad(date.day, 2)}`;
  }
  // `text` is free-form and unvalidated: only unambiguous ISO-like shapes are read.
  const text = (birthday.text ?? "").trim();
  const full = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (full) return `${full[1]}-${pad(Number(full[2]), 2)}-${pad(Number(full[3]), 2)}`;
  const yearless = /^(?:--)?(\d{1,2})-(\d{1,2})$/.exec(text);
  if (yearless) return `--${pad(Number(yearless[1]), 2)}-${pad(Number(yearless[2]), 2)}`;
  return null;
}

// ---- reading -------------------------------------------------------------------------------

/** Google's canonicalForm is E.164 computed in the account's region, which may know better than
 * our default country; it is used only when it is a valid number, so a junk canonical form
 * never replaces what the user typed. */
function phoneText(item: people_v1.Schema$PhoneNumber): string {
  const canonical = item.canonicalForm ?? "";
  return canonical !== "" && isValidPhoneNumber(canonical) ? canonical : (item.value ?? "");
}

const addressText = (a: Address): string =>
  oneLine(a.formattedValue) ||
  [a.streetAddress, a.extendedAddress, a.poBox, a.city, a.region, a.postalCode, a.country]
    .map(oneLine)
    .filter(Boolean)
    .join(", ");

const isWorkAddress = (a: Address) => (a.type ?? "").toLowerCase() === "work";

/** Indexes of the addresses we map: the first non-work one and the first work one, each with text. */
function mappedAddresses(items: Address[]): { home: number; work: number } {
  const home = items.findIndex((a) => !isWorkAddress(a) && addressText(a) !== "");
  const work = items.findIndex((a) => isWorkAddress(a) && addressText(a) !== "");
  return { home, work };
}

/** The contact a person's mapped fields describe, before normalisation. */
function contactFromPerson(person: Person): Contact {
  const name = person.names?.[0];
  const addresses = person.addresses ?? [];
  const { home, work } = mappedAddresses(addresses);
  const org = person.organizations?.[0];
  return {
    firstName: name?.givenName ?? "",
    lastName: name?.familyName ?? "",
    emails: (person.emailAddresses ?? []).map((e) => ({ value: e.value ?? "", label: e.type ?? "" })),
    phones: (person.phoneNumbers ?? []).map((p) => ({ value: phoneText(p), label: p.type ?? "" })),
    address: home >= 0 ? addressText(addresses[home]!) : null,
    postalAddress: work >= 0 ? addressText(addresses[work]!) : null,
    ims: (person.imClients ?? []).map((im) => im.username ?? ""),
    organization: org?.name ?? null,
    jobTitle: org?.title ?? null,
    notes: person.biographies?.[0]?.value ?? null,
    birthday: readBirthday(person.birthdays?.[0]),
  };
}

/** The contact, with the fields over Tandem's limits left out and named. */
function readContactOf(person: Person, defaultCountry: string): { contact: Contact; oversize: OversizeField[] } {
  const { contact, oversize } = readProviderContact(contactFromPerson(person), defaultCountry);
  return { contact: projectForGoogle(contact), oversize };
}

const readContact = (person: Person, defaultCountry: string): Contact => readContactOf(person, defaultCountry).contact;

function isMember(person: Person, groupResourceName: string): boolean {
  return (person.memberships ?? []).some((m) => {
    const g = m.contactGroupMembership;
    return g?.contactGroupResourceName === groupResourceName || (!!g?.contactGroupId && `contactGroups/${g.contactGroupId}` === groupResourceName);
  });
}

export function readGooglePerson(person: Person, { groupResourceName, defaultCountry }: GoogleMappingOptions): GooglePersonRead {
  const deleted = person.metadata?.deleted === true;
  const { contact, oversize } = deleted ? { contact: EMPTY_CONTACT, oversize: [] } : readContactOf(person, defaultCountry);
  return {
    id: person.resourceName ?? "",
    etag: person.etag ?? "",
    deleted,
    inScope: !deleted && isMember(person, groupResourceName),
    contact,
    oversize,
    photoUrl: (person.photos ?? []).find((p) => p.default !== true)?.url ?? null,
    previousIds: person.metadata?.previousResourceNames ?? [],
  };
}

/**
 * What Google can hold of a normalised contact. Google's item types are free strings (custom
 * types are kept as typed), names, notes and every list have no limit a CRM contact reaches,
 * so this is the identity — except for birthdays: Google's Date reads year 0 as "no year",
 * and a year-less date must exist (Google rejects 30 February).
 */
export function projectForGoogle(contact: Contact): Contact {
  const birthday = representableBirthday(contact.birthday);
  return birthday === contact.birthday ? contact : { ...contact, birthday };
}

// ---- writing -------------------------------------------------------------------------------

/**
 * Merges a labelled set into a provider list: items whose value is still wanted are kept as they
 * are (metadata, display names, original formatting), only their type changes when the label
 * did; items no longer wanted are dropped; new values are appended.
 */
function mergeLabeled<T extends { type?: string | null; formattedType?: string | null }>(
  items: T[],
  wanted: Labeled[],
  keyOf: (item: T) => string,
  create: (wanted: Labeled) => T,
): T[] {
  const labels = new Map(wanted.map((w) => [w.value, w.label]));
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const key = keyOf(item);
    const label = labels.get(key);
    if (label === undefined) continue;
    // A duplicate of a kept value is left alone: only the first item of a value is read.
    if (seen.has(key) || labelAsRead(item.type) === label) out.push(item);
    else out.push({ ...omit(item, ["formattedType"]), type: googleType(label) });
    seen.add(key);
  }
  for (const w of wanted) if (!seen.has(w.value)) out.push(create(w));
  return out;
}

function writeNames(contact: Contact, current: people_v1.Schema$Name[]): people_v1.Schema$Name[] {
  // unstructuredName would be re-split by Google over our parts; the display names are output.
  const kept = omit(current[0] ?? {}, ["givenName", "familyName", "unstructuredName", "displayName", "displayNameLastFirst"]);
  const name: people_v1.Schema$Name = { ...kept };
  if (contact.firstName) name.givenName = contact.firstName;
  if (contact.lastName) name.familyName = contact.lastName;
  return hasContent(name, ["metadata"]) ? [name] : [];
}

function writeAddresses(contact: Contact, current: Address[]): Address[] {
  const { home, work } = mappedAddresses(current);
  const replacements = new Map<number, Address | null>();
  const appended: Address[] = [];
  const put = (index: number, text: string | null, type: string) => {
    if (index >= 0) {
      const item = current[index]!;
      if (normalizeText(addressText(item)) === text) return;
      // A changed address is a new one: its old structured parts would contradict the text.
      // streetAddress carries the text too, for Google Contacts' editor, which edits the parts.
      replacements.set(index, text === null ? null : { ...keepMetadata(item), type: item.type ?? type, formattedValue: text, streetAddress: text });
    } else if (text !== null) appended.push({ type, formattedValue: text, streetAddress: text });
  };
  put(home, contact.address, "home");
  put(work, contact.postalAddress, "work");
  const out: Address[] = [];
  current.forEach((item, i) => {
    const replacement = replacements.has(i) ? replacements.get(i) : item;
    if (replacement) out.push(replacement);
  });
  return [...out, ...appended];
}

function writeOrganizations(contact: Contact, current: Organization[]): Organization[] {
  const [first, ...rest] = current;
  const org: Organization = omit(first ?? {}, ["name", "title"]);
  if (contact.organization) org.name = contact.organization;
  if (contact.jobTitle) org.title = contact.jobTitle;
  return hasContent(org, ["metadata", "formattedType", "type", "current"]) ? [org, ...rest] : rest;
}

function writeBirthdays(contact: Contact, current: people_v1.Schema$Birthday[]): people_v1.Schema$Birthday[] {
  const parts = contact.birthday === null ? null : birthdayParts(contact.birthday);
  if (!parts) return [];
  const date = parts.year === null ? { month: parts.month, day: parts.day } : { year: parts.year, month: parts.month, day: parts.day };
  return [{ ...keepMetadata(current[0]), date }];
}

function writeField(field: GoogleMappedField, contact: Contact, person: Person, defaultCountry: string): Person {
  switch (field) {
    case "names":
      return { names: writeNames(contact, person.names ?? []) };
    case "emailAddresses":
      return {
        emailAddresses: mergeLabeled(
          person.emailAddresses ?? [],
          contact.emails,
          (e) => normalizeEmail(e.value ?? ""),
          (w) => ({ value: w.value, type: googleType(w.label) }),
        ),
      };
    case "phoneNumbers":
      return {
        phoneNumbers: mergeLabeled(
          person.phoneNumbers ?? [],
          contact.phones,
          (p) => normalizePhone(phoneText(p), defaultCountry),
          (w) => ({ value: w.value, type: googleType(w.label) }),
        ),
      };
    case "addresses":
      return { addresses: writeAddresses(contact, person.addresses ?? []) };
    case "imClients": {
      const wanted = new Set(contact.ims);
      const kept = (person.imClients ?? []).filter((im) => wanted.has(normalizeText(im.username ?? "")));
      const keptNames = new Set(kept.map((im) => normalizeText(im.username ?? "")));
      return { imClients: [...kept, ...contact.ims.filter((im) => !keptNames.has(im)).map((username) => ({ username }))] };
    }
    case "organizations":
      return { organizations: writeOrganizations(contact, person.organizations ?? []) };
    case "biographies":
      return { biographies: contact.notes === null ? [] : [{ ...keepMetadata(person.biographies?.[0]), value: contact.notes, contentType: "TEXT_PLAIN" }] };
    case "birthdays":
      return { birthdays: writeBirthdays(contact, person.birthdays ?? []) };
  }
}

/**
 * The body for createContact (current = null: every non-empty mapped field and the group
 * membership) or updateContact (current = the person as just read, with etag and resourceName).
 * updatePersonFields lists the fields whose mapped content changes; send nothing when empty.
 * An update body holds only those fields (a masked field absent from the body would be cleared;
 * a field that becomes empty is sent as []).
 */
export function writeGooglePerson(
  contact: Contact,
  current: Person | null,
  { groupResourceName, defaultCountry }: GoogleMappingOptions,
): { person: Person; updatePersonFields: string[] } {
  const next = projectForGoogle(normalizeContact(contact, defaultCountry));
  const base = current ?? {};
  const fields: Person = {};
  const updatePersonFields: GoogleMappedField[] = [];
  for (const field of MAPPED_FIELDS) {
    const written = writeField(field, next, base, defaultCountry);
    const before = readContact({ [field]: base[field] }, defaultCountry);
    const after = readContact(written, defaultCountry);
    if (sameJson(before, after)) continue;
    updatePersonFields.push(field);
    Object.assign(fields, written);
  }
  const person: Person = current
    ? { resourceName: current.resourceName, etag: current.etag, ...fields }
    : { ...fields, memberships: [{ contactGroupMembership: { contactGroupResourceName: groupResourceName } }] };
  return { person, updatePersonFields };
}
