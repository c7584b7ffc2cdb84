// The provider of a benchmark: Google's or Microsoft's emulator in its own process (see
// emulator-process.ts), or a real CardDAV server (Radicale) behind the test kit's counting proxy
// (see carddav.ts). Either way, the account's requests are counted.
import { getStats, resetStats, type AccountStats } from "@/emulators";
import type { ProviderId } from "@/db/vocabulary";
import { startCardDavEmulator, type CardDavWorld } from "./carddav";
import { firstResult, spawnTs, stopChild } from "./proc";

export type EmulatorHandle = {
  provider: ProviderId;
  url: string;
  port: number;
  /** The account's request counters start again from zero. */
  resetStats(email: string): Promise<void>;
  /** The account's requests since the last reset, by endpoint and status. */
  stats(email: string): Promise<AccountStats>;
  close(): Promise<void>;
  /** CardDAV only: the server behind the proxy, its storage folder and a warm-up account. */
  dav?: CardDavWorld;
};

export async function startEmulator(provider: ProviderId, port = 0): Promise<EmulatorHandle> {
  if (provider === "carddav") return startCardDavEmulator();
  const child = spawnTs("bench/lib/emulator-process.ts", [provider, String(port)]);
  const { url, port: actual } = await firstResult<{ url: string; port: number }>(child, `${provider} emulator`);
  return {
    provider,
    url,
    port: actual,
    resetStats: async (email) => void (await resetStats(url, email)),
    stats: (email) => getStats(url, email),
    close: () => stopChild(child),
  };
}
