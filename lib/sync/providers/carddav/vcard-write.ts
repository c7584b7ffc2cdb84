// Canonical Contact → vCard, for CardDAV: the card to PUT, and a group card's members. Pure
// functions, no I/O; the card is read with vcard.ts's model of it.
//
// Writing edits the previous card line by line: a line we do not map is copied byte for byte
// (folding, case, position, line ending), a mapped line whose normalised value is still wanted
// is copied too, and only what changed is removed, replaced in place or added after the last line
// of its property. A card written from nothing is vCard 3.0, which every server takes (iCloud
// takes nothing else). Lines we write end in CRLF and fold at 75 octets (ical.js folds at 76:
// fold() does it); a previous card's own line endings are kept, except that END:VCARD always
// gets CRLF. A label that is not a usual TYPE is written as Apple's X-ABLabel in an item group;
// removing the last item of a group removes its X-ABLabel/X-ABADR. IMs are written as IMPP in
// both versions.
import ICAL from "ical.js";
import { normalizeContact, valuesEqual, type Contact, type Labeled } from "@/lib/sync/model/contact";
import { normalizeText } from "@/lib/normalize";
import {
  abLabelsOf,
  addressSlots,
  addressText,
  componentsOf,
  contactOf,
  DESIGN,
  EMAIL_TYPED,
  firstProp,
  isGroup,
  itemReaders,
  joined,
  MEMBER_NAMES,
  namesOf,
  parseCard,
  PHONE_TYPED,
  projectForCardDav,
  propLines,
  sameGroup,
  textOf,
  TYPE_LABELS,
  typesOf,
  VCardError,
  withoutUrn,
  X_IM_SCHEMES,
  type Card,
  type DesignSet,
  type ItemOf,
  type JProp,
  type Line,
  type Prop,
  type PropLine,
} from "./vcard";

const PRODID = "-//Tandem//CRM//EN";
const FOLD_OCTETS = 75;
/** Apple's year for "no year" (a leap year, so 29 February fits). */
const NO_YEAR = "1604";

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
