// The provider emulator of a benchmark, in its own process (see emulator-process.ts).
import type { ProviderId } from "@/lib/sync/providers/registry";
import { firstResult, spawnTs, stopChild } from "./proc";

export type EmulatorHandle = { provider: ProviderId; url: string; port: number; close: () => Promise<void> };

export async function startEmulator(provider: ProviderId, port = 0): Promise<EmulatorHandle> {
  const child = spawnTs("bench/lib/emulator-process.ts", [provider, String(port)]);
  const { url, port: actual } = await firstResult<{ url: string; port: number }>(child, `${provider} emulator`);
  return { provider, url, port: actual, close: () => stopChild(child) };
}
