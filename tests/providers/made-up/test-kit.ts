// The made-up provider in the test kit (tests/kit/provider-kits.ts): its in-process server for a
// test file, and an address book there changed as its user would (the canonical contact is what
// the server holds, so a book contact maps onto it field by field).
import type { AccountStats } from "@/emulators";
import { EMPTY_CONTACT, type Contact } from "@/lib/sync/model/contact";
import type { BookContact, ListedContact, OpenBookOptions } from "@/tests/kit/address-book";
import type { ProviderTestKit } from "@/tests/kit/provider-kits";
import { accountRoot } from "./adapter";
import { madeUp } from "./definition";
import { madeUpServerAt, startMadeUpServer, stopMadeUpServer } from "./server";

/** Every account the kit makes signs in with the demo's password. */
const PASSWORD = madeUp.demo.examplePassword;

const labeled = (items: [string | undefined, string][]) => items.flatMap(([value, label]) => (value ? [{ value, label }] : []));

/** `c` written over `current`: the fields `c` does not give stay as they are. */
function toContact(c: BookContact, current: Contact = EMPTY_CONTACT): Contact {
  return {
    ...current,
    firstName: c.given ?? current.firstName,
    lastName: c.family ?? current.lastName,
    emails: c.email !== undefined || c.email2 !== undefined ? labeled([[c.email, "work"], [c.email2, "home"]]) : current.emails,
    phones: c.phone !== undefined || c.phone2 !== undefined ? labeled([[c.phone, "mobile"], [c.phone2, "work"]]) : current.phones,
    ims: c.im !== undefined ? labeled([[c.im, ""]]).map((i) => i.value) : current.ims,
    organization: c.company ?? current.organization,
    jobTitle: c.title ?? current.jobTitle,
    notes: c.notes ?? current.notes,
    birthday: c.birthday ?? current.birthday,
  };
}

const toBookContact = (etag: string, c: Contact): ListedContact => ({
  etag,
  given: c.firstName || undefined,
  family: c.lastName || undefined,
  email: c.emails[0]?.value,
  phone: c.phones[0]?.value,
  company: c.organization ?? undefined,
  title: c.jobTitle ?? undefined,
  notes: c.notes ?? undefined,
  birthday: c.birthday ?? undefined,
});

const notModelled = (what: string) => () => Promise.reject(new Error(`The made-up server models no ${what}`));

async function openBook(opts: OpenBookOptions) {
  const { url, email } = opts;
  const server = madeUpServerAt(url);
  if (!server) throw new Error(`No made-up server at ${url}`);
  if (opts.create) server.addAccount(email, PASSWORD);
  const book = (opts.create ? null : server.bookNamed(email, opts.group)) ?? server.addBook(email, opts.group);
  const contact = (id: string) => {
    const stored = book.contacts.get(id);
    if (!stored || stored.deleted) throw new Error(`No contact ${id}`);
    return stored;
  };
  const writes = () => server.writes.get(email) ?? 0;
  const stats = async (): Promise<AccountStats> => ({ email, total: writes(), byEndpoint: { "made-up.write": writes() }, byStatus: {} });
  return {
    provider: madeUp.id,
    url,
    email,
    groupId: book.id,
    accessToken: PASSWORD,
    secret: { kind: "password" as const, apiBaseUrl: accountRoot(server.url, email), username: email, password: PASSWORD, origins: [server.url] },
    async add(c: BookContact, add: { inGroup?: boolean } = {}) {
      const into = add.inGroup === false ? (server.bookNamed(email, "Other contacts") ?? server.addBook(email, "Other contacts")) : book;
      return server.put(email, into, { contact: toContact(c) }).id;
    },
    async addMany(contacts: BookContact[]) {
      return contacts.map((c) => server.put(email, book, { contact: toContact(c) }).id);
    },
    async update(id: string, c: BookContact) {
      server.put(email, book, { id, contact: toContact(c, contact(id).contact) });
    },
    async remove(id: string) {
      server.remove(email, book, id);
    },
    async removeMany(ids: string[]) {
      for (const id of ids) server.remove(email, book, id);
    },
    setPhoto: notModelled("photos"),
    async list() {
      return new Map([...book.contacts.values()].filter((c) => !c.deleted).map((c) => [c.id, toBookContact(c.etag, c.contact)]));
    },
    stats,
    writeCalls: async () => writes(),
    revoke: notModelled("revoked grants"),
    fault: notModelled("faults"),
    refuse: notModelled("refused writes"),
    clearFaults: async () => {},
    expireCursor: notModelled("expired cursors"),
  };
}

export const madeUpKit: ProviderTestKit = {
  async startServer() {
    const server = startMadeUpServer();
    return {
      provider: madeUp.id,
      url: server.url,
      addressBook: (email, group) => openBook({ provider: madeUp.id, url: server.url, email, group, create: true }),
      close: async () => stopMadeUpServer(server.url),
    };
  },
  openBook,
};
