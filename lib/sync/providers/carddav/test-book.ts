// The test kit's CardDAV book (test-kit.ts) at a CardDAV server, as a phone sees it: raw WebDAV
// over fetch with Basic auth, and the cards of test-card.ts. A contact "not in the group" (add
// with inGroup: false) goes to a second address book.
import { randomUUID } from "node:crypto";
import type { DavServer } from "@/emulators/carddav";
import type { BookContact, ListedContact, ProviderBook } from "@/tests/kit/address-book";
import { newCard, readContact, updatedCard, withPhoto } from "./test-card";

const CONCURRENCY = 8;
const MULTIGET_BATCH = 250;
const UPDATE_ATTEMPTS = 3;
const OTHER_BOOK = "Other contacts";

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
