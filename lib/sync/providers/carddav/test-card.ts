// The vCard 3.0 text of the test kit's CardDAV book (test-book.ts): cards written and read by a
// small serializer of its own, on purpose independent of the app's mapping (vcard.ts).
//
// A card's fields: N + FN (given, family), EMAIL;TYPE=WORK (email), EMAIL;TYPE=HOME (email2),
// TEL;TYPE=CELL (phone), TEL;TYPE=WORK (phone2), ADR;TYPE=HOME / ADR;TYPE=WORK, IMPP (im; a
// bare address is written as `xmpp:<im>` and read back without the `xmpp:`), NOTE, ORG (first
// component), TITLE, BDAY (YYYY-MM-DD; a year-less one reads as --MM-DD). Reading picks the line
// of the preferred TYPE first, then the first line left that is not of the other slot's TYPE,
// and an update changes exactly the lines reading picked (keeping their group and parameters),
// so cards written by another client round-trip too. "" as a field value removes its line.
import type { BookContact, ListedContact, PostalParts } from "@/tests/kit/address-book";

const COUNTRY = "United States";

// ---- vCard 3.0 text ---------------------------------------------------------------------

const escapeText = (s: string): string => s.replace(/\\/g, "\\\\").replace(/\r?\n/g, "\\n").replace(/,/g, "\\,").replace(/;/g, "\\;");

function unescapeText(s: string): string {
  return s.replace(/\\([\\nN,;:])/g, (_m, ch: string) => (ch === "n" || ch === "N" ? "\n" : ch));
}

/** Splits a structured value (N, ADR, ORG) on the semicolons that are not escaped. */
function splitStructured(value: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === "\\" && i + 1 < value.length) {
      current += ch + value[i + 1];
      i++;
    } else if (ch === ";") {
      parts.push(unescapeText(current));
      current = "";
    } else current += ch;
  }
  parts.push(unescapeText(current));
  return parts;
}

const structured = (parts: string[]): string => parts.map(escapeText).join(";");

/** Folds a content line at 75 octets without splitting a UTF-8 sequence (RFC 2425 §5.8.1). */
function fold(line: string): string {
  if (Buffer.byteLength(line) <= 75) return line;
  const out: string[] = [];
  let current = "";
  let bytes = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    const limit = out.length === 0 ? 75 : 74;
    if (bytes + size > limit) {
      out.push(current);
      current = "";
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  out.push(current);
  return out.join("\r\n ");
}

type CardLine = { group: string | null; name: string; params: [string, string][]; value: string };

/** Splits `text` on `sep` outside double quotes. */
function splitOutsideQuotes(text: string, sep: string, limit = Infinity): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length && parts.length < limit - 1; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === sep && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseLine(raw: string): CardLine | null {
  const [head, value] = splitOutsideQuotes(raw, ":", 2);
  if (value === undefined || head === undefined) return null;
  const [nameWithGroup = "", ...rawParams] = splitOutsideQuotes(head, ";");
  const dot = nameWithGroup.lastIndexOf(".");
  const params = rawParams.map((p): [string, string] => {
    const eq = p.indexOf("=");
    // vCard 2.1 style bare parameters (`TEL;WORK;VOICE:`) are types.
    return eq === -1 ? ["TYPE", p] : [p.slice(0, eq).toUpperCase(), p.slice(eq + 1).replace(/^"|"$/g, "")];
  });
  return { group: dot === -1 ? null : nameWithGroup.slice(0, dot), name: nameWithGroup.slice(dot + 1).toUpperCase(), params, value };
}

function parseCard(text: string): CardLine[] {
  return text
    .replace(/\r?\n[ \t]/g, "")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .map(parseLine)
    .filter((l): l is CardLine => l !== null);
}

function serializeLine(l: CardLine): string {
  const params = l.params.map(([k, v]) => `;${k}=${v}`).join("");
  return fold(`${l.group ? `${l.group}.` : ""}${l.name}${params}:${l.value}`);
}

const serializeCard = (lines: CardLine[]): string => `${lines.map(serializeLine).join("\r\n")}\r\n`;

const line = (name: string, value: string, type?: string): CardLine => ({ group: null, name, params: type ? [["TYPE", type]] : [], value });

function types(l: CardLine): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of l.params) if (k === "TYPE") for (const t of v.split(",")) out.add(t.trim().toUpperCase());
  return out;
}

// ---- BookContact <-> card lines ----------------------------------------------------------

type Slot = "email" | "email2" | "phone" | "phone2" | "home" | "work" | "im" | "notes" | "company" | "title" | "birthday";

/** Which line carries each field: the line's property, the TYPE it prefers and the TYPEs it never takes. */
const PAIRS: { property: string; slots: [Slot, string, string[]][] }[] = [
  { property: "EMAIL", slots: [["email", "WORK", ["HOME"]], ["email2", "HOME", ["WORK"]]] },
  { property: "TEL", slots: [["phone", "CELL", ["FAX"]], ["phone2", "WORK", ["CELL", "FAX"]]] },
  { property: "ADR", slots: [["home", "HOME", ["WORK"]], ["work", "WORK", ["HOME"]]] },
];
const SINGLE: [Slot, string[]][] = [
  ["im", ["IMPP", "X-JABBER"]],
  ["notes", ["NOTE"]],
  ["company", ["ORG"]],
  ["title", ["TITLE"]],
  ["birthday", ["BDAY"]],
];

/** The index of the line each field reads from and writes to. */
function pickLines(lines: CardLine[]): Map<Slot, number> {
  const picked = new Map<Slot, number>();
  const taken = new Set<number>();
  const take = (slot: Slot, test: (l: CardLine) => boolean): void => {
    if (picked.has(slot)) return;
    const i = lines.findIndex((l, k) => !taken.has(k) && test(l));
    if (i === -1) return;
    picked.set(slot, i);
    taken.add(i);
  };
  for (const { property, slots } of PAIRS) {
    for (const [slot, prefer] of slots) take(slot, (l) => l.name === property && types(l).has(prefer));
    for (const [slot, , avoid] of slots) take(slot, (l) => l.name === property && !avoid.some((t) => types(l).has(t)));
  }
  for (const [slot, names] of SINGLE) for (const name of names) take(slot, (l) => l.name === name);
  return picked;
}

const postal = (a: PostalParts): string => structured(["", "", a.street, a.city, a.region, a.postalCode, COUNTRY]);

function toPostal(value: string): PostalParts {
  const p = splitStructured(value);
  return { street: p[2] ?? "", city: p[3] ?? "", region: p[4] ?? "", postalCode: p[5] ?? "" };
}

const impp = (im: string): string => (/^[a-z][a-z0-9+.-]*:/i.test(im) ? im : `xmpp:${im}`);

function readBirthday(l: CardLine): string {
  const v = l.value.trim().split("T")[0]!;
  const omitYear = l.params.find(([k]) => k === "X-APPLE-OMIT-YEAR")?.[1];
  let m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  if (m) return omitYear === m[1] ? `--${m[2]}-${m[3]}` : `${m[1]}-${m[2]}-${m[3]}`;
  m = /^--(\d{2})-?(\d{2})$/.exec(v);
  return m ? `--${m[1]}-${m[2]}` : v;
}

/** The line's value for a field, as text. */
function encodeSlot(slot: Slot, c: BookContact): string {
  switch (slot) {
    case "home":
    case "work":
      return postal(c[slot]!);
    case "im":
      return impp(c.im!);
    case "company":
      return escapeText(c.company!);
    case "birthday":
      return c.birthday!;
    default:
      return escapeText(c[slot]!);
  }
}

function decodeSlot(slot: Slot, l: CardLine): string | PostalParts {
  switch (slot) {
    case "home":
    case "work":
      return toPostal(l.value);
    case "im":
      return unescapeText(l.value).replace(/^xmpp:/i, "");
    case "company":
      return splitStructured(l.value)[0] ?? "";
    case "birthday":
      return readBirthday(l);
    default:
      return unescapeText(l.value);
  }
}

/** The line a field gets when the card has none for it. */
const NEW_LINE: Record<Slot, [string, string?]> = {
  email: ["EMAIL", "WORK"],
  email2: ["EMAIL", "HOME"],
  phone: ["TEL", "CELL"],
  phone2: ["TEL", "WORK"],
  home: ["ADR", "HOME"],
  work: ["ADR", "WORK"],
  im: ["IMPP"],
  notes: ["NOTE"],
  company: ["ORG"],
  title: ["TITLE"],
  birthday: ["BDAY"],
};
const SLOTS = Object.keys(NEW_LINE) as Slot[];

const displayName = (given: string, family: string, c: BookContact): string => [given, family].filter(Boolean).join(" ") || c.company || c.email || c.email2 || c.phone || "Unnamed";

/** `c` written over the card's lines: only the given fields' lines change. */
function applyContact(lines: CardLine[], c: BookContact): CardLine[] {
  const out = [...lines];
  if (c.given !== undefined || c.family !== undefined) {
    const n = out.findIndex((l) => l.name === "N");
    const parts = n === -1 ? ["", "", "", "", ""] : splitStructured(out[n]!.value);
    while (parts.length < 5) parts.push("");
    if (c.family !== undefined) parts[0] = c.family;
    if (c.given !== undefined) parts[1] = c.given;
    const value = structured(parts);
    if (n === -1) out.push(line("N", value));
    else out[n] = { ...out[n]!, value };
    const fn = out.findIndex((l) => l.name === "FN");
    const fnValue = escapeText(displayName(parts[1]!, parts[0]!, c));
    if (fn === -1) out.push(line("FN", fnValue));
    else out[fn] = { ...out[fn]!, value: fnValue };
  }
  const picked = pickLines(out);
  const removed = new Set<number>();
  for (const slot of SLOTS) {
    const given = c[slot];
    if (given === undefined) continue;
    const at = picked.get(slot);
    if (given === "") {
      if (at !== undefined) removed.add(at);
      continue;
    }
    let value = encodeSlot(slot, c);
    if (slot === "company" && at !== undefined) value = [value, ...out[at]!.value.split(/(?<!\\);/).slice(1)].join(";");
    if (at !== undefined) out[at] = { ...out[at]!, value };
    else out.push(line(NEW_LINE[slot][0], value, NEW_LINE[slot][1]));
  }
  return out.filter((_l, i) => !removed.has(i));
}

export function newCard(uid: string, c: BookContact): string {
  const given = c.given ?? "";
  const family = c.family ?? "";
  const lines = [line("VERSION", "3.0"), line("PRODID", "-//Tandem tests//Phone//EN"), line("UID", uid), line("N", structured([family, given, "", "", ""])), line("FN", escapeText(displayName(given, family, c)))];
  const body = applyContact(lines, { ...c, given: undefined, family: undefined });
  return serializeCard([line("BEGIN", "VCARD"), ...body, line("END", "VCARD")]);
}

/** A card's text with `c` written over it; BEGIN/END stay around everything. */
export function updatedCard(text: string, c: BookContact): string {
  const inner = parseCard(text).filter((l) => l.name !== "BEGIN" && l.name !== "END");
  return serializeCard([line("BEGIN", "VCARD"), ...applyContact(inner, c), line("END", "VCARD")]);
}

export function withPhoto(text: string, png: Buffer): string {
  const inner = parseCard(text).filter((l) => l.name !== "BEGIN" && l.name !== "END" && l.name !== "PHOTO");
  const photo: CardLine = { group: null, name: "PHOTO", params: [["ENCODING", "b"], ["TYPE", "PNG"]], value: png.toString("base64") };
  return serializeCard([line("BEGIN", "VCARD"), ...inner, photo, line("END", "VCARD")]);
}

export function readContact(text: string, etag: string): ListedContact {
  const lines = parseCard(text);
  const out: ListedContact = { etag };
  const n = lines.find((l) => l.name === "N");
  if (n) {
    const [family, given] = splitStructured(n.value);
    if (given) out.given = given;
    if (family) out.family = family;
  }
  for (const [slot, i] of pickLines(lines)) {
    const value = decodeSlot(slot, lines[i]!);
    if (value === "") continue;
    if (slot === "home" || slot === "work") out[slot] = value as PostalParts;
    else out[slot] = value as string;
  }
  return out;
}
