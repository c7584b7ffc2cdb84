// "The user" at the provider: an address book read and changed through the official clients
// against an emulator, as a phone or Outlook would. One interface for every provider, used by
// the integration tests, the benchmarks and the Playwright specs alike.
import { clearFaults, createAccount, expireSyncTokens, getStats, injectFault, mintToken, revokeAccount, type AccountStats } from "@/emulators";
import type { DavProxy, DavServer } from "@/emulators/carddav";
import type { StoredPassword } from "@/lib/sync/accounts/connections";
import type { ProviderId } from "@/db/vocabulary";
import type { StoredTokens } from "@/lib/sync/accounts/tokens";
import { openCardDavBook } from "./carddav-book";
import { openGoogleBook } from "./google-book";
import { openMicrosoftBook } from "./microsoft-book";

export type PostalParts = { street: string; city: string; region: string; postalCode: string };

/** A contact as a test writes and reads it: the fields every provider maps. */
export type BookContact = {
  given?: string;
  family?: string;
  /** Work e-mail (Graph: the first address). */
  email?: string;
  /** Home e-mail (Graph: the second address). */
  email2?: string;
  /** Mobile phone. */
  phone?: string;
  /** Work phone. */
  phone2?: string;
  home?: PostalParts;
  work?: PostalParts;
  im?: string;
  notes?: string;
  company?: string;
  title?: string;
  /** YYYY-MM-DD */
  birthday?: string;
};

export type ListedContact = BookContact & { etag: string };

export interface AddressBook {
  readonly provider: ProviderId;
  readonly url: string;
  readonly email: string;
  /** The synced group: a Google contact group resource name, an Outlook folder id. */
  readonly groupId: string;
  /** The OAuth access token; for a password sign-in, the password. */
  readonly accessToken: string;
  /** What a connection to this book stores: OAuth tokens, or a password sign-in. */
  readonly secret: StoredTokens | StoredPassword;
  add(c: BookContact, opts?: { inGroup?: boolean }): Promise<string>;
  /** Many contacts in the group, in the provider's batches; ids in input order. */
  addMany(contacts: BookContact[]): Promise<string[]>;
  /** Changes the fields given; the others stay as they are. */
  update(id: string, c: BookContact): Promise<void>;
  remove(id: string): Promise<void>;
  removeMany(ids: string[]): Promise<void>;
  /** Takes the contact out of the synced group (Google labels; Graph moves are not modelled). */
  leaveGroup?(id: string): Promise<void>;
  setPhoto(id: string, png: Buffer): Promise<void>;
  /** The group's contacts, by id. */
  list(): Promise<Map<string, ListedContact>>;
  stats(): Promise<AccountStats>;
  writeCalls(): Promise<number>;
  revoke(): Promise<void>;
  fault(kind: "rate_limit" | "server_error", count: number, retryAfterSeconds?: number): Promise<void>;
  /** Until `clearFaults`, the provider refuses every write of this account whose body contains
   * `match`, with `message` as its reason. */
  refuse(match: string, message?: string): Promise<void>;
  clearFaults(): Promise<void>;
  expireCursor(): Promise<void>;
}

/** What each provider's book implements; the admin side (stats, faults) is shared. */
export type ProviderBook = Pick<AddressBook, "groupId" | "add" | "addMany" | "update" | "remove" | "removeMany" | "leaveGroup" | "setPhoto" | "list">;

export type OpenBookOptions = {
  provider: ProviderId;
  /** The emulator's base URL. */
  url: string;
  email: string;
  /** The group or folder by name ("My Contacts": Google's whole address book). */
  group: string;
  /** Create the account and the group (tests, benchmarks); else both exist (the demo's). */
  create?: boolean;
};

const OPENERS: Record<Exclude<ProviderId, "carddav">, (o: { url: string; accessToken: string; group: string; create: boolean }) => Promise<ProviderBook>> = {
  google: openGoogleBook,
  microsoft: openMicrosoftBook,
};

/** Endpoints that change the address book (batch sub-requests are counted under their own names). */
const WRITE = /create|update|delete|modify|photo\.value\.put|carddav\.put/i;

function countWrites(stats: AccountStats): number {
  let n = 0;
  for (const [endpoint, count] of Object.entries(stats.byEndpoint)) if (WRITE.test(endpoint) && !/contactGroups\.create/.test(endpoint)) n += count;
  return n;
}

export async function openAddressBook(opts: OpenBookOptions): Promise<AddressBook> {
  const { provider, url, email } = opts;
  if (provider === "carddav") return openCardDavAddressBook({ ...opts, password: DEMO_CARDDAV_PASSWORD });
  if (opts.create) await createAccount(url, email, email.split("@")[0]);
  const accessToken = (await mintToken(url, email)).access_token;
  const book = await OPENERS[provider]!({ url, accessToken, group: opts.group, create: opts.create ?? false });
  return {
    ...book,
    provider,
    url,
    email,
    accessToken,
    secret: { accessToken },
    stats: () => getStats(url, email),
    writeCalls: async () => countWrites(await getStats(url, email)),
    revoke: async () => void (await revokeAccount(url, email, "invalidate")),
    fault: async (kind, count, retryAfterSeconds) => void (await injectFault(url, { kind, count, email, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) })),
    refuse: async (match, message) => void (await injectFault(url, { kind: "refuse_writes", email, match, ...(message ? { message } : {}) })),
    clearFaults: async () => void (await clearFaults(url)),
    expireCursor: async () => void (await expireSyncTokens(url)),
  };
}

/** The password of the demo's CardDAV account (lib/sync/providers/carddav/definition.ts). */
export const DEMO_CARDDAV_PASSWORD = "demo-app-password";

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
  const home = book.addressBookHref.replace(/[^/]+\/$/, "");
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

/** A 1×1 PNG. */
export const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
