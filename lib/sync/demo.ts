// Demo mode: a provider with no OAuth client configured is served by its local emulator, which
// the app starts itself (seeded with demo address books) — so a newcomer can connect an
// "account" right after `npm start`, with no internet and no credentials.
import { providerConfig } from "./oauth-config";
import { env } from "@/lib/env";

export type DemoStatus = { google: boolean; microsoft: boolean };

export function demoStatus(): DemoStatus {
  return { google: providerConfig("google").demo, microsoft: providerConfig("microsoft").demo };
}

const state = globalThis as unknown as { __tandemDemo?: Promise<void> };

/** Starts (or reuses, across dev reloads) the emulators of the providers in demo mode. */
export function ensureDemoEmulators(): Promise<void> {
  state.__tandemDemo ??= (async () => {
    const demo = demoStatus();
    if (!demo.google && !demo.microsoft) return;
    const { ensureGoogleEmulator, ensureMicrosoftEmulator } = await import("@/emulators");
    const { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } = await import("./oauth-config");
    const client = { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET };
    if (demo.google) await ensureGoogleEmulator({ port: env().GOOGLE_EMULATOR_PORT, seed: true, ...client });
    if (demo.microsoft) await ensureMicrosoftEmulator({ port: env().MICROSOFT_EMULATOR_PORT, seed: true, ...client });
    console.log(
      `[tandem] demo mode: ${[demo.google && "Google", demo.microsoft && "Microsoft"].filter(Boolean).join(" and ")} served by local emulators`,
    );
  })().catch((error: unknown) => {
    state.__tandemDemo = undefined;
    throw error;
  });
  return state.__tandemDemo;
}
