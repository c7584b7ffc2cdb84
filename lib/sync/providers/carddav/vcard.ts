// vCard (3.0, RFC 2426; 4.0, RFC 6350) → canonical Contact, for CardDAV: the card as ical.js
// reads it (its content lines, properties, labels and values) and the contact it holds. Pure
// functions, no I/O. Writing, which edits this same model of the card, is vcard-write.ts.
//
// Reading parses every content line with ical.js, so a malformed card is refused whole
// (VCardError), never half read.
//
// Provider surprises handled:
// - Apple labels items with groups: `item1.EMAIL:…` + `item1.X-ABLabel:Climbing club`, its own
//   labels wrapped as `_$!<Mobile>!$_`. An X-ABLabel wins over TYPE.
// - Year-less birthdays: 4.0 `--MMDD`; Apple's 3.0 `BDAY;X-APPLE-OMIT-YEAR=1604:1604-MM-DD`.
// - IMs are IMPP URIs (xmpp:, skype:, sip:, …); older 3.0 writers use X-AIM, X-JABBER, … which
//   read as the URI IMPP would hold ("aim:handle").
// - Group cards: 4.0 KIND:group + MEMBER, iCloud's 3.0 X-ADDRESSBOOKSERVER-KIND/-MEMBER, both
//   with urn:uuid: member URIs.
// - vCard 2.1's bare types (TEL;WORK;VOICE:…), repeated or comma-separated TYPE, any case.
// - ical.js: its vCard text type neither unescapes nor escapes `\;` (3.0 requires it, 4.0
//   allows it), it reads a 3.0 NOTE as a comma-separated list and a 3.0 TEL with every backslash
//   dropped. The design sets below fix these (iCalendar's text type, NOTE and TEL as text).
//
// Known limit (as Google's mapping): the address slots are the first non-work and the first work
// ADR with text; clearing one lets a further ADR of the same kind move up.
import ICAL from "ical.js";
import { EMPTY_CONTACT, normalizeLabel, readProviderContact, type Contact, type Labeled, type OversizeField } from "@/lib/sync/model/contact";
import { normalizeEmail, normalizePhone, normalizeText, trimEndWhere } from "@/lib/normalize";
import { oneLine } from "../mapping-kit";

export type CardPhoto = { data: Buffer; contentType: string } | { uri: string };

export type CardRead = {
  uid: string | null;
  kind: "individual" | "group";
  version: "3.0" | "4.0";
  /** Normalised and projected; EMPTY_CONTACT for a group card. */
  contact: Contact;
  /** Fields over Tandem's limits, left out of `contact`. */
  oversize: OversizeField[];
  photo: CardPhoto | null;
  /** X-TANDEM-PERSON-ID: the CRM person id our creates carry. */
  stamp: string | null;
  /** The FN of a group card. */
  groupName: string | null;
  /** A group card's member UIDs, without "urn:uuid:". */
  members: string[];
};

export class VCardError extends Error {
  name = "VCardError";
}

/** The largest card read (characters): a photo of several MB, base64-encoded and folded, and
 * room for the rest. A larger card is not parsed at all. */
export const CARD_MAX_CHARS = 10 * 1024 * 1024;

/** A card larger than CARD_MAX_CHARS, or than one answer of the server may weigh. */
export class CardTooLargeError extends VCardError {
  name = "CardTooLargeError";
  constructor() {
    super(`The card is larger than ${CARD_MAX_CHARS / 1024 / 1024} MB, more than Tandem reads`);
  }
}

// ---- ical.js design sets -------------------------------------------------------------------

export type DesignSet = typeof ICAL.design.vcard;
export type JProp = [name: string, params: Record<string, unknown>, type: string, value: unknown];

const TEXT = { defaultType: "text" };
const URI = { defaultType: "uri" };
/** Pre-IMPP instant-messaging properties, and the URI scheme IMPP would write their handle with. */
export const X_IM_SCHEMES: Record<string, string> = {
  "x-aim": "aim", "x-jabber": "xmpp", "x-google-talk": "xmpp", "x-skype": "skype", "x-skype-username": "skype",
  "x-msn": "msnim", "x-icq": "icq", "x-yahoo": "ymsgr", "x-gadugadu": "gg",
};
/** Unknown properties stay escaped in ical.js; these are text or URIs. */
const X_PROPERTIES = {
  ...Object.fromEntries(["x-ablabel", "x-tandem-person-id", "x-addressbookserver-kind", ...Object.keys(X_IM_SCHEMES)].map((name) => [name, TEXT])),
  "x-addressbookserver-member": URI,
};

function designSet(base: DesignSet, properties: Record<string, object>): DesignSet {
  const text = (ICAL.design.icalendar.value as Record<string, unknown>).text;
  return { ...base, value: { ...base.value, text }, property: { ...base.property, ...X_PROPERTIES, ...properties } };
}

export const DESIGN = {
  "3.0": designSet(ICAL.design.vcard3, { note: TEXT, tel: TEXT, bday: TEXT, impp: URI }),
  "4.0": designSet(ICAL.design.vcard, {}),
};

// ---- the card as lines ---------------------------------------------------------------------

export type Prop = { name: string; group: string | null; params: Record<string, unknown>; type: string; value: unknown };
/** A content line: its bytes as found (folding and line ending included) and its unfolded text. */
export type Line = { raw: string; text: string; number: number; prop: Prop | null };
export type PropLine = Line & { prop: Prop };
export type Card = { version: "3.0" | "4.0"; design: DesignSet; begin: Line; body: Line[]; end: Line };

function contentLines(text: string): Line[] {
  const lines: Line[] = [];
  text.split(/(?<=\n)/).forEach((physical, i) => {
    const content = physical.replace(/\r?\n$/, "");
    const last = lines.at(-1);
    if (last && /^[ \t]/.test(physical)) {
      last.raw += physical;
      last.text += content.slice(1);
    } else lines.push({ raw: physical, text: content, number: i + 1, prop: null });
  });
  return lines;
}

/** vCard 2.1's bare types (TEL;WORK;VOICE:…) as TYPE= parameters, which ical.js requires. */
function withTypeNames(text: string): string {
  const head = /^[^:"]*/.exec(text)![0];
  if (!head.includes(";")) return text;
  const params = head.split(";").map((p, i) => (i === 0 || p === "" || p.includes("=") ? p : `TYPE=${p}`));
  return params.join(";") + text.slice(head.length);
}

const PROPERTY_NAME = /^(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)(?=[;:])/;
/** The longest name-and-parameters part of a line read (characters before the value): far above
 * any real card's, and a bound on ical.js's parameter parser, which slows down more than in
 * proportion on a line of thousands of parameters. */
const PARAMETERS_MAX_CHARS = 8 * 1024;

/** Where a content line's value starts: its first colon outside double quotes (a parameter value
 * may hold a quoted colon); -1 when there is none. One pass over the line. */
function valueColon(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x3a && !quoted) return i;
  }
  return -1;
}

function parseProperty(line: Line, design: DesignSet): Prop {
  const preview = JSON.stringify(line.text.length > 40 ? `${line.text.slice(0, 40)}…` : line.text);
  const fail = (what: string) => new VCardError(`line ${line.number} ${preview} ${what}`);
  const name = PROPERTY_NAME.exec(line.text);
  if (!name) throw fail("is not a property (NAME:value)");
  if (/^(begin|end)$/i.test(name[2]!)) throw fail("begins or ends a second card inside this one");
  const colon = valueColon(line.text);
  if ((colon === -1 ? line.text.length : colon) > PARAMETERS_MAX_CHARS) throw fail("has longer parameters than Tandem reads");
  let jprop: JProp;
  try {
    jprop = ICAL.parse.property(withTypeNames(line.text), design);
  } catch {
    // Whatever ical.js throws on (a ParserError, or worse), the line is not a content line.
    throw fail("has malformed parameters or no value");
  }
  return { name: name[2]!.toLowerCase(), group: name[1] ?? null, params: jprop[1], type: jprop[2], value: jprop[3] };
}

export function parseCard(text: string): Card {
  const lines = contentLines(text);
  const filled = lines.filter((l) => l.text.trim() !== "");
  const begin = filled[0];
  const end = filled.at(-1);
  if (!begin || !/^BEGIN:VCARD$/i.test(begin.text.trim())) throw new VCardError("it does not start with BEGIN:VCARD");
  if (!end || end === begin || !/^END:VCARD$/i.test(end.text.trim())) throw new VCardError("it does not end with END:VCARD");
  const body = lines.slice(lines.indexOf(begin) + 1, lines.indexOf(end));
  const version = body.find((l) => /^VERSION:/i.test(l.text))?.text.slice(8).trim() === "4.0" ? "4.0" : "3.0";
  const design = DESIGN[version];
  for (const line of body) if (line.text.trim() !== "") line.prop = parseProperty(line, design);
  return { version, design, begin, body, end };
}

export const propLines = (card: Card) => card.body.filter((l): l is PropLine => l.prop !== null);

// ---- values --------------------------------------------------------------------------------

export const textOf = (value: unknown): string => (Array.isArray(value) ? value.join(",") : String(value ?? ""));
export const componentsOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
/** A component of a structured value, which may itself be a comma-separated list. */
export const joined = (component: unknown, separator: string) => (Array.isArray(component) ? component.join(separator) : textOf(component));
export const sameGroup = (a: string | null, b: string | null) => a !== null && b !== null && a.toLowerCase() === b.toLowerCase();

/** TYPE values, lower-case: ical.js gives a string, a list, or lists of lists (type=a,b;type=c). */
export const typesOf = (prop: Prop): string[] => [prop.params.type].flat(2).flatMap((t) => (typeof t === "string" ? [t.toLowerCase()] : []));

/** Labels that TYPE values carry, most specific first; any other label rides on X-ABLabel. */
export const TYPE_LABELS = new Map<string, string[]>([
  ["workfax", ["work", "fax"]], ["homefax", ["home", "fax"]], ["otherfax", ["fax"]],
  ["workmobile", ["work", "cell"]], ["mobile", ["cell"]], ["workpager", ["work", "pager"]], ["pager", ["pager"]],
  ["work", ["work"]], ["home", ["home"]],
]);
export const PHONE_TYPED = new Set(TYPE_LABELS.keys());
export const EMAIL_TYPED = new Set(["work", "home"]);
/** TYPE values that say nothing about which e-mail or number it is. */
const IGNORED_TYPES = new Set(["pref", "internet", "voice", "x400"]);
const APPLE_LABEL = /^_\$!<(.*)>!\$_$/;

/** A label as read: normalised, with Apple's `_$!<…>!$_` marker unwrapped (idempotent). */
function projectLabel(label: string): string {
  const apple = APPLE_LABEL.exec(normalizeLabel(label));
  return apple ? projectLabel(apple[1]!) : normalizeLabel(label);
}

function labelOf(prop: Prop, abLabels: Map<string, string>): string {
  const custom = prop.group === null ? undefined : abLabels.get(prop.group.toLowerCase());
  if (custom !== undefined) return projectLabel(custom);
  const types = typesOf(prop).filter((t) => !IGNORED_TYPES.has(t));
  for (const [label, needs] of TYPE_LABELS) if (needs.every((t) => types.includes(t))) return label;
  return projectLabel(types[0] ?? "other");
}

export function abLabelsOf(lines: PropLine[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const { prop } of lines) {
    const key = prop.group?.toLowerCase();
    if (prop.name === "x-ablabel" && key && !labels.has(key)) labels.set(key, textOf(prop.value));
  }
  return labels;
}

export type ItemOf = (prop: Prop) => Labeled | null;

/** What one line contributes to a list field, normalised exactly as a read normalises it. */
export function itemReaders(abLabels: Map<string, string>, country: string): { email: ItemOf; phone: ItemOf; im: ItemOf } {
  return {
    email: (p) => (p.name === "email" ? { value: normalizeEmail(textOf(p.value)), label: labelOf(p, abLabels) } : null),
    phone: (p) => {
      if (p.name !== "tel") return null;
      const text = textOf(p.value);
      return { value: normalizePhone(p.type === "uri" ? text.replace(/^tel:/i, "") : text, country), label: labelOf(p, abLabels) };
    },
    im: (p) => {
      const scheme = p.name === "impp" ? "" : X_IM_SCHEMES[p.name];
      const handle = scheme === undefined ? "" : normalizeText(textOf(p.value));
      return handle ? { value: scheme ? `${scheme}:${handle}` : handle, label: "" } : null;
    },
  };
}

/** The address as one line, in the order Google's mapping builds it. */
export function addressText(prop: Prop): string {
  const [poBox, extended, street, locality, region, code, country] = componentsOf(prop.value);
  return [street, extended, poBox, locality, region, code, country]
    .map((part) => oneLine(joined(part, "\n")))
    .filter(Boolean)
    .join(", ");
}

/** The first non-work ADR with text is the address, the first work one the postal address. */
export function addressSlots(lines: PropLine[], abLabels: Map<string, string>): { home?: PropLine; work?: PropLine } {
  const adrs = lines.filter((l) => l.prop.name === "adr" && addressText(l.prop) !== "");
  const isWork = (p: Prop) => labelOf(p, abLabels) === "work" || typesOf(p).includes("work");
  return { home: adrs.find((l) => !isWork(l.prop)), work: adrs.find((l) => isWork(l.prop)) };
}

const organizationOf = (org: Prop | undefined) => (org ? normalizeText(joined(componentsOf(org.value)[0], ",")) || null : null);

/** From N; a card without a usable N takes its name from FN, unless FN is the organization (a
 * company card, as Apple writes them: it has no person's name). */
export function namesOf(n: Prop | undefined, fn: Prop | undefined, organization: string | null): { firstName: string; lastName: string } {
  const [family, given] = n ? componentsOf(n.value) : [];
  const names = { firstName: normalizeText(joined(given, " ")), lastName: normalizeText(joined(family, " ")) };
  if (names.firstName || names.lastName) return names;
  const full = normalizeText(textOf(fn?.value));
  if (full === "" || full === organization) return names;
  const words = full.split(" ");
  return { firstName: words.slice(0, -1).join(" ") || full, lastName: words.length > 1 ? words.at(-1)! : "" };
}

function birthdayOf(bday: Prop | undefined): string | null {
  const m = bday && /^(\d{4}|--)-?(\d{2})-?(\d{2})(?:T|$)/.exec(textOf(bday.value).trim());
  if (!m) return null;
  const yearless = m[1] === "--" || m[1] === bday.params["x-apple-omit-year"];
  return `${yearless ? "-" : m[1]}-${m[2]}-${m[3]}`;
}

function photoOf(photo: Prop | undefined): CardPhoto | null {
  const value = textOf(photo?.value).trim();
  if (!photo || value === "") return null;
  const comma = value.indexOf(",");
  const dataUri = /^data:([^,]*?);base64$/i.exec(value.slice(0, Math.max(comma, 0)));
  if (dataUri) return { data: Buffer.from(value.slice(comma + 1), "base64"), contentType: dataUri[1] || "application/octet-stream" };
  if (!/^b(ase64)?$/i.test(String(photo.params.encoding ?? ""))) return { uri: value };
  const type = typesOf(photo)[0]?.replace(/^jpg$/, "jpeg");
  return { data: Buffer.from(value, "base64"), contentType: type ? (type.includes("/") ? type : `image/${type}`) : "application/octet-stream" };
}

export const firstProp = (lines: PropLine[], name: string) => lines.find((l) => l.prop.name === name)?.prop;
export const MEMBER_NAMES = ["member", "x-addressbookserver-member"];
export const withoutUrn = (uri: string) => uri.trim().replace(/^urn:uuid:/i, "");
export const isGroup = (lines: PropLine[]) =>
  lines.some((l) => (l.prop.name === "kind" || l.prop.name === "x-addressbookserver-kind") && textOf(l.prop.value).trim().toLowerCase() === "group");

/** The card's contact, with the fields over Tandem's limits left out and named. */
export function contactOf(card: Card, country: string): { contact: Contact; oversize: OversizeField[] } {
  const lines = propLines(card);
  const abLabels = abLabelsOf(lines);
  const readers = itemReaders(abLabels, country);
  const items = (itemOf: ItemOf) => lines.flatMap((l) => itemOf(l.prop) ?? []);
  const first = (name: string) => firstProp(lines, name);
  const { home, work } = addressSlots(lines, abLabels);
  const organization = organizationOf(first("org"));
  const contact: Contact = {
    ...namesOf(first("n"), first("fn"), organization),
    emails: items(readers.email),
    phones: items(readers.phone),
    address: home ? addressText(home.prop) : null,
    postalAddress: work ? addressText(work.prop) : null,
    ims: items(readers.im).map((im) => im.value),
    organization,
    jobTitle: textOf(first("title")?.value),
    notes: textOf(first("note")?.value),
    birthday: birthdayOf(first("bday")),
  };
  const read = readProviderContact(contact, country);
  return { contact: projectForCardDav(read.contact), oversize: read.oversize };
}

export function readVCard(text: string, { defaultCountry }: { defaultCountry: string }): CardRead {
  if (text.length > CARD_MAX_CHARS) throw new CardTooLargeError();
  const card = parseCard(text);
  const lines = propLines(card);
  const single = (name: string) => normalizeText(textOf(firstProp(lines, name)?.value)) || null;
  const group = isGroup(lines);
  const uid = single("uid");
  const { contact, oversize } = group ? { contact: EMPTY_CONTACT, oversize: [] } : contactOf(card, defaultCountry);
  return {
    uid: uid === null ? null : withoutUrn(uid),
    kind: group ? "group" : "individual",
    version: card.version,
    contact,
    oversize,
    photo: photoOf(firstProp(lines, "photo")),
    stamp: single("x-tandem-person-id"),
    groupName: group ? single("fn") : null,
    members: group ? lines.filter((l) => MEMBER_NAMES.includes(l.prop.name)).map((l) => withoutUrn(textOf(l.prop.value))).filter(Boolean) : [],
  };
}

/**
 * What a vCard holds of a normalised contact: nearly all of it. Labels are TYPE values when they
 * are the usual ones and X-ABLabel otherwise, so a label only changes by reading the way Apple's
 * do, its `_$!<…>!$_` marker unwrapped. And a name, organization or address loses backslashes at
 * its end: ical.js takes the escaped backslash before the next component (`\\;`) for an escaped
 * separator. Idempotent.
 */
export function projectForCardDav(contact: Contact): Contact {
  const labeled = (items: Labeled[]) => items.map(({ value, label }) => ({ value, label: projectLabel(label) }));
  const component = (value: string) => trimEndWhere(value, (char) => char === "\\" || /\s/.test(char));
  const optional = (value: string | null) => (value === null ? null : component(value) || null);
  return {
    ...contact,
    firstName: component(contact.firstName),
    lastName: component(contact.lastName),
    emails: labeled(contact.emails),
    phones: labeled(contact.phones),
    address: optional(contact.address),
    postalAddress: optional(contact.postalAddress),
    organization: optional(contact.organization),
  };
}
