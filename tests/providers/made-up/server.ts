// The made-up provider's "emulator": contact services held in this process, each reached by a
// URL of its own (made-up://server-1). Just enough of one to sync with: accounts signed in to with
// a password, address books, contacts with etags, and a change counter that cursors read from.
// It stores the canonical contact as it is given: the provider's mapping is the identity.
import { randomUUID } from "node:crypto";
import { EMPTY_CONTACT, type Contact } from "@/lib/sync/model/contact";

export type StoredContact = { id: string; etag: string; contact: Contact; stamp: string | null; revision: number; deleted: boolean };
export type MadeUpBook = { id: string; name: string; contacts: Map<string, StoredContact> };
type Account = { password: string; books: Map<string, MadeUpBook> };

export class MadeUpServer {
  private readonly accounts = new Map<string, Account>();
  /** Bumped by every change; a contact keeps the revision of its last one. */
  revision = 0;
  /** Changes asked of the server, by account. */
  readonly writes = new Map<string, number>();

  constructor(readonly url: string) {}

  addAccount(email: string, password: string): void {
    if (!this.accounts.has(email)) this.accounts.set(email, { password, books: new Map() });
  }

  /** The account, when the password is its own; null otherwise. */
  signIn(email: string, password: string): Account | null {
    const account = this.accounts.get(email);
    return account && account.password === password ? account : null;
  }

  addBook(email: string, name: string): MadeUpBook {
    const account = this.accounts.get(email);
    if (!account) throw new Error(`No account ${email}`);
    const book: MadeUpBook = { id: `books/${randomUUID()}`, name, contacts: new Map() };
    account.books.set(book.id, book);
    return book;
  }

  bookNamed(email: string, name: string): MadeUpBook | null {
    return [...(this.accounts.get(email)?.books.values() ?? [])].find((b) => b.name === name) ?? null;
  }

  /** Stores the contact (a new one without `id`), and returns it as stored. */
  put(email: string, book: MadeUpBook, change: { id?: string; contact: Contact; stamp?: string | null }): StoredContact {
    this.writes.set(email, (this.writes.get(email) ?? 0) + 1);
    const revision = ++this.revision;
    const id = change.id ?? randomUUID();
    const stored: StoredContact = { id, etag: `"${revision}"`, contact: change.contact, stamp: change.stamp ?? book.contacts.get(id)?.stamp ?? null, revision, deleted: false };
    book.contacts.set(id, stored);
    return stored;
  }

  remove(email: string, book: MadeUpBook, id: string): void {
    const stored = book.contacts.get(id);
    if (!stored || stored.deleted) return;
    this.writes.set(email, (this.writes.get(email) ?? 0) + 1);
    book.contacts.set(id, { ...stored, deleted: true, revision: ++this.revision, etag: "" });
  }
}

const running = new Map<string, MadeUpServer>();
let started = 0;

export function startMadeUpServer(url = `made-up://server-${++started}`): MadeUpServer {
  const server = running.get(url) ?? new MadeUpServer(url);
  running.set(url, server);
  return server;
}

export function stopMadeUpServer(url: string): void {
  running.delete(url);
}

/** The server a URL of it names (its accounts' API roots are below it). */
export function madeUpServerAt(url: string): MadeUpServer | null {
  return [...running.values()].find((s) => url === s.url || url.startsWith(`${s.url}/`)) ?? null;
}

/** Demo mode's made-up server: the demo account, with a "Friends" book holding one contact. */
export function startMadeUpDemo(url: string, account: string, password: string): void {
  const server = startMadeUpServer(url);
  server.addAccount(account, password);
  if (server.bookNamed(account, "Friends")) return;
  const friends = server.addBook(account, "Friends");
  server.put(account, friends, { contact: { ...EMPTY_CONTACT, firstName: "Dana", lastName: "Demo", emails: [{ value: "dana.demo@made-up.test", label: "home" }] } });
}
