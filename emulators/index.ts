/**
 * Programmatic entry point of the provider emulators, for the app's demo
 * mode, integration tests and benchmarks. Start servers with
 * startGoogleEmulator / startMicrosoftEmulator (port 0 = random, cheap
 * enough to start one per test file) and drive them with the admin helpers.
 */
import { isEmulatorRunning } from "./shared/admin-client";
import { startGoogleEmulator, type GoogleEmulatorOptions } from "./google/server";
import { startMicrosoftEmulator, type MicrosoftEmulatorOptions } from "./microsoft/server";

export { startGoogleEmulator, type GoogleEmulator, type GoogleEmulatorOptions } from "./google/server";
export { startMicrosoftEmulator, type MicrosoftEmulator, type MicrosoftEmulatorOptions } from "./microsoft/server";
export type { GoogleConfig, GoogleConfigPatch } from "./google/config";
export type { MicrosoftConfig, MicrosoftConfigPatch } from "./microsoft/config";
export {
  AdminApiError,
  advanceClock,
  clearFaults,
  createAccount,
  expireSyncTokens,
  getStats,
  injectFault,
  isEmulatorRunning,
  listAccounts,
  mintToken,
  resetEmulator,
  resetStats,
  revokeAccount,
  setConfig,
  type AccountStats,
  type AdminAccountSummary,
  type FaultInput,
  type MintedToken,
} from "./shared/admin-client";
export { caBundleWithEmulatorCert, certPath as emulatorCaCertPath, processTrustsEmulatorCert } from "./shared/certs";
export { DEMO_ACCOUNTS, type DemoAccount } from "./seed/demo-accounts";
export { GOOGLE_SCOPES } from "./google/state";

export const DEFAULT_GOOGLE_PORT = 4010;
export const DEFAULT_MICROSOFT_PORT = 4020;

export interface EnsuredEmulator {
  url: string;
  port: number;
  /** True if an emulator was already listening there (e.g. `npm run emulators`, or a previous dev-server reload). */
  reused: boolean;
  close(): Promise<void>;
}

/** Reuses a Google emulator already answering on the port, or starts one (for demo mode and dev reloads). */
export async function ensureGoogleEmulator(options: GoogleEmulatorOptions & { port: number }): Promise<EnsuredEmulator> {
  const url = `http://${options.host ?? "127.0.0.1"}:${options.port}`;
  if (await isEmulatorRunning(url, "google")) return { url, port: options.port, reused: true, close: async () => {} };
  const emu = await startGoogleEmulator(options);
  return { url: emu.url, port: emu.port, reused: false, close: emu.close };
}

/** Reuses a Microsoft emulator already answering on the port, or starts one. */
export async function ensureMicrosoftEmulator(options: MicrosoftEmulatorOptions & { port: number }): Promise<EnsuredEmulator> {
  const url = `https://${options.publicHost ?? "localhost"}:${options.port}`;
  if (await isEmulatorRunning(url, "microsoft")) return { url, port: options.port, reused: true, close: async () => {} };
  const emu = await startMicrosoftEmulator(options);
  return { url: emu.url, port: emu.port, reused: false, close: emu.close };
}
