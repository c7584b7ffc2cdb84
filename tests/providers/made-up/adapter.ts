// The made-up provider's adapter (lib/sync/model/provider.ts), over its in-process server: groups
// are the account's books, a cursor is the server's change counter, and a listing comes in pages
// of MADE_UP_PAGE_SIZE contacts (its own environment variable).
import { EMPTY_CONTACT, readProviderContact, type Contact } from "@/lib/sync/model/contact";
import { InvalidGrantError, ResumeRefusedError, type ProviderAdapter, type PulledContact, type WriteResult } from "@/lib/sync/model/provider";
import type { AdapterOptions } from "@/lib/sync/providers/definition";
import { madeUpKeys } from "./env";
import { madeUpServerAt, type StoredContact } from "./server";

/** The account an API root names: made-up://server-1/accounts/<e-mail>/. */
export function accountRoot(serverUrl: string, email: string): string {
  return `${serverUrl}/accounts/${encodeURIComponent(email)}/`;
}

export function createMadeUpAdapter(opts: AdapterOptions): ProviderAdapter {
  if (opts.credentials.kind !== "basic") throw new Error("The made-up provider signs in with a password");
  const { username, password } = opts.credentials;
  const server = madeUpServerAt(opts.apiBaseUrl);
  if (!server || opts.apiBaseUrl !== accountRoot(server.url, username)) throw new Error(`No made-up account at ${opts.apiBaseUrl}`);
  const pageSize = opts.pageSize ?? madeUpKeys().MADE_UP_PAGE_SIZE;

  const account = () => {
    const signedIn = server.signIn(username, password);
    if (!signedIn) throw new InvalidGrantError();
    return signedIn;
  };
  const book = () => {
    const found = account().books.get(opts.groupId);
    if (!found) throw new Error("The synced book no longer exists");
    return found;
  };
  const read = (contact: Contact) => readProviderContact(contact, opts.defaultCountry);
  const pulled = (c: StoredContact): PulledContact =>
    c.deleted ? { id: c.id, etag: "", deleted: true, inScope: false, contact: EMPTY_CONTACT } : { id: c.id, etag: c.etag, deleted: false, inScope: true, ...read(c.contact), stamp: c.stamp };
  const written = (c: StoredContact): WriteResult => ({ ok: true, id: c.id, etag: c.etag, contact: read(c.contact).contact });

  return {
    provider: "made-up",
    project: (contact) => contact,

    async listGroups() {
      return [...account().books.values()].map((b) => ({ id: b.id, name: b.name, memberCount: [...b.contacts.values()].filter((c) => !c.deleted).length }));
    },

    async pull(cursor, onPage, options = {}) {
      const since = cursor === null ? null : Number(cursor);
      const end = server.revision;
      const changed = [...book().contacts.values()].filter((c) => (since === null ? !c.deleted : c.revision > since)).sort((a, b) => a.id.localeCompare(b.id));
      const from = options.resumeFrom === undefined ? 0 : Number(options.resumeFrom);
      if (!Number.isInteger(from) || from < 0) throw new ResumeRefusedError();
      for (let at = from; at < changed.length; at += pageSize) {
        const next = at + pageSize < changed.length ? String(at + pageSize) : null;
        await onPage({ items: changed.slice(at, at + pageSize).map(pulled), next });
      }
      return { cursor: String(end), full: since === null };
    },

    async fetchPhotos(contacts) {
      return contacts.map(() => null);
    },

    async create(items) {
      return items.map(({ contact, stamp }) => written(server.put(username, book(), { contact, stamp })));
    },

    async update(items) {
      return items.map(({ id, etag, contact }): WriteResult => {
        const current = book().contacts.get(id);
        if (!current || current.deleted) return { ok: false, error: "not_found", message: "The contact no longer exists" };
        if (etag && current.etag !== etag) return { ok: false, error: "conflict", message: "The contact changed meanwhile" };
        return written(server.put(username, book(), { id, contact }));
      });
    },

    async delete(items) {
      return items.map(({ id }) => {
        const current = book().contacts.get(id);
        if (!current || current.deleted) return { ok: false, error: "not_found", message: "Already gone" };
        server.remove(username, book(), id);
        return { ok: true };
      });
    },
  };
}
