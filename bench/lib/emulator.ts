// The provider emulator of a benchmark, in its own process (see emulator-process.ts).
import type { Provider } from "@/db/schema";
import { firstResult, spawnTs, stopChild } from "./proc";

export type EmulatorHandle = { provider: Provider; url: string; port: number; close: () => Promise<void> };

export async function startEmulator(provider: Provider, port = 0): Promise<EmulatorHandle> {
  const child = spawnTs("bench/lib/emulator-process.ts", [provider, String(port)]);
  const { url, port: actual } = await firstResult<{ url: string; port: number }>(child, `${provider} emulator`);
  return { provider, url, port: actual, close: () => stopChild(child) };
}

/** Base URLs the engine's adapters take for this emulator. */
export function endpointsFor(emu: EmulatorHandle): { googleRootUrl: string; graphBaseUrl: string } {
  return emu.provider === "google" ? { googleRootUrl: `${emu.url}/`, graphBaseUrl: "" } : { googleRootUrl: "", graphBaseUrl: `${emu.url}/` };
}
