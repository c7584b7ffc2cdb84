/**
 * Demo mode: the app starts the emulators of the providers it serves locally (no OAuth client
 * configured, and demo mode on), seeded with the demo address books, so a newcomer can connect
 * an "account" right after `npm start` with no internet and no credentials. Called from start-up
 * (instrumentation.ts) with its settings; the app's library never imports the emulators.
 * The emulators accept only the app's own client and callback URIs.
 */
import { seedDemoAddressBook, startDavServer } from "./carddav";
import { ensureGoogleEmulator, ensureMicrosoftEmulator, type EnsuredEmulator } from "./index";
import { loadTlsFiles } from "./shared/certs";

export type DemoEmulatorSettings = {
  provider: string;
  port: number;
  /** OAuth providers: the app's client, and its callback (the only redirect URI accepted). */
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  /** The demo account (password providers: with its password). */
  account: string;
  password?: string;
  /** Where the TLS certificate of an https emulator is kept (made there if missing). */
  tlsDir: string;
};

const STARTERS: Record<string, (s: DemoEmulatorSettings) => Promise<EnsuredEmulator>> = {
  carddav: startCardDavDemo,
  google: (s) => ensureGoogleEmulator({ port: s.port, seed: true, clientId: s.clientId, clientSecret: s.clientSecret, redirectUris: s.redirectUri ? [s.redirectUri] : [] }),
  microsoft: (s) =>
    ensureMicrosoftEmulator({
      port: s.port,
      seed: true,
      clientId: s.clientId,
      clientSecret: s.clientSecret,
      redirectUris: s.redirectUri ? [s.redirectUri] : [],
      tls: loadTlsFiles(s.tlsDir),
    }),
};

/** CardDAV has no emulator: the demo runs a real Radicale server (installed from Debian's
 * package), with a throwaway storage folder and the demo account's "Friends" address book. */
async function startCardDavDemo(s: DemoEmulatorSettings): Promise<EnsuredEmulator> {
  const url = `http://127.0.0.1:${s.port}`;
  const answering = await fetch(url, { method: "OPTIONS", signal: AbortSignal.timeout(1_000) }).then(
    () => true,
    () => false,
  );
  if (answering) return { url, port: s.port, reused: true, close: async () => {} };
  const server = await startDavServer({ kind: "radicale", port: s.port });
  await seedDemoAddressBook(server, s.account, s.password ?? "");
  return { url, port: s.port, reused: false, close: () => server.stop() };
}

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
