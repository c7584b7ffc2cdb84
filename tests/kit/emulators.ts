// Provider emulators for a test file: started in this process on a random port, one per file.
import { startGoogleEmulator, startMicrosoftEmulator } from "@/emulators";
import type { ProviderId } from "@/lib/sync/providers/registry";
import { openAddressBook, type AddressBook } from "./address-book";

export interface TestEmulator {
  readonly provider: ProviderId;
  readonly url: string;
  /** A new account with one group of that name (or Google's "My Contacts"). */
  addressBook(email: string, group: string): Promise<AddressBook>;
  close(): Promise<void>;
}

const STARTERS: Record<ProviderId, () => Promise<{ url: string; close(): Promise<void> }>> = {
  google: () => startGoogleEmulator({ port: 0 }),
  microsoft: () => startMicrosoftEmulator({ port: 0 }),
};

export async function startTestEmulator(provider: ProviderId): Promise<TestEmulator> {
  const emu = await STARTERS[provider]();
  return {
    provider,
    url: emu.url,
    addressBook: (email, group) => openAddressBook({ provider, url: emu.url, email, group, create: true }),
    close: () => emu.close(),
  };
}

/** Every emulated provider, for describe.each. */
export const EMULATED: { name: ProviderId; start: () => Promise<TestEmulator> }[] = (Object.keys(STARTERS) as ProviderId[]).map((name) => ({
  name,
  start: () => startTestEmulator(name),
}));
