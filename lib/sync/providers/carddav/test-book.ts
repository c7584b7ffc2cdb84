// The address book of tests/kit/address-book.ts at a CardDAV server, as a phone sees it: raw
// WebDAV over fetch with Basic auth, and vCard 3.0 cards written and read by the small
// serializer below, on purpose independent of the app's mapping (lib/sync/providers/carddav).
//
// A card's fields: N + FN (given, family), EMAIL;TYPE=WORK (email), EMAIL;TYPE=HOME (email2),
// TEL;TYPE=CELL (phone), TEL;TYPE=WORK (phone2), ADR;TYPE=HOME / ADR;TYPE=WORK, IMPP (im; a
// bare address is written as `xmpp:<im>` and read back without the `xmpp:`), NOTE, ORG (first
// component), TITLE, BDAY (YYYY-MM-DD; a year-less one reads as --MM-DD). Reading picks the line
// of the preferred TYPE first, then the first line left that is not of the other slot's TYPE,
// and update() changes exactly the lines reading picked (keeping their group and parameters),
// so cards written by another client round-trip too. "" as a field value removes its line.
// A contact "not in the group" (add with inGroup: false) goes to a second address book.
import { randomUUID } from "node:crypto";
import type { DavServer } from "@/emulators/carddav";
import type { BookContact, ListedContact, PostalParts, ProviderBook } from "./address-book";

const CONCURRENCY = 8;
const MULTIGET_BATCH = 250;
const UPDATE_ATTEMPTS = 3;
const COUNTRY = "United States";
const OTHER_BOOK = "Other contacts";

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

function newCard(uid: string, c: BookContact): string {
  const given = c.given ?? "";
  const family = c.family ?? "";
  const lines = [line("VERSION", "3.0"), line("PRODID", "-//Tandem tests//Phone//EN"), line("UID", uid), line("N", structured([family, given, "", "", ""])), line("FN", escapeText(displayName(given, family, c)))];
  const body = applyContact(lines, { ...c, given: undefined, family: undefined });
  return serializeCard([line("BEGIN", "VCARD"), ...body, line("END", "VCARD")]);
}

/** A card's text with `c` written over it; BEGIN/END stay around everything. */
function updatedCard(text: string, c: BookContact): string {
  const inner = parseCard(text).filter((l) => l.name !== "BEGIN" && l.name !== "END");
  return serializeCard([line("BEGIN", "VCARD"), ...applyContact(inner, c), line("END", "VCARD")]);
}

function withPhoto(text: string, png: Buffer): string {
  const inner = parseCard(text).filter((l) => l.name !== "BEGIN" && l.name !== "END" && l.name !== "PHOTO");
  const photo: CardLine = { group: null, name: "PHOTO", params: [["ENCODING", "b"], ["TYPE", "PNG"]], value: png.toString("base64") };
  return serializeCard([line("BEGIN", "VCARD"), ...inner, photo, line("END", "VCARD")]);
}

function readContact(text: string, etag: string): ListedContact {
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

// ---- WebDAV --------------------------------------------------------------------------------

const XML = "application/xml; charset=utf-8";
const NS = 'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"';
const xmlEscape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function xmlUnescape(s: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(s);
  if (cdata) return cdata[1]!;
  return s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_m, e: string) => {
    const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
    if (e[0] !== "#") return named[e.toLowerCase()]!;
    return String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** Every `<prefix:name>` element's inner XML (self-closing ones as ""). */
function elements(xml: string, name: string): string[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${name}\\b[^>]*?(?:/>|>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>)`, "g");
  return [...xml.matchAll(re)].map((m) => m[1] ?? "");
}

type DavResponse = { href: string; props: string };

/** A multistatus body's responses: the href, and the XML of the propstats answered 200. */
function multistatus(xml: string): DavResponse[] {
  return elements(xml, "response").map((r) => ({
    href: xmlUnescape(elements(r, "href")[0]?.trim() ?? ""),
    props: elements(r, "propstat")
      .filter((p) => / 200 /.test(elements(p, "status")[0] ?? ""))
      .join(""),
  }));
}

/** Hrefs compared as paths: each segment percent-encoded one canonical way. */
function canonicalHref(href: string): string {
  const pathname = /^https?:\/\//i.test(href) ? new URL(href).pathname : href;
  return pathname
    .split("/")
    .map((s) => {
      try {
        return encodeURIComponent(decodeURIComponent(s));
      } catch {
        return s;
      }
    })
    .join("/");
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

class DavError extends Error {
  constructor(
    readonly status: number,
    what: string,
    body: string,
  ) {
    super(`CardDAV ${what} answered ${status}${body ? `: ${body.slice(0, 300)}` : ""}`);
  }
}

function davClient(baseUrl: string, username: string, password: string) {
  const authorization = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  const send = async (method: string, href: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string; etag: string | null }> => {
    const res = await fetch(new URL(href, baseUrl), { method, headers: { authorization, ...init.headers }, body: init.body });
    return { status: res.status, text: await res.text(), etag: res.headers.get("etag") };
  };
  const ok = async (method: string, href: string, init: { headers?: Record<string, string>; body?: string } = {}, expected: number[] = [200, 201, 204, 207]) => {
    const res = await send(method, href, init);
    if (!expected.includes(res.status)) throw new DavError(res.status, `${method} ${href}`, res.text);
    return res;
  };
  const propfind = async (href: string, depth: "0" | "1", props: string): Promise<DavResponse[]> =>
    multistatus((await ok("PROPFIND", href, { headers: { depth, "content-type": XML }, body: `<?xml version="1.0" encoding="utf-8"?>\n<d:propfind ${NS}><d:prop>${props}</d:prop></d:propfind>` }, [207])).text);
  return { send, ok, propfind };
}

type Dav = ReturnType<typeof davClient>;

/** current-user-principal (via /.well-known/carddav) → addressbook-home-set, as a phone discovers it. */
async function addressBookHome(dav: Dav): Promise<string> {
  const root = await dav.propfind("/.well-known/carddav", "0", "<d:current-user-principal/>");
  const principal = elements(root[0]?.props ?? "", "current-user-principal").flatMap((p) => elements(p, "href"))[0];
  if (!principal) throw new Error("CardDAV: the server names no current-user-principal");
  const found = await dav.propfind(xmlUnescape(principal.trim()), "0", "<c:addressbook-home-set/>");
  const home = elements(found[0]?.props ?? "", "addressbook-home-set").flatMap((p) => elements(p, "href"))[0];
  if (!home) throw new Error("CardDAV: the principal names no addressbook-home-set");
  return xmlUnescape(home.trim());
}

async function findAddressBook(dav: Dav, name: string): Promise<string | null> {
  const home = await addressBookHome(dav);
  for (const r of await dav.propfind(home, "1", "<d:resourcetype/><d:displayname/>")) {
    const isBook = elements(r.props, "resourcetype").some((t) => /<(?:[\w.-]+:)?addressbook\b/.test(t));
    if (isBook && xmlUnescape(elements(r.props, "displayname")[0] ?? "").trim() === name) return canonicalHref(r.href);
  }
  return null;
}

async function createAddressBook(dav: Dav, name: string): Promise<string> {
  const href = `${await addressBookHome(dav)}${randomUUID()}/`;
  const body = `<?xml version="1.0" encoding="utf-8"?>\n<d:mkcol ${NS}><d:set><d:prop><d:resourcetype><d:collection/><c:addressbook/></d:resourcetype><d:displayname>${xmlEscape(name)}</d:displayname></d:prop></d:set></d:mkcol>`;
  await dav.ok("MKCOL", href, { headers: { "content-type": XML }, body }, [201]);
  return canonicalHref(href);
}

export async function openCardDavBook(o: { url: string; username: string; password: string; group: string; create: boolean; server?: DavServer }): Promise<ProviderBook & { addressBookHref: string }> {
  const dav = davClient(o.url, o.username, o.password);
  const makeBook = async (name: string): Promise<string> => (o.server ? canonicalHref(await o.server.makeAddressBook(o.username, o.password, name)) : createAddressBook(dav, name));
  if (o.create && o.server) await o.server.addUser(o.username, o.password);
  const addressBookHref = o.create ? await makeBook(o.group) : await findAddressBook(dav, o.group);
  if (!addressBookHref) throw new Error(`No address book "${o.group}"`);
  let otherBook: Promise<string> | null = null;

  const put = async (bookHref: string, c: BookContact): Promise<string> => {
    const uid = randomUUID();
    const href = `${bookHref}${uid}.vcf`;
    await dav.ok("PUT", href, { headers: { "content-type": "text/vcard; charset=utf-8", "if-none-match": "*" }, body: newCard(uid, c) }, [201, 204]);
    return href;
  };

  /** GET, change, PUT with If-Match; a card changed in between (412) is read again. */
  const rewrite = async (id: string, change: (text: string) => string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const current = await dav.ok("GET", id, {}, [200]);
      if (!current.etag) throw new Error(`CardDAV GET ${id} answered no ETag`);
      const res = await dav.send("PUT", id, { headers: { "content-type": "text/vcard; charset=utf-8", "if-match": current.etag }, body: change(current.text) });
      if (res.status === 412 && attempt < UPDATE_ATTEMPTS) continue;
      if (![200, 201, 204].includes(res.status)) throw new DavError(res.status, `PUT ${id}`, res.text);
      return;
    }
  };

  return {
    groupId: addressBookHref,
    addressBookHref,
    async add(c, opts = {}) {
      if (opts.inGroup !== false) return put(addressBookHref, c);
      otherBook ??= makeBook(OTHER_BOOK);
      return put(await otherBook, c);
    },
    addMany: (contacts) => mapLimit(contacts, CONCURRENCY, (c) => put(addressBookHref, c)),
    update: (id, c) => rewrite(id, (text) => updatedCard(text, c)),
    async remove(id) {
      await dav.ok("DELETE", id, {}, [200, 204]);
    },
    async removeMany(ids) {
      await mapLimit(ids, CONCURRENCY, (id) => dav.ok("DELETE", id, {}, [200, 204]));
    },
    setPhoto: (id, png) => rewrite(id, (text) => withPhoto(text, png)),
    async list() {
      const members = (await dav.propfind(addressBookHref, "1", "<d:getetag/><d:resourcetype/>")).filter((r) => canonicalHref(r.href) !== addressBookHref && !/<(?:[\w.-]+:)?collection\b/.test(r.props));
      const out = new Map<string, ListedContact>();
      for (let i = 0; i < members.length; i += MULTIGET_BATCH) {
        const hrefs = members
          .slice(i, i + MULTIGET_BATCH)
          .map((m) => `<d:href>${xmlEscape(m.href)}</d:href>`)
          .join("");
        const body = `<?xml version="1.0" encoding="utf-8"?>\n<c:addressbook-multiget ${NS}><d:prop><d:getetag/><c:address-data/></d:prop>${hrefs}</c:addressbook-multiget>`;
        const res = await dav.ok("REPORT", addressBookHref, { headers: { depth: "1", "content-type": XML }, body }, [207]);
        for (const r of multistatus(res.text)) {
          const card = elements(r.props, "address-data")[0];
          if (card === undefined) continue;
          out.set(canonicalHref(r.href), readContact(xmlUnescape(card), xmlUnescape(elements(r.props, "getetag")[0] ?? "").trim()));
        }
      }
      return out;
    },
  };
}
