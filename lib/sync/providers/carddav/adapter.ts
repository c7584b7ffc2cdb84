// CardDAV address books (RFC 6352): iCloud, Fastmail, Nextcloud, Yahoo, Radicale, Xandikos…
// Provider surprises handled here (the RFCs, and what Radicale and Xandikos do):
// - A group is an address book (a collection), or a group vCard inside one (iCloud's
//   X-ADDRESSBOOKSERVER-KIND:group with X-ADDRESSBOOKSERVER-MEMBER, vCard 4's KIND:group with
//   MEMBER): its id is the book's path, then "#" and the group card's path.
// - Changes come from sync-collection (RFC 6578) and its token; a refused token means a full
//   listing, as an expired Google token does (Radicale refuses with 403 valid-sync-token,
//   Xandikos fails with a 500: a token request that keeps failing while a tokenless one works
//   is a refused token). A server without it is compared by etags (the
//   cursor then keeps every card's etag). A group card that changed means its members may have:
//   the group is listed again in full.
// - Cards are fetched with addressbook-multiget, 250 a request and 500 a page, the next page
//   while one is applied. A card that is not a valid vCard is reported by name and left alone;
//   the rest sync.
// - Writes: If-None-Match: * for creates, If-Match with the etag for updates and deletes; a 412
//   is a conflict the engine settles by reading the card again. An update re-reads the card and
//   changes only the lines we map (vcard.ts), so nothing we do not map is lost.
// - The CRM person id rides on our creates as X-TANDEM-PERSON-ID, so a listing finds them after
//   a crash.
// - The server is whatever the user typed: requests go only to the origins stored with the
//   password (origins.ts), an answer over DAV_MAX_BYTES is asked again for fewer cards (a card
//   alone over it, or over the vCard reader's cap, is "too large" under Needs attention), and
//   what reaches the user of a failure is its kind in our words, never the server's (inWords).
import { randomUUID } from "node:crypto";
import { SYNCED_PICTURE_MAX_BYTES } from "@/lib/persons/picture";
import { EMPTY_CONTACT } from "../../model/contact";
import { AddressBookTooLargeError, causeOfStatus, CursorExpiredError, InvalidGrantError, MAX_BOOK_CONTACTS, refused, ProviderUnavailableError, ResumeRefusedError, type DeleteResult, type Photo, type ProviderAdapter, type ProviderGroup, type PulledContact, type UnreadableContact, type WriteResult } from "../../model/provider";
import type { AdapterOptions } from "../definition";
import { applyPagesAhead, createCaller, mapInSlices, readLimited } from "../http";
import { AddressRefusedError } from "../../outbound/agent";
import { OriginRefusedError, RedirectRefusedError, ResponseTooLargeError } from "../../outbound/fetch";
import { atPath, davSession, davStatus, decodedSegment, getResource, isDelivered, listAddressBooks, listEtags, multiget, pathOf, queryGroupCards, syncChanges, SyncTokenRefused, writeCard, DavError, type FetchedCard } from "./dav";
import { storedOriginsAllow } from "./origins";
import { CardTooLargeError, projectForCardDav, readVCard, setGroupMembers, VCardError, writeVCard, type CardRead } from "./vcard";

/** Cards a page of the engine holds (one transaction), and cards a multiget asks for: a request
 * costs servers a fixed toll (Radicale re-reads its folder), a page costs us one transaction. */
const PAGE = 500;
const MULTIGET = 250;
/** Cards a multiget for inline photos asks for. */
const PHOTO_CARDS = 10;
/** Writes in flight at once: servers (iCloud's above all) throttle eager clients. */
const WRITE_CONCURRENCY = 6;
/** A photo is fetched from the card itself (inline PHOTO) or from the URL it names. */
const INLINE_PHOTO = "card:";

/** Where a listing left off: the server's sync-token, or (no sync-collection) every card's etag. */
type Cursor = { token: string } | { etags: Record<string, string> };

type GroupRef = { bookUrl: string; groupCardUrl: string | null };


export function parseGroupId(groupId: string, apiBaseUrl: string): GroupRef {
  const [book, card] = groupId.split("#");
  return { bookUrl: atPath(apiBaseUrl, book!), groupCardUrl: card ? atPath(apiBaseUrl, card) : null };
}

export function createCardDavAdapter(opts: AdapterOptions): ProviderAdapter {
  if (opts.credentials.kind !== "basic") throw new Error("A CardDAV adapter signs in with a username and password");
  const { username, password, origins } = opts.credentials;
  const session = davSession(opts.apiBaseUrl, { username, password, mayRequest: storedOriginsAllow(origins), agent: opts.agent });
  const { bookUrl, groupCardUrl } = parseGroupId(opts.groupId, opts.apiBaseUrl);
  const pageSize = opts.pageSize ?? PAGE;
  const mapping = { defaultCountry: opts.defaultCountry };
  const caller = createCaller({ name: "The CardDAV server", statusOf: davStatus, retryAfterOf: (e) => (e instanceof DavError ? e.retryAfter : null), retry: opts.retry });
  const call = <T>(fn: () => Promise<T>): Promise<T> =>
    caller(fn).catch((error: unknown) => {
      throw inWords(error);
    });

  /** The synced group card, as the server holds it now. */
  async function groupCard(url: string): Promise<{ etag: string; text: string }> {
    const [card] = await call(() => multiget(session, bookUrl, [url]));
    if (card && "tooLarge" in card) throw new DavError(0, "The synced group's card is larger than Tandem reads");
    if (!isDelivered(card)) throw new DavError(404, "The synced group no longer exists in the address book");
    return card;
  }

  /** The UIDs of the synced group card's members (null: the whole book is the group). */
  async function groupMembers(): Promise<Set<string> | null> {
    if (!groupCardUrl) return null;
    return new Set(readVCard((await groupCard(groupCardUrl)).text, mapping).members);
  }

  /** What changed since the cursor (everything without one), no more than Tandem syncs from one
   * address book: a listing larger than that (or than its answer may weigh) stops the run before
   * anything of it is written. */
  async function changes(cursor: Cursor | null): Promise<{ changed: string[]; removed: string[]; next: Cursor }> {
    const listed = await listChanges(cursor).catch((error: unknown) => {
      throw error instanceof ResponseTooLargeError ? new AddressBookTooLargeError() : error;
    });
    if (listed.changed.length > MAX_BOOK_CONTACTS) throw new AddressBookTooLargeError();
    return listed;
  }

  async function listChanges(cursor: Cursor | null): Promise<{ changed: string[]; removed: string[]; next: Cursor }> {
    if (!cursor || "token" in cursor) {
      try {
        const c = await call(() => syncChanges(session, bookUrl, cursor?.token ?? null));
        return { changed: c.changed, removed: c.removed, next: { token: c.token } };
      } catch (error) {
        if (error instanceof SyncTokenRefused) throw new CursorExpiredError();
        // Some servers (Xandikos) fail on an unknown token (500): if a listing without one
        // works, the token was the trouble.
        if (cursor && error instanceof ProviderUnavailableError && (await call(() => syncChanges(session, bookUrl, null)).then(() => true, () => false))) {
          throw new CursorExpiredError();
        }
        // No sync-collection here (RFC 6578 is optional): compare etags instead.
        if (cursor || !(error instanceof DavError) || ![400, 403, 405, 415, 501].includes(error.status)) throw error;
      }
    }
    const etags = await call(() => listEtags(session, bookUrl));
    const before = cursor && "etags" in cursor ? cursor.etags : {};
    const changed = [...etags].filter(([href, etag]) => before[pathOf(href, bookUrl)] !== etag).map(([href]) => href);
    const seen = new Set([...etags.keys()].map((h) => pathOf(h, bookUrl)));
    const removed = Object.keys(before).filter((path) => !seen.has(path));
    return { changed, removed, next: { etags: Object.fromEntries([...etags].map(([h, e]) => [pathOf(h, bookUrl), e])) } };
  }

  const idOf = (href: string) => pathOf(href, bookUrl);
  const urlOf = (id: string) => atPath(bookUrl, id);

  function pulled(href: string, etag: string, card: CardRead, members: Set<string> | null): PulledContact {
    const inScope = !members || (card.uid !== null && members.has(card.uid));
    const photoUrl = card.photo ? ("uri" in card.photo ? card.photo.uri : `${INLINE_PHOTO}${idOf(href)}`) : null;
    return { id: idOf(href), etag, deleted: false, inScope, contact: card.contact, oversize: card.oversize, photoUrl, stamp: card.stamp };
  }

  async function mapLimit<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const k = next++;
        results[k] = await fn(items[k]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, worker));
    return results;
  }

  /** Adds or removes members of the synced group card (iCloud-style groups), retrying a
   * concurrent change of the group card. */
  async function editGroup(add: string[], remove: string[]): Promise<void> {
    if (!groupCardUrl || (add.length === 0 && remove.length === 0)) return;
    for (let attempt = 0; attempt < 5; attempt++) {
      const card = await groupCard(groupCardUrl);
      const body = setGroupMembers(card.text, { add, remove });
      const put = await call(() => writeCard(session, groupCardUrl, "PUT", { body, ifMatch: card.etag }));
      if (put.status !== 412) {
        if (put.status >= 300) throw new DavError(put.status, `The server refused to change the group (HTTP ${put.status})`);
        return;
      }
    }
    throw new DavError(412, "The group kept changing on the server");
  }

  /** Cards of a book by URL, in multigets of at most `size`, in the order asked. */
  async function fetchCards(urls: string[], size = MULTIGET, url = bookUrl): Promise<FetchedCard[]> {
    const cards: FetchedCard[] = [];
    for (let i = 0; i < urls.length; i += size) cards.push(...(await multigetWithin(urls.slice(i, i + size), url)));
    return cards;
  }

  /** A multiget whose answer is larger than the cap is asked again in halves; a card that alone
   * is larger is too large to read. */
  async function multigetWithin(urls: string[], url: string): Promise<FetchedCard[]> {
    try {
      return await call(() => multiget(session, url, urls));
    } catch (error) {
      if (!(error instanceof ResponseTooLargeError)) throw error;
      if (urls.length === 1) return [{ href: urls[0]!, tooLarge: true }];
      const half = Math.ceil(urls.length / 2);
      return [...(await multigetWithin(urls.slice(0, half), url)), ...(await multigetWithin(urls.slice(half), url))];
    }
  }

  /** Every card of a book, for a server that cannot filter them (Xandikos fails on a text-match). */
  async function allCards(url: string): Promise<{ href: string; text: string }[]> {
    const { changed } = await call(() => syncChanges(session, url, null));
    return (await fetchCards(changed, MULTIGET, url)).filter(isDelivered);
  }

  /** A card as read, or null when it is not a valid vCard (any other error is thrown). */
  function readable(text: string): CardRead | null {
    try {
      return readVCard(text, mapping);
    } catch (error) {
      if (error instanceof VCardError) return null;
      throw error;
    }
  }

  const written = (id: string, etag: string, text: string): WriteResult => ({ ok: true, id, etag, contact: readVCard(text, mapping).contact });

  /** The etag after a write, when the server did not send one (it need not, RFC 4918). */
  async function etagAfter(url: string, given: string | null): Promise<string> {
    if (given && !given.startsWith("W/")) return given;
    const [card] = await call(() => multiget(session, bookUrl, [url]));
    return isDelivered(card) ? card.etag : (given ?? "");
  }

  return {
    provider: "carddav",
    project: projectForCardDav,

    async listGroups(): Promise<ProviderGroup[]> {
      const books = await call(() => listAddressBooks(session, opts.apiBaseUrl));
      const groups: ProviderGroup[] = [];
      for (const book of books) {
        const path = pathOf(book.url, opts.apiBaseUrl);
        groups.push({ id: path, name: book.displayName });
        const cards = (await call(() => queryGroupCards(session, book.url))) ?? (await allCards(book.url));
        for (const card of cards) {
          try {
            const read = readVCard(card.text, mapping);
            if (read.kind !== "group") continue;
            groups.push({ id: `${path}#${pathOf(card.href, book.url)}`, name: `${book.displayName} › ${read.groupName ?? "Group"}`, memberCount: read.members.length });
          } catch (error) {
            if (!(error instanceof VCardError)) throw error;
          }
        }
      }
      return groups;
    },

    async pull(cursorText, onPage, options = {}) {
      const cursor = cursorText ? (JSON.parse(cursorText) as Cursor) : null;
      const resume = options.resumeFrom ? parseResume(options.resumeFrom) : null;
      const members = await groupMembers();
      const delta = await changes(cursor);
      // The group card changed: its members may have, so the group is listed again in full.
      if (cursor && groupCardUrl && delta.changed.some((h) => idOf(h) === idOf(groupCardUrl))) throw new CursorExpiredError();
      // An interrupted listing goes on after the last card it committed (in path order), and
      // ends with the cursor of its first round: what changed meanwhile comes in the next run.
      const end = resume?.cursor ?? delta.next;
      const hrefs = delta.changed
        .filter((h) => !groupCardUrl || idOf(h) !== idOf(groupCardUrl))
        .map(idOf)
        .sort()
        .filter((id) => !resume || id > resume.after);
      const tombstones: PulledContact[] = delta.removed.map((h) => ({ id: idOf(h), etag: "", deleted: true, inScope: false, contact: EMPTY_CONTACT }));
      if (hrefs.length === 0) {
        if (tombstones.length > 0) await onPage({ items: tombstones, next: null });
        return { cursor: JSON.stringify(end), full: !cursor };
      }
      // Pages of `pageSize` cards, each fetched in multigets of at most MULTIGET; the next page is
      // fetched while one is applied.
      const fetchPage = (from: number) => async () => {
        const ids = hrefs.slice(from, from + pageSize);
        return { from, ids, cards: await fetchCards(ids.map(urlOf)) };
      };
      await applyPagesAhead(
        fetchPage(0),
        (page) => (page.from + pageSize < hrefs.length ? fetchPage(page.from + pageSize) : null),
        async ({ from, ids, cards }) => {
          const items: PulledContact[] = from === 0 ? [...tombstones] : [];
          const unreadable: UnreadableContact[] = [];
          const read = await mapInSlices(cards, (card): { item?: PulledContact; unreadable?: UnreadableContact } => {
            // Gone between the listing and the fetch: the next listing says so.
            if ("missing" in card) return {};
            if (!isDelivered(card)) return { unreadable: { id: idOf(card.href), label: cardLabel("", card.href), message: new CardTooLargeError().message } };
            try {
              const vcard = readVCard(card.text, mapping);
              return vcard.kind === "group" ? {} : { item: pulled(card.href, card.etag, vcard, members) };
            } catch (error) {
              if (!(error instanceof VCardError)) throw error;
              const message = error instanceof CardTooLargeError ? error.message : `Not a valid vCard: ${error.message}`;
              return { unreadable: { id: idOf(card.href), label: cardLabel(card.text, card.href), message } };
            }
          });
          for (const r of read) {
            if (r.item) items.push(r.item);
            if (r.unreadable) unreadable.push(r.unreadable);
          }
          const last = from + pageSize >= hrefs.length;
          await onPage({ items, unreadable, next: last ? null : JSON.stringify({ cursor: end, after: ids.at(-1) }) });
        },
      );
      return { cursor: JSON.stringify(end), full: !cursor };
    },

    async fetchPhotos(contacts) {
      // Inline photos come with their cards: fetched a few cards a request (each may be 5 MB).
      const inline = contacts.filter((c) => c.photoUrl.startsWith(INLINE_PHOTO)).map((c) => urlOf(c.photoUrl.slice(INLINE_PHOTO.length)));
      const cardPhotos = new Map<string, Photo | null>();
      for (const card of await fetchCards(inline, PHOTO_CARDS)) {
        const photo = isDelivered(card) ? readable(card.text)?.photo : null;
        const fits = photo && !("uri" in photo) && photo.data.length > 0 && photo.data.length <= SYNCED_PICTURE_MAX_BYTES;
        cardPhotos.set(idOf(card.href), fits ? { contentType: photo.contentType, data: photo.data } : null);
      }
      return mapLimit(contacts, async (c): Promise<Photo | null> => {
        if (c.photoUrl.startsWith(INLINE_PHOTO)) return cardPhotos.get(c.photoUrl.slice(INLINE_PHOTO.length)) ?? null;
        // A photo by URL is fetched only from the account's own server (with its credentials);
        // a URL elsewhere is not ours to call from the server.
        const url = new URL(c.photoUrl, bookUrl);
        if (url.origin !== new URL(bookUrl).origin) return null;
        const response = await call(() => getResource(session, url.href));
        if (!response.ok) {
          await response.body?.cancel();
          return null;
        }
        const data = await readLimited(response, SYNCED_PICTURE_MAX_BYTES);
        const type = response.headers.get("content-type")?.split(";")[0] ?? "";
        return data && data.length > 0 && type.startsWith("image/") ? { contentType: type, data } : null;
      });
    },

    async create(items) {
      const uids: string[] = [];
      const results = await mapLimit(items, async (item): Promise<WriteResult> => {
        const uid = randomUUID();
        const url = new URL(`${uid}.vcf`, bookUrl).href;
        const body = writeVCard(item.contact, { previous: null, uid, stamp: item.stamp, ...mapping });
        const put = await call(() => writeCard(session, url, "PUT", { body, create: true }));
        if (put.status === 412) return { ok: false, error: "conflict", message: "A card with this name already exists on the server" };
        if (put.status >= 300) return refused(`The server refused the contact (HTTP ${put.status})`, causeOfStatus(put.status));
        uids.push(uid);
        return written(idOf(url), await etagAfter(url, put.etag), body);
      });
      await editGroup(uids, []);
      return results;
    },

    async update(items) {
      const current = new Map<string, { etag: string; text: string }>();
      const tooLarge = new Set<string>();
      for (const card of await fetchCards(items.map((u) => urlOf(u.id)))) {
        if (isDelivered(card)) current.set(idOf(card.href), card);
        else if ("tooLarge" in card) tooLarge.add(idOf(card.href));
      }
      return mapLimit(items, async (item): Promise<WriteResult> => {
        const card = current.get(item.id);
        if (tooLarge.has(item.id)) return refused("The contact on the server is larger than Tandem reads, so it was not changed", "too_large");
        if (!card) return { ok: false, error: "not_found", message: "The contact no longer exists" };
        // Changed since we last saw it: the engine reads it again and merges.
        if (item.etag && card.etag !== item.etag) return { ok: false, error: "conflict", message: "The contact changed on the server meanwhile" };
        let body: string;
        try {
          body = writeVCard(item.contact, { previous: card.text, uid: readVCard(card.text, mapping).uid ?? randomUUID(), ...mapping });
        } catch (error) {
          if (!(error instanceof VCardError)) throw error;
          return { ok: false, error: "rejected", message: `The contact on the server is not a valid vCard: ${error.message}` };
        }
        if (body === card.text) return written(item.id, card.etag, body);
        const url = urlOf(item.id);
        const put = await call(() => writeCard(session, url, "PUT", { body, ifMatch: card.etag }));
        if (put.status === 412) return { ok: false, error: "conflict", message: "The contact changed on the server meanwhile" };
        if (put.status === 404) return { ok: false, error: "not_found", message: "The contact no longer exists" };
        if (put.status >= 300) return refused(`The server refused the change (HTTP ${put.status})`, causeOfStatus(put.status));
        return written(item.id, await etagAfter(url, put.etag), body);
      });
    },

    async delete(items) {
      // A group card's members are named by UID: read them (in multigets) before the cards go.
      const uidOf = new Map<string, string>();
      if (groupCardUrl) {
        for (const card of await fetchCards(items.map((i) => urlOf(i.id)))) {
          const uid = isDelivered(card) ? readable(card.text)?.uid : null;
          if (uid) uidOf.set(idOf(card.href), uid);
        }
      }
      const gone: string[] = [];
      const results = await mapLimit(items, async (item): Promise<DeleteResult> => {
        const res = await call(() => writeCard(session, urlOf(item.id), "DELETE", { ifMatch: item.etag }));
        if (res.status < 300 || res.status === 404) {
          const uid = uidOf.get(item.id);
          if (uid) gone.push(uid);
        }
        if (res.status < 300) return { ok: true };
        if (res.status === 404) return { ok: false, error: "not_found", message: "Already gone" };
        if (res.status === 412) return { ok: false, error: "conflict", message: "The contact changed on the server meanwhile, so it was not deleted" };
        return refused(`The server refused the deletion (HTTP ${res.status})`, causeOfStatus(res.status));
      });
      // Only contacts that are gone leave the group; one the server kept stays a member.
      await editGroup([], gone);
      return results;
    },
  };
}

/** A failure of a request to the server, as the user may read it: our own errors pass as they are
 * (their messages are ours: statuses, host names, limits), a network failure says it could not
 * be reached, and anything else — an answer tsdav could not make sense of, whose error may quote
 * it — that the server's answer is not a CardDAV server's. The server is whatever the user typed:
 * its words are not repeated. */
function inWords(error: unknown): unknown {
  const ours = [DavError, SyncTokenRefused, CursorExpiredError, AddressBookTooLargeError, ResumeRefusedError, ProviderUnavailableError, InvalidGrantError, VCardError, OriginRefusedError, RedirectRefusedError, ResponseTooLargeError, AddressRefusedError];
  if (ours.some((kind) => error instanceof kind)) return error;
  if (error instanceof Error && error.name === "TimeoutError") return new DavError(0, "The server did not answer in time");
  // (fetch's network failures: no connection, or one that broke off during the answer.)
  if (error instanceof TypeError && (error.message === "fetch failed" || error.message === "terminated")) return new DavError(0, "The server could not be reached, or stopped answering");
  return new DavError(0, "The server's answer is not one of a CardDAV server");
}

/** Where an interrupted listing goes on; anything else is refused (the listing starts again). */
function parseResume(token: string): { cursor: Cursor; after: string } {
  try {
    const parsed = JSON.parse(token) as { cursor?: Cursor; after?: unknown };
    if (parsed.cursor && typeof parsed.after === "string") return { cursor: parsed.cursor, after: parsed.after };
  } catch {
    // not ours
  }
  throw new ResumeRefusedError();
}

/** A name for a card we could not read: its FN line if it has one, else its file name. */
export function cardLabel(text: string, href: string): string {
  return formattedName(text) || decodedSegment(href.split("/").filter(Boolean).at(-1) ?? href);
}

/** The value of a card's first FN line (with or without parameters), found line by line: linear
 * in the card's size (a regular expression over the whole card was quadratic on some cards). */
function formattedName(text: string): string | null {
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    if (end - start > 2 && text.slice(start, start + 2).toUpperCase() === "FN" && (text[start + 2] === ":" || text[start + 2] === ";")) {
      const colon = text.indexOf(":", start + 2);
      if (colon !== -1 && colon < end) return text.slice(colon + 1, end).trim() || null;
    }
    start = end + 1;
  }
  return null;
}
