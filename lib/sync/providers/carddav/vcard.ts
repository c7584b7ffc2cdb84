// vCard (3.0, RFC 2426; 4.0, RFC 6350) ⇄ canonical Contact, for CardDAV. Pure functions, no I/O.
//
// Reading parses every content line with ical.js, so a malformed card is refused whole
// (VCardError), never half read. Writing edits the previous card line by line: a line we do not
// map is copied byte for byte (folding, case, position, line ending), a mapped line whose
// normalised value is still wanted is copied too, and only what changed is removed, replaced in
// place or added after the last line of its property. A card written from nothing is vCard 3.0,
// which every server takes (iCloud takes nothing else). Lines we write end in CRLF and fold at
// 75 octets; a previous card's own line endings are kept, except that END:VCARD always gets CRLF.
//
// Provider surprises handled:
// - Apple labels items with groups: `item1.EMAIL:…` + `item1.X-ABLabel:Climbing club`, its own
//   labels wrapped as `_$!<Mobile>!$_`. An X-ABLabel wins over TYPE; a label that is not a usual
//   TYPE is written that way; removing the last item of a group removes its X-ABLabel/X-ABADR.
// - Year-less birthdays: 4.0 `--MMDD`; Apple's 3.0 `BDAY;X-APPLE-OMIT-YEAR=1604:1604-MM-DD`.
// - IMs are IMPP URIs (xmpp:, skype:, sip:, …); older 3.0 writers use X-AIM, X-JABBER, … which
//   read as the URI IMPP would hold ("aim:handle"). We write IMPP in both versions.
// - Group cards: 4.0 KIND:group + MEMBER, iCloud's 3.0 X-ADDRESSBOOKSERVER-KIND/-MEMBER, both
//   with urn:uuid: member URIs.
// - vCard 2.1's bare types (TEL;WORK;VOICE:…), repeated or comma-separated TYPE, any case.
// - ical.js: its vCard text type neither unescapes nor escapes `\;` (3.0 requires it, 4.0
//   allows it), it reads a 3.0 NOTE as a comma-separated list and a 3.0 TEL with every backslash
//   dropped, and it folds continuation lines at 76 octets. The design sets below fix the first
//   three (iCalendar's text type, NOTE and TEL as text); fold() does the last.
//
// Known limit (as Google's mapping): the address slots are the first non-work and the first work
// ADR with text; clearing one lets a further ADR of the same kind move up.
import ICAL from "ical.js";
import { EMPTY_CONTACT, normalizeContact, normalizeLabel, readProviderContact, valuesEqual, type Contact, type Labeled, type OversizeField } from "@/lib/sync/model/contact";
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

const PRODID = "-//Tandem//CRM//EN";
const FOLD_OCTETS = 75;
/** Apple's year for "no year" (a leap year, so 29 February fits). */
const NO_YEAR = "1604";

// ---- ical.js design sets -------------------------------------------------------------------

type DesignSet = typeof ICAL.design.vcard;
type JProp = [name: string, params: Record<string, unknown>, type: string, value: unknown];

const TEXT = { defaultType: "text" };
const URI = { defaultType: "uri" };
/** Pre-IMPP instant-messaging properties, and the URI scheme IMPP would write their handle with. */
const X_IM_SCHEMES: Record<string, string> = {
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

const DESIGN = {
  "3.0": designSet(ICAL.design.vcard3, { note: TEXT, tel: TEXT, bday: TEXT, impp: URI }),
  "4.0": designSet(ICAL.design.vcard, {}),
};

// ---- the card as lines ---------------------------------------------------------------------

type Prop = { name: string; group: string | null; params: Record<string, unknown>; type: string; value: unknown };
/** A content line: its bytes as found (folding and line ending included) and its unfolded text. */
type Line = { raw: string; text: string; number: number; prop: Prop | null };
type PropLine = Line & { prop: Prop };
type Card = { version: "3.0" | "4.0"; design: DesignSet; begin: Line; body: Line[]; end: Line };

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

function parseCard(text: string): Card {
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

const propLines = (card: Card) => card.body.filter((l): l is PropLine => l.prop !== null);

// ---- values --------------------------------------------------------------------------------

const textOf = (value: unknown): string => (Array.isArray(value) ? value.join(",") : String(value ?? ""));
const componentsOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
/** A component of a structured value, which may itself be a comma-separated list. */
const joined = (component: unknown, separator: string) => (Array.isArray(component) ? component.join(separator) : textOf(component));
const sameGroup = (a: string | null, b: string | null) => a !== null && b !== null && a.toLowerCase() === b.toLowerCase();

/** TYPE values, lower-case: ical.js gives a string, a list, or lists of lists (type=a,b;type=c). */
const typesOf = (prop: Prop): string[] => [prop.params.type].flat(2).flatMap((t) => (typeof t === "string" ? [t.toLowerCase()] : []));

/** Labels that TYPE values carry, most specific first; any other label rides on X-ABLabel. */
const TYPE_LABELS = new Map<string, string[]>([
  ["workfax", ["work", "fax"]], ["homefax", ["home", "fax"]], ["otherfax", ["fax"]],
  ["workmobile", ["work", "cell"]], ["mobile", ["cell"]], ["workpager", ["work", "pager"]], ["pager", ["pager"]],
  ["work", ["work"]], ["home", ["home"]],
]);
const PHONE_TYPED = new Set(TYPE_LABELS.keys());
const EMAIL_TYPED = new Set(["work", "home"]);
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

function abLabelsOf(lines: PropLine[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const { prop } of lines) {
    const key = prop.group?.toLowerCase();
    if (prop.name === "x-ablabel" && key && !labels.has(key)) labels.set(key, textOf(prop.value));
  }
  return labels;
}

type ItemOf = (prop: Prop) => Labeled | null;

/** What one line contributes to a list field, normalised exactly as a read normalises it. */
function itemReaders(abLabels: Map<string, string>, country: string): { email: ItemOf; phone: ItemOf; im: ItemOf } {
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
function addressText(prop: Prop): string {
  const [poBox, extended, street, locality, region, code, country] = componentsOf(prop.value);
  return [street, extended, poBox, locality, region, code, country]
    .map((part) => oneLine(joined(part, "\n")))
    .filter(Boolean)
    .join(", ");
}

/** The first non-work ADR with text is the address, the first work one the postal address. */
function addressSlots(lines: PropLine[], abLabels: Map<string, string>): { home?: PropLine; work?: PropLine } {
  const adrs = lines.filter((l) => l.prop.name === "adr" && addressText(l.prop) !== "");
  const isWork = (p: Prop) => labelOf(p, abLabels) === "work" || typesOf(p).includes("work");
  return { home: adrs.find((l) => !isWork(l.prop)), work: adrs.find((l) => isWork(l.prop)) };
}

const organizationOf = (org: Prop | undefined) => (org ? normalizeText(joined(componentsOf(org.value)[0], ",")) || null : null);

/** From N; a card without a usable N takes its name from FN, unless FN is the organization (a
 * company card, as Apple writes them: it has no person's name). */
function namesOf(n: Prop | undefined, fn: Prop | undefined, organization: string | null): { firstName: string; lastName: string } {
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

const firstProp = (lines: PropLine[], name: string) => lines.find((l) => l.prop.name === name)?.prop;
const MEMBER_NAMES = ["member", "x-addressbookserver-member"];
const withoutUrn = (uri: string) => uri.trim().replace(/^urn:uuid:/i, "");
const isGroup = (lines: PropLine[]) =>
  lines.some((l) => (l.prop.name === "kind" || l.prop.name === "x-addressbookserver-kind") && textOf(l.prop.value).trim().toLowerCase() === "group");

/** The card's contact, with the fields over Tandem's limits left out and named. */
function contactOf(card: Card, country: string): { contact: Contact; oversize: OversizeField[] } {
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

// ---- writing -------------------------------------------------------------------------------

/** RFC 6350 §3.2: at most 75 octets a line, continuation lines included. */
function fold(line: string): string {
  const rows: string[] = [];
  let row = "";
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    if (octets + size > FOLD_OCTETS) {
      rows.push(row);
      row = " ";
      octets = 1;
    }
    row += char;
    octets += size;
  }
  rows.push(row);
  return `${rows.join("\r\n")}\r\n`;
}

/** ical.js writes a group upper-case; ours keeps the card's spelling. */
const serialize = (design: DesignSet, jprop: JProp, group: string | null = null) =>
  fold(`${group ? `${group}.` : ""}${ICAL.stringify.property(jprop, design, true)}`);

/** The edits to a card: lines removed, lines replaced in place, lines added after a line. */
type Draft = { card: Card; lines: PropLine[]; removed: Set<Line>; replaced: Map<Line, string>; added: Map<Line, string[]>; nextItem: number };

function draftOf(card: Card): Draft {
  const lines = propLines(card);
  const items = lines.map((l) => /^item(\d+)$/i.exec(l.prop.group ?? "")?.[1]).map(Number).filter(Number.isFinite);
  return { card, lines, removed: new Set(), replaced: new Map(), added: new Map(), nextItem: Math.max(0, ...items) + 1 };
}

/** New lines go after the last line of the same properties (and the lines of its item group
 * that follow it), else just before END:VCARD. */
function add(draft: Draft, names: string[], texts: string[]): void {
  const { body } = draft.card;
  const last = draft.lines.filter((l) => names.includes(l.prop.name)).at(-1);
  let i = last ? body.indexOf(last) : body.length - 1;
  while (last && sameGroup(body[i + 1]?.prop?.group ?? null, last.prop.group)) i++;
  const at = body[i] ?? draft.card.begin;
  draft.added.set(at, [...(draft.added.get(at) ?? []), ...texts]);
}

/** Replaces the line in place (keeping its group), or adds one. */
function put(draft: Draft, line: PropLine | undefined, names: string[], jprop: JProp): void {
  if (line) draft.replaced.set(line, serialize(draft.card.design, jprop, line.prop.group));
  else add(draft, names, [serialize(draft.card.design, jprop)]);
}

/** A single-valued property read from its first line: replaced there, or all its lines removed
 * when build says there is nothing left to hold (so no later line moves up). */
function writeSingle(draft: Draft, name: string, unchanged: boolean, build: (current: Prop | undefined) => JProp | null): void {
  if (unchanged) return;
  const lines = draft.lines.filter((l) => l.prop.name === name);
  const jprop = build(lines[0]?.prop);
  if (jprop === null) lines.forEach((l) => draft.removed.add(l));
  else put(draft, lines[0], [name], jprop);
}

/**
 * A list field: the first line of each value decides. Kept when the value is still wanted with
 * the label it reads as (later lines of that value too: they change nothing); otherwise every
 * line of the value goes, and wanted values not kept are added. Lines that read as nothing stay.
 */
function mergeItems(draft: Draft, names: string[], wanted: Labeled[], itemOf: ItemOf, create: (w: Labeled) => string[]): void {
  const labels = new Map(wanted.map((w) => [w.value, w.label]));
  const kept = new Map<string, boolean>();
  for (const line of draft.lines) {
    const item = itemOf(line.prop);
    if (!item || item.value === "") continue;
    if (!kept.has(item.value)) kept.set(item.value, labels.get(item.value) === item.label);
    if (!kept.get(item.value)) draft.removed.add(line);
  }
  const missing = wanted.filter((w) => !kept.get(w.value));
  if (missing.length > 0) add(draft, names, missing.flatMap(create));
}

/** A labelled line: a usual label as TYPE, "other" as no TYPE, any other in a new item group. */
function labeledLines(draft: Draft, w: Labeled, typed: Set<string>, [name, , type, value]: JProp): string[] {
  const { design } = draft.card;
  const types = typed.has(w.label) ? TYPE_LABELS.get(w.label) : undefined;
  if (types || w.label === "other") return [serialize(design, [name, types ? { type: types.map((t) => t.toUpperCase()) } : {}, type, value])];
  const group = `item${draft.nextItem++}`;
  // Apple's spelling, for readers that compare names case-sensitively.
  const label = serialize(design, ["x-ablabel", {}, "text", w.label], group).replace(/^(\w+\.)X-ABLABEL/, "$1X-ABLabel");
  return [serialize(design, [name, {}, type, value], group), label];
}

function phoneValue(version: Card["version"], phone: string): [type: string, value: string] {
  if (version === "4.0" && /^\+\d+(;ext=\d+)?$/.test(phone)) return ["uri", `tel:${phone}`];
  return ["text", phone];
}

const fullName = (c: Contact) => `${c.firstName} ${c.lastName}`.trim() || c.organization || "";

function writeNames(draft: Draft, next: Contact): void {
  const n = draft.lines.find((l) => l.prop.name === "n");
  const fn = draft.lines.find((l) => l.prop.name === "fn");
  const current = namesOf(n?.prop, fn?.prop, next.organization);
  if (current.firstName === next.firstName && current.lastName === next.lastName) return;
  const others = [...(n ? componentsOf(n.prop.value).slice(2) : []), "", "", ""].slice(0, 3);
  put(draft, n, ["n", "fn"], ["n", {}, "text", [next.lastName, next.firstName, ...others]]);
  put(draft, fn, ["fn", "n"], ["fn", {}, "text", fullName(next)]);
}

function writeAddresses(draft: Draft, next: Contact, abLabels: Map<string, string>): void {
  const slots = addressSlots(draft.lines, abLabels);
  const write = (line: PropLine | undefined, text: string | null, type: string) => {
    if ((line ? normalizeText(addressText(line.prop)) : null) === text) return;
    if (line && text === null) draft.removed.add(line);
    // A changed address is a new one: its old parts would contradict the text. Its TYPE stays.
    const types = line ? typesOf(line.prop).map((t) => t.toUpperCase()) : [type];
    if (text !== null) put(draft, line, ["adr"], ["adr", types.length > 0 ? { type: types } : {}, "text", ["", "", text, "", "", "", ""]]);
  };
  write(slots.home, next.address, "HOME");
  write(slots.work, next.postalAddress, "WORK");
}

function birthdayProp(version: Card["version"], birthday: string): JProp {
  if (version === "4.0") return ["bday", {}, "date-and-or-time", birthday];
  return birthday.startsWith("--") ? ["bday", { "x-apple-omit-year": NO_YEAR }, "text", `${NO_YEAR}${birthday.slice(1)}`] : ["bday", {}, "text", birthday];
}

/** Apple's companions of a grouped line, meaningless once the line is gone. */
const COMPANIONS = new Set(["x-ablabel", "x-abadr"]);

function dropOrphanedCompanions(draft: Draft): void {
  for (const removed of [...draft.removed]) {
    const group = draft.lines.filter((l) => sameGroup(l.prop.group, removed.prop?.group ?? null) && !draft.removed.has(l));
    if (group.every((l) => COMPANIONS.has(l.prop.name))) group.forEach((l) => draft.removed.add(l));
  }
}

function assemble(draft: Draft): string {
  const out: string[] = [];
  for (const line of [draft.card.begin, ...draft.card.body]) {
    if (!draft.removed.has(line)) out.push(draft.replaced.get(line) ?? line.raw);
    out.push(...(draft.added.get(line) ?? []));
  }
  out.push(draft.card.end.raw.replace(/\r?\n?$/, "\r\n"));
  return out.join("");
}

function newCard(next: Contact, uid: string): string {
  const design = DESIGN["3.0"];
  const lines: JProp[] = [
    ["prodid", {}, "text", PRODID],
    ["uid", {}, "text", uid],
    ["fn", {}, "text", fullName(next)],
    ["n", {}, "text", [next.lastName, next.firstName, "", "", ""]],
  ];
  return `BEGIN:VCARD\r\nVERSION:3.0\r\n${lines.map((jprop) => serialize(design, jprop)).join("")}END:VCARD\r\n`;
}

/**
 * The card to PUT: the previous card with only what changed edited (see the header), or a new
 * vCard 3.0 card. `uid` is added to a previous card without one when anything else changes (a
 * write with nothing to change returns the card as it was); `stamp` (X-TANDEM-PERSON-ID) is
 * written when given and different. The default country reads the previous card's national
 * phone numbers, so that a number is compared by value, not by how it is formatted.
 */
export function writeVCard(
  contact: Contact,
  { previous, uid, stamp = null, defaultCountry }: { previous: string | null; uid: string; stamp?: string | null; defaultCountry: string },
): string {
  const next = projectForCardDav(normalizeContact(contact, defaultCountry));
  const card = parseCard(previous ?? newCard(next, uid));
  const current = contactOf(card, defaultCountry).contact;
  const draft = draftOf(card);
  const { design, version } = card;
  const abLabels = abLabelsOf(draft.lines);
  const readers = itemReaders(abLabels, defaultCountry);
  const unchanged = (field: keyof Contact) => valuesEqual(current[field], next[field]);

  writeNames(draft, next);
  mergeItems(draft, ["email"], next.emails, readers.email, (w) => labeledLines(draft, w, EMAIL_TYPED, ["email", {}, "text", w.value]));
  mergeItems(draft, ["tel"], next.phones, readers.phone, (w) => labeledLines(draft, w, PHONE_TYPED, ["tel", {}, ...phoneValue(version, w.value)]));
  writeAddresses(draft, next, abLabels);
  const ims = next.ims.map((value) => ({ value, label: "" }));
  mergeItems(draft, ["impp", ...Object.keys(X_IM_SCHEMES)], ims, readers.im, (w) => [serialize(design, ["impp", {}, "uri", w.value])]);
  writeSingle(draft, "org", unchanged("organization"), (org) => {
    const others = org ? componentsOf(org.value).slice(1) : [];
    if (next.organization === null && others.every((c) => joined(c, "") === "")) return null;
    return ["org", {}, "text", [next.organization ?? "", ...others]];
  });
  writeSingle(draft, "title", unchanged("jobTitle"), () => (next.jobTitle === null ? null : ["title", {}, "text", next.jobTitle]));
  writeSingle(draft, "note", unchanged("notes"), () => (next.notes === null ? null : ["note", {}, "text", next.notes]));
  writeSingle(draft, "bday", unchanged("birthday"), () => (next.birthday === null ? null : birthdayProp(version, next.birthday)));
  const currentStamp = normalizeText(textOf(firstProp(draft.lines, "x-tandem-person-id")?.value));
  writeSingle(draft, "x-tandem-person-id", !stamp || currentStamp === stamp, () => ["x-tandem-person-id", {}, "text", stamp]);
  dropOrphanedCompanions(draft);
  const edited = draft.removed.size + draft.replaced.size + draft.added.size > 0;
  if (edited && !draft.lines.some((l) => l.prop.name === "uid")) add(draft, ["version"], [serialize(design, ["uid", {}, "text", uid])]);
  return assemble(draft);
}

/**
 * Adds and removes members of a group card (UIDs, with or without "urn:uuid:"), in the card's
 * own flavour: MEMBER for 4.0, X-ADDRESSBOOKSERVER-MEMBER for 3.0. Every other line is kept byte
 * for byte. A UID in both lists stays a member.
 */
export function setGroupMembers(groupCard: string, changes: { add: string[]; remove: string[] }): string {
  const card = parseCard(groupCard);
  const draft = draftOf(card);
  if (!isGroup(draft.lines)) throw new VCardError("it is not a group card (no KIND:group or X-ADDRESSBOOKSERVER-KIND:group)");
  const adding = new Set(changes.add.map(withoutUrn).filter(Boolean));
  const removing = new Set(changes.remove.map(withoutUrn).filter((uid) => !adding.has(uid)));
  const present = new Set<string>();
  for (const line of draft.lines.filter((l) => MEMBER_NAMES.includes(l.prop.name))) {
    const uid = withoutUrn(textOf(line.prop.value));
    if (removing.has(uid)) draft.removed.add(line);
    else present.add(uid);
  }
  const name = card.version === "4.0" ? "member" : "x-addressbookserver-member";
  const fresh = [...adding].filter((uid) => !present.has(uid));
  if (fresh.length > 0) add(draft, MEMBER_NAMES, fresh.map((uid) => serialize(card.design, [name, {}, "uri", `urn:uuid:${uid}`])));
  return assemble(draft);
}
