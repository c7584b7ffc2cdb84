// CardDAV address books (RFC 6352): iCloud, Fastmail, Nextcloud, Yahoo, Radicale, Xandikos…
// The adapter, and its reading side: groups, listings and photos (its writes are
// card-writes.ts; the requests it shares with them, synced-book.ts).
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
// - The server is whatever the user typed: requests go only to the origins stored with the
//   password (origins.ts), an answer over DAV_MAX_BYTES is asked again for fewer cards (a card
//   alone over it, or over the vCard reader's cap, is "too large" under Needs attention), and
//   what reaches the user of a failure is its kind in our words, never the server's (inWords).
import { SYNCED_PICTURE_MAX_BYTES } from "@/lib/persons/picture";
import { EMPTY_CONTACT } from "../../model/contact";
import { AddressBookTooLargeError, CursorExpiredError, MAX_BOOK_CONTACTS, ProviderUnavailableError, ResumeRefusedError, type Photo, type ProviderAdapter, type ProviderGroup, type PulledContact, type UnreadableContact } from "../../model/provider";
import type { AdapterOptions } from "../definition";
import { applyPagesAhead, mapInSlices, readLimited } from "../http";
import { ResponseTooLargeError } from "../../outbound/fetch";
import { cardWrites } from "./card-writes";
import { bookStamp, decodedSegment, getResource, isDelivered, listAddressBooks, listEtags, pathOf, queryGroupCards, syncChanges, SyncTokenRefused, DavError, type AddressBookInfo } from "./dav";
import { syncedBook } from "./synced-book";
import { CardTooLargeError, projectForCardDav, readVCard, VCardError, type CardRead } from "./vcard";

/** Cards a page of the engine holds (one transaction): a page costs us one transaction. */
const PAGE = 500;
/** Cards a multiget for inline photos asks for. */
const PHOTO_CARDS = 10;
/** A photo is fetched from the card itself (inline PHOTO) or from the URL it names. */
const INLINE_PHOTO = "card:";

/** The group cards found in an address book, by its URL, for as long as its stamp (sync-token,
 * else ctag) stays the same: showing the group list again does not read the whole book again.
 * Kept in this process for every adapter; an entry serves only a listing of the books, made with
 * the account's password, that returned the same stamp. The oldest go past BOOK_GROUPS_MAX. */
const bookGroups = new Map<string, { stamp: string; cards: GroupCard[] }>();
const BOOK_GROUPS_MAX = 500;
type GroupCard = { path: string; name: string | null; members: number };

/** Where a listing left off: the server's sync-token, or (no sync-collection) every card's etag. */
type Cursor = { token: string } | { etags: Record<string, string> };

export function createCardDavAdapter(opts: AdapterOptions): ProviderAdapter {
  const synced = syncedBook(opts);
  const { session, bookUrl, groupCardUrl, mapping, call, groupMembers, idOf, urlOf, mapLimit, fetchCards, allCards, readable } = synced;
  const pageSize = opts.pageSize ?? PAGE;

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

  /** The book's group cards: read from the book (filtered by the server where it can), or — while
   * the book's stamp is unchanged — as they were read last. */
  async function groupCards(book: AddressBookInfo): Promise<GroupCard[]> {
    const known = book.stamp ? bookGroups.get(book.url) : undefined;
    if (known && known.stamp === book.stamp) return known.cards;
    const found: GroupCard[] = [];
    for (const card of (await call(() => queryGroupCards(session, book.url))) ?? (await allCards(book.url))) {
      try {
        const read = readVCard(card.text, mapping);
        if (read.kind === "group") found.push({ path: pathOf(card.href, book.url), name: read.groupName, members: read.members.length });
      } catch (error) {
        if (!(error instanceof VCardError)) throw error;
      }
    }
    if (book.stamp) {
      bookGroups.delete(book.url);
      bookGroups.set(book.url, { stamp: book.stamp, cards: found });
      if (bookGroups.size > BOOK_GROUPS_MAX) bookGroups.delete(bookGroups.keys().next().value!);
    }
    return found;
  }

  function pulled(href: string, etag: string, card: CardRead, members: Set<string> | null): PulledContact {
    const inScope = !members || (card.uid !== null && members.has(card.uid));
    const photoUrl = card.photo ? ("uri" in card.photo ? card.photo.uri : `${INLINE_PHOTO}${idOf(href)}`) : null;
    return { id: idOf(href), etag, deleted: false, inScope, contact: card.contact, oversize: card.oversize, photoUrl, stamp: card.stamp };
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
        for (const card of await groupCards(book)) {
          groups.push({ id: `${path}#${card.path}`, name: `${book.displayName} › ${card.name ?? "Group"}`, memberCount: card.members });
        }
      }
      return groups;
    },

    async changedSince(cursorText) {
      const cursor = JSON.parse(cursorText) as Cursor;
      // A server without sync-collection is compared card by card: no cheap check; its
      // interval reads it.
      if (!("token" in cursor)) return false;
      const stamp = await call(() => bookStamp(session, bookUrl));
      return stamp.syncToken !== cursor.token;
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

    ...cardWrites(synced),
  };
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
