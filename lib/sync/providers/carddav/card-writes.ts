// The writes of a CardDAV adapter: creates, updates and deletes of cards, and the synced group
// card's members kept in step with them (iCloud-style groups).
// - Creates send If-None-Match: *, updates and deletes If-Match with the etag; a 412 is a conflict
//   the engine settles by reading the card again.
// - An update re-reads the card and changes only the lines we map (vcard-write.ts), so nothing we
//   do not map is lost.
// - The CRM person id rides on our creates as X-TANDEM-PERSON-ID, so a listing finds them after
//   a crash.
import { randomUUID } from "node:crypto";
import { causeOfStatus, refused, type ContactWriter, type DeleteResult, type WriteResult } from "../../model/provider";
import { isDelivered, multiget, writeCard, DavError } from "./dav";
import type { SyncedBook } from "./synced-book";
import { readVCard, VCardError } from "./vcard";
import { setGroupMembers, writeVCard } from "./vcard-write";

export function cardWrites(book: SyncedBook): Pick<ContactWriter, "create" | "update" | "delete"> {
  const { session, bookUrl, groupCardUrl, mapping, call, groupCard, idOf, urlOf, mapLimit, fetchCards, readable } = book;

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

  const written = (id: string, etag: string, text: string): WriteResult => ({ ok: true, id, etag, contact: readVCard(text, mapping).contact });

  /** The etag after a write, when the server did not send one (it need not, RFC 4918). */
  async function etagAfter(url: string, given: string | null): Promise<string> {
    if (given && !given.startsWith("W/")) return given;
    const [card] = await call(() => multiget(session, bookUrl, [url]));
    return isDelivered(card) ? card.etag : (given ?? "");
  }

  return {
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
