// The provider families Tandem syncs with: one line each. Everything provider-specific the rest
// of the app needs comes from these definitions (./definition.ts); a test may add one at run
// time (registerProvider). Nothing here is read while modules load: lib/env.ts asks the
// definitions for their keys, and they ask lib/env.ts in turn.
import type { ProviderId } from "@/db/vocabulary";
import type { OAuthAuth, PasswordAuth, ProviderDefinition } from "./definition";
import { carddav } from "./carddav/definition";
import { google } from "./google/definition";
import { microsoft } from "./microsoft/definition";

const builtIn = (): ProviderDefinition[] => [google, microsoft, carddav];

const registered: ProviderDefinition[] = [];

/** Every provider family: the built-in ones, then those registered at run time. */
export function providerDefinitions(): ProviderDefinition[] {
  return [...builtIn(), ...registered];
}

/** Adds a provider family at run time: a test's made-up provider, from a folder of its own. */
export function registerProvider(definition: ProviderDefinition): void {
  if (isProviderId(definition.id)) throw new Error(`A provider ${definition.id} is registered already`);
  registered.push(definition);
}

export function isProviderId(value: string): value is ProviderId {
  return providerDefinitions().some((d) => d.id === value);
}

export function providerDefinition(id: ProviderId): ProviderDefinition {
  const definition = providerDefinitions().find((d) => d.id === id);
  if (!definition) throw new Error(`Unknown provider ${id}`);
  return definition;
}

/** The providers a user may connect here: configured, or served by an emulator in demo mode. */
export function listProviders(): ProviderDefinition[] {
  return providerDefinitions().filter((d) => d.available());
}

/** The providers served by their local emulators (demo mode, no OAuth client configured). */
export function demoProviders(): ProviderDefinition[] {
  return providerDefinitions().filter((d) => d.demo.active());
}

/** The OAuth side of a provider signed in to with OAuth; throws for the others. */
export function oauthOf(id: ProviderId): OAuthAuth {
  const { auth } = providerDefinition(id);
  if (auth.kind !== "oauth") throw new Error(`${id} does not sign in with OAuth`);
  return auth;
}

/** The password side of a provider signed in to with a password; null for the others. */
export function passwordAuthOf(id: ProviderId): PasswordAuth | null {
  const { auth } = providerDefinition(id);
  return auth.kind === "password" ? auth : null;
}
