// The provider families Tandem syncs with: one line each. Everything provider-specific the rest
// of the app needs comes from these definitions (./definition.ts).
import type { ProviderId } from "@/db/vocabulary";
import type { OAuthAuth, PasswordAuth, ProviderDefinition } from "./definition";
import { carddav } from "./carddav/definition";
import { google } from "./google/definition";
import { microsoft } from "./microsoft/definition";

const DEFINITIONS = [google, microsoft, carddav] as const;

export const PROVIDER_IDS = DEFINITIONS.map((d) => d.id) as [ProviderId, ...ProviderId[]];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as string[]).includes(value);
}

export function providerDefinition(id: ProviderId): ProviderDefinition<ProviderId> {
  const definition = DEFINITIONS.find((d) => d.id === id);
  if (!definition) throw new Error(`Unknown provider ${id}`);
  return definition;
}

/** The providers a user may connect here: configured, or served by an emulator in demo mode. */
export function listProviders(): ProviderDefinition<ProviderId>[] {
  return DEFINITIONS.filter((d) => d.available());
}

/** The providers served by their local emulators (demo mode, no OAuth client configured). */
export function demoProviders(): ProviderDefinition<ProviderId>[] {
  return DEFINITIONS.filter((d) => d.demo.active());
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
