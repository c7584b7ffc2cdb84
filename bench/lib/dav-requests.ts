// The requests of a CardDAV listing as the adapter makes them — sync-collection, then
// addressbook-multiget 100 hrefs at a time in path order — with plain fetch, bodies read and
// nothing else: no XML parser, no vCard, no database. The floor of a CardDAV run is the server
// answering these ("Radicale alone", dav-floor.ts); the seed lists its book with them too.

/** addressbook-multiget hrefs per request, as the adapter asks (lib/sync/providers/carddav). */
export const CARDDAV_PAGE = 100;

/** The median of timed runs (the lower one of an even count). */
export const medianRun = <T extends { ms: number }>(runs: T[]): T => [...runs].sort((a, b) => a.ms - b.ms)[Math.ceil(runs.length / 2) - 1]!;

export type DavTarget = { url: string; bookHref: string; username: string; password: string };

const XML_HEADERS = { "content-type": "text/xml;charset=UTF-8" };
const NS = 'xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"';
const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

async function report(dav: DavTarget, depth: "0" | "1", body: string): Promise<string> {
  const res = await fetch(new URL(dav.bookHref, dav.url), {
    method: "REPORT",
    headers: { ...XML_HEADERS, depth, authorization: `Basic ${Buffer.from(`${dav.username}:${dav.password}`).toString("base64")}` },
    body: `<?xml version="1.0" encoding="utf-8"?>\n${body}`,
  });
  const text = await res.text();
  if (res.status !== 207) throw new Error(`REPORT ${dav.bookHref} answered ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

const responses = (xml: string) => [...xml.matchAll(/<(?:[\w-]+:)?response\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?response>/g)].map((m) => m[1]!);
const hrefOf = (response: string) => /<(?:[\w-]+:)?href>\s*([^<]*?)\s*<\//.exec(response)?.[1] ?? "";
const samePath = (a: string, b: string) => decodeURIComponent(a).replace(/\/$/, "") === decodeURIComponent(b).replace(/\/$/, "");

/** sync-collection (RFC 6578) from `token` (null: everything), as tsdav sends it for the adapter. */
export async function syncCollection(dav: DavTarget, token: string | null): Promise<{ token: string; hrefs: string[]; ms: number }> {
  const t = performance.now();
  const xml = await report(
    dav,
    "0",
    `<d:sync-collection ${NS}><d:sync-level>1</d:sync-level><d:sync-token>${xmlEscape(token ?? "")}</d:sync-token><d:prop><d:getetag/></d:prop></d:sync-collection>`,
  );
  const ms = performance.now() - t;
  const next = /<(?:[\w-]+:)?sync-token>\s*([^<]*?)\s*<\//.exec(xml)?.[1];
  if (!next) throw new Error("sync-collection answered no sync-token");
  const hrefs = responses(xml)
    .map(hrefOf)
    .filter((h) => h && !samePath(h, dav.bookHref));
  return { token: next, hrefs, ms };
}

/** addressbook-multiget of the hrefs in path order, CARDDAV_PAGE at a time, one after another. */
export async function multigetAll(dav: DavTarget, hrefs: string[]): Promise<{ cards: number; bytes: number; requests: number; ms: number }> {
  const sorted = [...hrefs].sort();
  let cards = 0;
  let bytes = 0;
  let requests = 0;
  const t = performance.now();
  for (let i = 0; i < sorted.length; i += CARDDAV_PAGE) {
    const page = sorted.slice(i, i + CARDDAV_PAGE).map((h) => `<d:href>${xmlEscape(h)}</d:href>`);
    const xml = await report(dav, "1", `<card:addressbook-multiget ${NS}><d:prop><d:getetag/><card:address-data/></d:prop>${page.join("")}</card:addressbook-multiget>`);
    requests++;
    bytes += Buffer.byteLength(xml);
    cards += (xml.match(/<(?:[\w-]+:)?address-data\b[^>]*>/g) ?? []).length;
  }
  return { cards, bytes, requests, ms: performance.now() - t };
}
