/**
 * Demo mode: the app starts the local servers of the providers it serves locally (no OAuth client
 * configured, and demo mode on), seeded with the demo address books, so a newcomer can connect
 * an "account" right after `npm start` with no internet and no credentials. Called from start-up
 * (instrumentation.ts). Each provider starts its own (its definition's demo.start, in its folder);
 * here they are started once per process. The emulators accept only the app's own client and
 * callback URIs.
 */
import type { ProviderDefinition } from "@/lib/sync/providers/definition";
import { demoProviders } from "@/lib/sync/providers/registry";

const state = globalThis as unknown as { __tandemDemo?: Promise<void> };

/** Starts (or reuses, across dev reloads) one local server per provider in demo mode. */
export function startDemoEmulators(providers: readonly ProviderDefinition[] = demoProviders()): Promise<void> {
  state.__tandemDemo ??= (async () => {
    for (const provider of providers) await provider.demo.start();
  })().catch((error: unknown) => {
    state.__tandemDemo = undefined;
    throw error;
  });
  return state.__tandemDemo;
}
