/**
 * Demo mode: the app starts the emulators of the providers that have no OAuth client configured,
 * seeded with the demo address books, so a newcomer can connect an "account" right after
 * `npm start` with no internet and no credentials. Called from start-up (instrumentation.ts)
 * with its settings; the app's library never imports the emulators.
 */
import { ensureGoogleEmulator, ensureMicrosoftEmulator, type EnsuredEmulator } from "./index";

export type DemoEmulatorSettings = { provider: string; port: number; clientId: string; clientSecret: string };

const STARTERS: Record<string, (s: DemoEmulatorSettings) => Promise<EnsuredEmulator>> = {
  google: ({ port, clientId, clientSecret }) => ensureGoogleEmulator({ port, seed: true, clientId, clientSecret }),
  microsoft: ({ port, clientId, clientSecret }) => ensureMicrosoftEmulator({ port, seed: true, clientId, clientSecret }),
};

const state = globalThis as unknown as { __tandemDemo?: Promise<void> };

/** Starts (or reuses, across dev reloads) one emulator per provider in demo mode. */
export function startDemoEmulators(settings: DemoEmulatorSettings[]): Promise<void> {
  state.__tandemDemo ??= (async () => {
    for (const s of settings) {
      const start = STARTERS[s.provider];
      if (!start) throw new Error(`No emulator for provider ${s.provider}`);
      await start(s);
    }
  })().catch((error: unknown) => {
    state.__tandemDemo = undefined;
    throw error;
  });
  return state.__tandemDemo;
}
