// The WebDAV/CardDAV requests the adapter makes, through tsdav (a maintained CardDAV client: it
// builds and parses the XML of PROPFIND and REPORT, RFC 4918/6352/6578/6764), with our fetch:
// the outbound client (no private addresses, redirects only within the origin, a byte cap), HTTP
// Basic credentials, requests only to the origins the password may go to, and statuses turned
// into errors the shared caller (../http.ts) understands. A 401 is a refused password; 429/5xx
// are retried; 412 and 404 are answers the adapter reads, not errors. A server's own words (an
// error body) never leave this file: what the user reads is the status, in ours.
import type { Dispatcher } from "undici";
import { addressBookMultiGet, davRequest, fetchAddressBooks, fetchHomeUrl, fetchPrincipalUrl, propfind, serviceDiscovery, syncCollection, type DAVAccount, type DAVResponse } from "tsdav";
import { providerFetch } from "../http";
import { OriginRefusedError } from "../../outbound/fetch";

/** A DAV answer the caller acts on: refused credentials, throttling, a server error. */
export class DavError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfter: string | null = null,
  ) {
    super(message);
    this.name = "DavError";
  }
}

export type DavSession = {
  /** fetch with the account's credentials; throws DavError for 401, 429 and 5xx. */
  fetch: typeof fetch;
  /** The same, for a listing of the whole address book (a larger answer: LISTING_MAX_BYTES). */
  listingFetch: typeof fetch;
  account: DAVAccount;
};

const TIMEOUT_MS = 60_000;
/** The most one answer may weigh: a multiget of cards with their photos, and room for the XML
 * around the largest card read (CARD_MAX_CHARS). A card alone larger than this cannot be read
 * (the adapter asks for fewer cards at a time before concluding so). */
export const DAV_MAX_BYTES = 12 * 1024 * 1024;
/** The most a listing of every card's href and etag may weigh: about 150,000 cards, three times
 * as many as Tandem syncs from one address book (MAX_BOOK_CONTACTS). */
export const LISTING_MAX_BYTES = 48 * 1024 * 1024;

export type DavSessionOptions = {
  username: string;
  password: string;
  /** Where requests — and the password with them — may go (origins.ts); nothing else is asked. */
  mayRequest: (url: URL) => boolean;
  agent?: () => Dispatcher;
};

export function davSession(serverUrl: string, opts: DavSessionOptions): DavSession {
  const fetchFor = (maxBytes: number) => authFetch(providerFetch(opts.agent, { maxBytes, timeoutMs: TIMEOUT_MS, mayRequest: opts.mayRequest }), opts);
  // The credentials stay in these fetches: tsdav never holds them.
  return { fetch: fetchFor(DAV_MAX_BYTES), listingFetch: fetchFor(LISTING_MAX_BYTES), account: { accountType: "carddav", serverUrl } };
}

/** `send` with the account's credentials, to the origins they may go to; 401, 429 and 5xx thrown. */
function authFetch(send: typeof fetch, opts: DavSessionOptions): typeof fetch {
  const authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`, "utf8").toString("base64")}`;
  return async (input, init) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    // A URL a server's answer named (a discovery target, a home, a card) that leaves the origins
    // the password may go to is refused before anything is sent.
    if (!opts.mayRequest(url)) throw new OriginRefusedError(url.href);
    const headers = new Headers(init?.headers);
    headers.set("authorization", authorization);
    const response = await send(url, { ...init, headers });
    if (response.status === 401) throw new DavError(401, "The server did not accept the username and password");
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      throw new DavError(response.status, `The server answered HTTP ${response.status}`, response.headers.get("retry-after"));
    }
    return response;
  };
}

export const davStatus = (error: unknown): number | undefined => (error instanceof DavError ? error.status : undefined);

/** RFC 6764 and RFC 6352: the well-known URL (or the URL given), the principal, its
 * address-book home. */
export async function discoverHome(session: DavSession): Promise<{ rootUrl: string; principalUrl: string; homeUrl: string }> {
  const rootUrl = await serviceDiscovery({ account: session.account, fetch: session.fetch });
  const principalUrl = await fetchPrincipalUrl({ account: { ...session.account, rootUrl }, fetch: session.fetch });
  const homeUrl = await fetchHomeUrl({ account: { ...session.account, rootUrl, principalUrl }, fetch: session.fetch });
  return { rootUrl, principalUrl, homeUrl };
}

/** `stamp`: the book's sync-token (RFC 6578), else its ctag: it changes whenever a card of the
 * book does (null: the server gives neither). */
export type AddressBookInfo = { url: string; displayName: string; syncCollection: boolean; stamp: string | null };

export async function listAddressBooks(session: DavSession, homeUrl: string): Promise<AddressBookInfo[]> {
  const books = await fetchAddressBooks({ account: { ...session.account, rootUrl: homeUrl, homeUrl }, fetch: session.fetch });
  return books.map((b) => ({
    url: sameOriginHref(b.url, homeUrl),
    displayName: typeof b.displayName === "string" && b.displayName ? b.displayName : decodedSegment(new URL(b.url).pathname.split("/").filter(Boolean).at(-1) ?? "Contacts"),
    syncCollection: (b.reports ?? []).includes("syncCollection"),
    stamp: propText(b.syncToken) || propText(b.ctag) || null,
  }));
}

/** The text of an XML property tsdav parsed (a string, a number it guessed, or CDATA). */
export function propText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (typeof value === "object") {
    const v = value as { _cdata?: string; _text?: string };
    return v._cdata ?? v._text ?? null;
  }
  return null;
}

/** The book's sync-token (RFC 6578), else its ctag: one PROPFIND at depth 0, the cheap "did
 * anything change?" between runs (null: the server gives neither). */
export async function bookStamp(session: DavSession, bookUrl: string): Promise<{ syncToken: string | null; ctag: string | null }> {
  const [r] = await propfind({ url: bookUrl, props: { "d:sync-token": {}, "cs:getctag": {} }, depth: "0", fetch: session.fetch });
  if (r && r.status >= 400) throw new DavError(r.status, `PROPFIND was refused (HTTP ${r.status})`);
  return { syncToken: propText(r?.props?.syncToken), ctag: propText(r?.props?.getctag) };
}

export type SyncChanges = { token: string; changed: string[]; removed: string[] };

/** RFC 6578 sync-collection: what changed since `token` (everything when null). Throws
 * SyncTokenRefused when the server no longer accepts the token. */
export async function syncChanges(session: DavSession, bookUrl: string, token: string | null): Promise<SyncChanges> {
  const responses = await syncCollection({
    url: bookUrl,
    props: { "d:getetag": {} },
    syncLevel: 1,
    syncToken: token ?? "",
    headers: { depth: "0" },
    fetch: session.listingFetch,
  });
  const first = responses[0];
  // A failed request comes back as one entry with the raw body; a multistatus as parsed XML.
  if (first && !first.raw?.multistatus) {
    // RFC 6578 3.2: an invalid token is a 403 (or 409/412 on some servers) naming valid-sync-token.
    if (token && (/valid-sync-token/i.test(String(first.raw ?? "")) || [403, 409, 412].includes(first.status))) throw new SyncTokenRefused();
    throw new DavError(first.status, `sync-collection was refused (HTTP ${first.status})`);
  }
  if (!first) {
    throw new DavError(0, "The server answered sync-collection with nothing");
  }
  const next = propText(first?.raw?.multistatus?.syncToken);
  if (!next) throw new DavError(0, "The server ended a sync-collection without a sync-token");
  const changed: string[] = [];
  const removed: string[] = [];
  for (const r of responses) {
    if (!r.href || sameCollection(sameOriginHref(r.href, bookUrl), bookUrl)) continue;
    if (r.status === 404) removed.push(r.href);
    else changed.push(r.href);
  }
  return { token: next, changed, removed };
}

export class SyncTokenRefused extends Error {
  constructor() {
    super("The server no longer accepts the sync-token");
    this.name = "SyncTokenRefused";
  }
}

/** Every card's href and etag (PROPFIND Depth 1): for servers without sync-collection. */
export async function listEtags(session: DavSession, bookUrl: string): Promise<Map<string, string>> {
  const responses = await propfind({ url: bookUrl, props: { "d:getetag": {}, "d:resourcetype": {} }, depth: "1", fetch: session.listingFetch });
  // A refused listing is not an empty address book (its cards would look deleted).
  const refusedAnswer = notAMultistatus(responses, "list the address book");
  if (refusedAnswer) throw refusedAnswer;
  const etags = new Map<string, string>();
  for (const r of responses) {
    if (!r.href || sameCollection(sameOriginHref(r.href, bookUrl), bookUrl) || !r.ok) continue;
    const etag = propText(r.props?.getetag);
    if (etag) etags.set(r.href, etag);
  }
  return etags;
}

/** tsdav hands back an answer that is not an XML multistatus (an error, an HTML page) as one
 * entry with the raw text: that is a refusal to say in our words, never an empty answer. */
function notAMultistatus(responses: DAVResponse[], what: string): DavError | null {
  const first = responses[0];
  if (responses.length !== 1 || typeof first?.raw !== "string") return null;
  return first.ok ? new DavError(0, `The server's answer when asked to ${what} is not a CardDAV answer`) : new DavError(first.status, `The server refused to ${what} (HTTP ${first.status})`);
}

/** A card as a multiget delivered it: its text, or gone, or larger than Tandem reads. */
export type FetchedCard = { href: string; etag: string; text: string } | { href: string; missing: true } | { href: string; tooLarge: true };

export const isDelivered = (card: FetchedCard | undefined): card is { href: string; etag: string; text: string } => card !== undefined && "text" in card;

/** An href of a server's answer, resolved against the URL it answered for, which must not leave
 * that URL's origin (`//other.host/…` included): the adapter asks only where it may. */
export function sameOriginHref(href: string, base: string): string {
  const url = new URL(href, base);
  if (url.origin !== new URL(base).origin) throw new OriginRefusedError(url.href);
  return url.href;
}

/** addressbook-multiget: the cards' data and etags, in the order asked. */
export async function multiget(session: DavSession, bookUrl: string, hrefs: string[]): Promise<FetchedCard[]> {
  if (hrefs.length === 0) return [];
  const responses: DAVResponse[] = await addressBookMultiGet({
    url: bookUrl,
    props: { "d:getetag": {}, "card:address-data": {} },
    objectUrls: hrefs.map((h) => new URL(h, bookUrl).pathname),
    depth: "1",
    fetch: session.fetch,
  });
  const refusedAnswer = notAMultistatus(responses, "send the cards");
  if (refusedAnswer) throw refusedAnswer;
  const byPath = new Map<string, DAVResponse>();
  for (const r of responses) if (r.href) byPath.set(pathOf(sameOriginHref(r.href, bookUrl), bookUrl), r);
  return hrefs.map((href) => {
    const r = byPath.get(pathOf(href, bookUrl));
    const text = propText(r?.props?.addressData);
    const etag = propText(r?.props?.getetag);
    if (!r || r.status === 404 || text === null || etag === null) return { href, missing: true };
    return { href, etag, text };
  });
}

/** A PUT or DELETE: the status and the new etag, never thrown for 404/412. The server's words
 * are not read: the caller says what the status means. */
export async function writeCard(
  session: DavSession,
  url: string,
  method: "PUT" | "DELETE",
  opts: { body?: string; ifMatch?: string | null; create?: boolean },
): Promise<{ status: number; etag: string | null }> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers["content-type"] = "text/vcard; charset=utf-8";
  if (opts.create) headers["if-none-match"] = "*";
  else if (opts.ifMatch) headers["if-match"] = opts.ifMatch;
  const response = await session.fetch(url, { method, headers, body: opts.body });
  await response.body?.cancel();
  return { status: response.status, etag: response.headers.get("etag") };
}

/** GET of a resource of the server (a card, or a photo the card points to). */
export async function getResource(session: DavSession, url: string): Promise<Response> {
  return session.fetch(url, { method: "GET", redirect: "manual" });
}

/** Cards carrying group markers, when the server can filter (addressbook-query); null when it
 * cannot, so the caller reads the cards itself. */
export async function queryGroupCards(session: DavSession, bookUrl: string): Promise<{ href: string; text: string }[] | null> {
  // Repeated elements are an array in xml-js's compact form.
  const propFilter = (name: string) => ({ _attributes: { name }, "card:text-match": { _attributes: { collation: "i;unicode-casemap", "match-type": "equals" }, _text: "group" } });
  const responses = await davRequest({
    url: bookUrl,
    init: {
      method: "REPORT",
      namespace: "card",
      headers: { depth: "1" },
      body: {
        "addressbook-query": {
          _attributes: { "xmlns:d": "DAV:", "xmlns:card": "urn:ietf:params:xml:ns:carddav" },
          "d:prop": { "d:getetag": {}, "card:address-data": {} },
          "card:filter": { _attributes: { test: "anyof" }, "card:prop-filter": [propFilter("KIND"), propFilter("X-ADDRESSBOOKSERVER-KIND")] },
        },
      },
    },
    fetch: session.fetch,
  }).catch((error: unknown) => {
    if (error instanceof DavError && error.status >= 500) return null;
    throw error;
  });
  if (!responses || (responses.length === 1 && !responses[0]!.ok && !responses[0]!.props)) return null;
  return responses.flatMap((r) => {
    const text = propText(r.props?.addressData);
    return r.href && text ? [{ href: sameOriginHref(r.href, bookUrl), text }] : [];
  });
}

/** The URL of a path (an id, as pathOf makes them) on `base`'s origin: never another host,
 * whatever the path holds (`//other.host/…` stays a path). */
export function atPath(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = path;
  url.search = "";
  url.hash = "";
  return url.href;
}

/** A path segment decoded for reading (a name), as it is where it is not valid percent-encoding. */
export function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A resource's path, each segment percent-encoded one way (servers differ: "@" or "%40"), so
 * that ids compare equal whoever wrote them. */
export function pathOf(href: string, base: string): string {
  return new URL(href, base).pathname
    .split("/")
    .map((segment) => {
      try {
        return encodeURIComponent(decodeURIComponent(segment));
      } catch {
        return segment;
      }
    })
    .join("/");
}
const sameCollection = (href: string, bookUrl: string) => pathOf(href, bookUrl).replace(/\/$/, "") === pathOf(bookUrl, bookUrl).replace(/\/$/, "");
