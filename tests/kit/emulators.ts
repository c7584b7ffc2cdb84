// Provider emulators for a test file: started in this process on a random port, one per file.
import { startGoogleEmulator, startMicrosoftEmulator } from "@/emulators";
import { startDavProxy, startDavServer, type DavServerKind } from "@/emulators/carddav";
import type { ProviderId } from "@/db/vocabulary";
import { openAddressBook, openCardDavAddressBook, type AddressBook } from "./address-book";

export interface TestEmulator {
  readonly provider: ProviderId;
  readonly url: string;
  /** A new account with one group of that name (or Google's "My Contacts"). */
  addressBook(email: string, group: string): Promise<AddressBook>;
  close(): Promise<void>;
}

const STARTERS: Record<Exclude<ProviderId, "carddav">, () => Promise<{ url: string; close(): Promise<void> }>> = {
  google: () => startGoogleEmulator({ port: 0 }),
  microsoft: () => startMicrosoftEmulator({ port: 0 }),
};

/** CardDAV has no emulator: a real server (Radicale by default), with the counting and
 * fault-injecting proxy in front of it. */
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

export async function startTestEmulator(provider: ProviderId): Promise<TestEmulator> {
  if (provider === "carddav") return startCardDavServer();
  const emu = await STARTERS[provider]!();
  return {
    provider,
    url: emu.url,
    addressBook: (email, group) => openAddressBook({ provider, url: emu.url, email, group, create: true }),
    close: () => emu.close(),
  };
}

/** Every provider, for describe.each: Google's and Microsoft's emulators, and a real CardDAV
 * server. */
export const EMULATED: { name: ProviderId; start: () => Promise<TestEmulator> }[] = (["google", "microsoft", "carddav"] as const).map((name) => ({
  name,
  start: () => startTestEmulator(name),
}));
