// CardDAV in the test kit (tests/kit/provider-kits.ts). CardDAV has no emulator: a test file gets
// a real server (Radicale by default, Xandikos when asked) with the counting and fault-injecting
// proxy in front of it, and a book there changed as a phone would change it (test-book.ts).
import { startDavProxy, startDavServer, type DavProxy, type DavServer, type DavServerKind } from "@/emulators/carddav";
import type { AddressBook } from "@/tests/kit/address-book";
import type { TestEmulator } from "@/tests/kit/emulators";
import { countWrites, type ProviderTestKit } from "@/tests/kit/provider-kits";
import { carddav } from "./definition";
import { openCardDavBook } from "./test-book";

/** The password of the demo's CardDAV account. */
export const DEMO_CARDDAV_PASSWORD = carddav.demo.examplePassword;

/** The collection a book's collection is in: its address-book home ("/dav/sam/book/" → "/dav/sam/"). */
function parentCollection(href: string): string {
  if (!href.endsWith("/")) return href;
  const cut = href.lastIndexOf("/", href.length - 2);
  return cut === href.length - 2 ? href : href.slice(0, cut + 1);
}

/** A book at a real CardDAV server (Radicale, Xandikos); the test handles come from the proxy in
 * front of it, when there is one (tests and benchmarks; the demo server has none). */
export async function openCardDavAddressBook(opts: {
  url: string;
  email: string;
  group: string;
  password: string;
  create?: boolean;
  server?: DavServer;
  proxy?: DavProxy;
}): Promise<AddressBook> {
  const { url, email, password, proxy } = opts;
  const book = await openCardDavBook({ url, username: email, password, group: opts.group, create: opts.create ?? false, server: opts.server });
  const home = parentCollection(book.addressBookHref);
  const needsProxy = (): DavProxy => {
    if (!proxy) throw new Error("This CardDAV server has no test proxy in front of it");
    return proxy;
  };
  return {
    ...book,
    provider: "carddav",
    url,
    email,
    accessToken: password,
    secret: { kind: "password", apiBaseUrl: new URL(home, url).href, username: email, password, origins: [new URL(url).origin] },
    stats: async () => needsProxy().stats(email),
    writeCalls: async () => countWrites(needsProxy().stats(email)),
    revoke: async () => needsProxy().revoke(email),
    fault: async (kind, count, retryAfterSeconds) => needsProxy().fault({ username: email, kind, count, retryAfterSeconds }),
    refuse: async (match, message) => needsProxy().refuse({ username: email, match, message }),
    clearFaults: async () => needsProxy().clearFaults(),
    expireCursor: async () => needsProxy().expireSyncTokens(),
  };
}

/** A real CardDAV server for a test file, with the test proxy in front of it. */
export async function startCardDavServer(kind: DavServerKind = "radicale"): Promise<TestEmulator> {
  const server = await startDavServer({ kind });
  const proxy = await startDavProxy(server.url);
  return {
    provider: "carddav",
    url: proxy.url,
    addressBook: (email, group) => openCardDavAddressBook({ url: proxy.url, email, group, password: `pw-${email}`, create: true, server, proxy }),
    async close() {
      await proxy.close();
      await server.stop();
    },
  };
}

export const testKit: ProviderTestKit = {
  startServer: () => startCardDavServer(),
  // A server that runs already is the demo's: its account signs in with the demo password.
  openBook: (opts) => openCardDavAddressBook({ ...opts, password: DEMO_CARDDAV_PASSWORD }),
};
