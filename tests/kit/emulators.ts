// Provider servers for a test file: started in this process on a random port, one per file, by
// each provider's kit (provider-kits.ts) — an emulator, or a real CardDAV server.
import type { ProviderId } from "@/db/vocabulary";
import { providerDefinitions } from "@/lib/sync/providers/registry";
import type { AddressBook } from "./address-book";
import { testKitOf } from "./provider-kits";

export interface TestEmulator {
  readonly provider: ProviderId;
  readonly url: string;
  /** A new account with one group of that name (or Google's "My Contacts"). */
  addressBook(email: string, group: string): Promise<AddressBook>;
  close(): Promise<void>;
}

export async function startTestEmulator(provider: ProviderId): Promise<TestEmulator> {
  return (await testKitOf(provider)).startServer();
}

/** Every provider of the registry, for describe.each. */
export const EMULATED: { name: ProviderId; start: () => Promise<TestEmulator> }[] = providerDefinitions().map(({ id: name }) => ({
  name,
  start: () => startTestEmulator(name),
}));
