// The synced address book of one CardDAV connection, as the adapter's reads (adapter.ts) and
// writes (card-writes.ts) reach it: the session, requests retried and their failures put in our
// words, cards fetched in multigets of bounded size, and the synced group card with its members.
// It decides nothing about what to sync.
import type { AdapterOptions } from "../definition";
import { createCaller } from "../http";
import { AddressBookTooLargeError, CursorExpiredError, InvalidGrantError, ProviderUnavailableError, ResumeRefusedError } from "../../model/provider";
import { AddressRefusedError } from "../../outbound/agent";
import { OriginRefusedError, RedirectRefusedError, ResponseTooLargeError } from "../../outbound/fetch";
import { atPath, davSession, davStatus, isDelivered, multiget, pathOf, syncChanges, SyncTokenRefused, DavError, type FetchedCard } from "./dav";
import { storedOriginsAllow } from "./origins";
import { readVCard, VCardError, type CardRead } from "./vcard";

/** Cards a multiget asks for: a request costs servers a fixed toll (Radicale re-reads its
 * folder). */
const MULTIGET = 250;
/** Writes in flight at once: servers (iCloud's above all) throttle eager clients. */
const WRITE_CONCURRENCY = 6;

type GroupRef = { bookUrl: string; groupCardUrl: string | null };

export function parseGroupId(groupId: string, apiBaseUrl: string): GroupRef {
  const [book, card] = groupId.split("#");
  return { bookUrl: atPath(apiBaseUrl, book!), groupCardUrl: card ? atPath(apiBaseUrl, card) : null };
}

export type SyncedBook = ReturnType<typeof syncedBook>;

export function syncedBook(opts: AdapterOptions) {
  if (opts.credentials.kind !== "basic") throw new Error("A CardDAV adapter signs in with a username and password");
  const { username, password, origins } = opts.credentials;
  const session = davSession(opts.apiBaseUrl, { username, password, mayRequest: storedOriginsAllow(origins), agent: opts.agent });
  const { bookUrl, groupCardUrl } = parseGroupId(opts.groupId, opts.apiBaseUrl);
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

  const idOf = (href: string) => pathOf(href, bookUrl);
  const urlOf = (id: string) => atPath(bookUrl, id);

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

  return { session, bookUrl, groupCardUrl, mapping, call, groupCard, groupMembers, idOf, urlOf, mapLimit, fetchCards, allCards, readable };
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
