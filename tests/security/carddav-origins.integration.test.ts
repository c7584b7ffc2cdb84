// Where a CardDAV password may go. The iCloud shape: discovery at one host
// (contacts.icloud.test), the address books at a sibling of the same registrable domain
// (p07-contacts.icloud.test) — sign-in and sync work, the password going to both. A foreign
// host (evil.test) announced as the home, or named later in a listing, receives nothing. Three
// https servers on 127.0.0.1/2/3 with names only this test's resolver knows, in front of a real
// Radicale.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { getViewer } from "@/db/queries/users";
import { syncConnections } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { radicaleAvailable, startDavServer, type DavServer } from "@/emulators/carddav";
import { UserError } from "@/lib/errors";
import { adapterForConnection, readPassword } from "@/lib/sync/accounts/connections";
import { runSync } from "@/lib/sync/engine/run";
import { connectWithPassword } from "@/lib/sync/accounts/password-flow";
import { AllowList } from "@/lib/sync/outbound/address-rule";
import { guardedAgent } from "@/lib/sync/outbound/agent";
import { openCardDavAddressBook } from "@/lib/sync/providers/carddav/test-kit";
import type { AddressBook } from "@/tests/kit/address-book";
import { openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { forwardTo, startTestHost, testCertificate, testResolver, type TestHost } from "@/tests/kit/hosts";

const DISCOVERY = "contacts.icloud.test";
const HOME = "p07-contacts.icloud.test";
const FOREIGN = "evil.test";

describe.runIf(radicaleAvailable())("CardDAV: where the password may go", () => {
  let radicale: DavServer;
  let handle: DbHandle;
  let demo: SeededDemo;
  let discovery: TestHost;
  let home: TestHost;
  let foreign: TestHost;
  /** Where the discovery host says the address books are, and what the home host does to hrefs. */
  let announcedHome: () => string;
  let cardHrefsTo: string | null = null;
  const tls = testCertificate([DISCOVERY, HOME, FOREIGN]);
  // The app's agent as an installation that allows loopback would have it, trusting the test
  // certificate, with a resolver that knows the three names.
  const agent = guardedAgent({ allow: AllowList.parse("127.0.0.0/8"), ca: tls.cert, resolve: testResolver({ [DISCOVERY]: "127.0.0.1", [HOME]: "127.0.0.2", [FOREIGN]: "127.0.0.3" }) });
  const viaTestHosts = () => agent;

  beforeAll(async () => {
    radicale = await startDavServer({ kind: "radicale" });
    ({ handle, demo } = await openSeeded(testDatabases()[0]!.open));
    // The discovery host answers as Radicale does, but names the home on another host.
    discovery = await startTestHost({
      name: DISCOVERY,
      address: "127.0.0.1",
      tls,
      handle: forwardTo(radicale.url, (_req, body) => body.replace(/(<[^>]*addressbook-home-set[^>]*>\s*<[^>]*href>)([^<]+)/g, (_m, open: string, path: string) => `${open}${announcedHome()}${path}`)),
    });
    home = await startTestHost({
      name: HOME,
      address: "127.0.0.2",
      tls,
      handle: forwardTo(radicale.url, (req, body) => (cardHrefsTo && req.method === "REPORT" ? body.replace(/(<[^>]*href>)(\/[^<]+\.vcf)/g, `$1//${cardHrefsTo}$2`) : body)),
    });
    foreign = await startTestHost({ name: FOREIGN, address: "127.0.0.3", tls, handle: forwardTo(radicale.url) });
  });
  afterAll(async () => {
    await Promise.all([discovery?.close(), home?.close(), foreign?.close()]);
    await radicale?.stop();
    await handle?.close();
  });

  const east = async () => (await getViewer(handle.db, demo.users.east))!;
  let n = 0;
  const password = "app-specific-password";

  async function account(): Promise<AddressBook> {
    const book = await openCardDavAddressBook({ url: radicale.url, email: `icloud${++n}@example.com`, group: "Contacts", password, create: true, server: radicale });
    await book.addMany([
      { given: "Ada", family: `Lovelace${n}`, email: `ada${n}@example.com` },
      { given: "Alan", family: `Turing${n}`, email: `alan${n}@example.com` },
    ]);
    return book;
  }

  async function signIn(book: AddressBook) {
    return connectWithPassword(handle.db, await east(), { provider: "carddav", email: book.email, serverUrl: discovery.url, username: book.email, password }, { agent: viaTestHosts });
  }

  it("signs in and syncs when the address books are on a sibling host of the same registrable domain", async () => {
    announcedHome = () => `https://${HOME}:${home.port}`;
    const book = await account();
    const { connectionId } = await signIn(book);
    const [conn] = await handle.db.select().from(syncConnections).where(eq(syncConnections.id, connectionId));
    const secret = readPassword(conn!);
    expect(new URL(secret.apiBaseUrl).host).toBe(`${HOME}:${home.port}`);
    expect(secret.origins.sort()).toEqual([`https://${DISCOVERY}:${discovery.port}`, `https://${HOME}:${home.port}`].sort());

    const [configured] = await handle.db.update(syncConnections).set({ groupId: book.groupId, groupName: "Contacts" }).where(eq(syncConnections.id, connectionId)).returning();
    const atDiscovery = discovery.hits.length;
    const run = await runSync({ db: handle.db, connectionId, trigger: "manual", adapter: await adapterForConnection(handle.db, configured!, { agent: viaTestHosts }) });
    expect(run).toMatchObject({ status: "done", outcome: "succeeded", counts: { crmAdded: 2 } });
    // The sync talks to the address books' host alone, with the password.
    expect(discovery.hits.length).toBe(atDiscovery);
    expect(home.hits.length).toBeGreaterThan(0);
    expect(home.hits.every((h) => h.authorization?.startsWith("Basic "))).toBe(true);
    expect(foreign.hits).toEqual([]);
  });

  it("refuses a home announced on a foreign host, which receives nothing, and stores nothing", async () => {
    announcedHome = () => `https://${FOREIGN}:${foreign.port}`;
    const book = await account();
    const error = await signIn(book).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ key: "carddav.leftServer", values: { to: `${FOREIGN}:${foreign.port}` } });
    expect(foreign.hits).toEqual([]);
    const rows = await handle.db.select().from(syncConnections).where(eq(syncConnections.accountEmail, book.email));
    expect(rows).toEqual([]);
  });

  it("refuses a plain http home on a sibling host: only https siblings may receive the password", async () => {
    announcedHome = () => `http://${HOME}:${home.port}`;
    const book = await account();
    await expect(signIn(book)).rejects.toMatchObject({ key: "carddav.leftServer" });
  });

  it("after sign-in, a card the listing names on a foreign host is refused, and that host receives nothing", async () => {
    announcedHome = () => `https://${HOME}:${home.port}`;
    const book = await account();
    const { connectionId } = await signIn(book);
    await handle.db.update(syncConnections).set({ groupId: book.groupId, groupName: "Contacts" }).where(eq(syncConnections.id, connectionId));
    const [conn] = await handle.db.select().from(syncConnections).where(eq(syncConnections.id, connectionId));
    cardHrefsTo = `${FOREIGN}:${foreign.port}`;
    try {
      const run = await runSync({ db: handle.db, connectionId, trigger: "manual", adapter: await adapterForConnection(handle.db, conn!, { agent: viaTestHosts }) });
      expect(run).toMatchObject({ status: "done", outcome: "failed" });
      expect((run as { error?: string }).error).toContain(`does not send this account's requests to ${FOREIGN}`);
    } finally {
      cardHrefsTo = null;
    }
    expect(foreign.hits).toEqual([]);
  });
});
