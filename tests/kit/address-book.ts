// "The user" at the provider: an address book read and changed through the official clients
// against an emulator, as a phone or Outlook would. One interface for every provider, used by
// the integration tests, the benchmarks and the Playwright specs alike; each provider's own
// book is in its folder (provider-kits.ts).
import type { AccountStats } from "@/emulators";
import type { StoredPassword } from "@/lib/sync/accounts/connections";
import type { ProviderId } from "@/db/vocabulary";
import type { StoredTokens } from "@/lib/sync/accounts/tokens";
import { testKitOf } from "./provider-kits";

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

/** A book at a server that runs already (the demo's, a benchmark's emulator), by its provider's
 * kit; with `create`, a new account and group. */
export async function openAddressBook(opts: OpenBookOptions): Promise<AddressBook> {
  return (await testKitOf(opts.provider)).openBook(opts);
}

/** A 1×1 PNG. */
export const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
