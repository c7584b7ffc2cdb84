// A made-up provider, defined outside lib/sync/providers and registered by a test at run time
// (tests/kit/provider-kits.ts registerTestProvider): everything the app needs of a provider, in
// one folder — its profile, its group hint in each language, its environment variables, its
// sign-in, its demo server and its adapter. Users sign in with a password, as with CardDAV.
import { demoMode } from "@/lib/env";
import { providerAgent } from "@/lib/sync/outbound/policy";
import type { PasswordSignIn, ProviderDefinition } from "@/lib/sync/providers/definition";
import { accountRoot, createMadeUpAdapter } from "./adapter";
import { madeUpEnv, madeUpKeys } from "./env";
import { madeUpServerAt, startMadeUpDemo } from "./server";

const DEMO_ACCOUNT = "sam.demo@made-up.test";
const DEMO_PASSWORD = "made-up-demo-password";

async function verify(input: PasswordSignIn): Promise<{ apiBaseUrl: string; origins: string[] }> {
  const server = madeUpServerAt(input.serverUrl.trim().replace(/\/$/, ""));
  if (!server?.signIn(input.username, input.password)) throw new Error("The made-up server does not know that username and password");
  return { apiBaseUrl: accountRoot(server.url, input.username), origins: [server.url] };
}

export const madeUp = {
  id: "made-up",
  profile: {
    id: "made-up",
    label: "Made-up Contacts",
    shortName: "Made-up",
    appName: "Made-up",
    accounts: "Made-up (made-up.test)",
    domains: ["made-up.test"],
    services: [{ name: "Made-up", domains: ["made-up.test"], serverUrl: "made-up://demo", passwordHelp: "Any password the made-up server knows." }],
  },
  groupHint: {
    en: "The account's made-up address books.",
    sv: "Kontots påhittade adressböcker.",
  },
  env: madeUpEnv,
  // Nothing to configure: a user brings the server, as with CardDAV.
  configured: () => false,
  // Its requests never leave this process: the installation's agent, never used.
  live: "checks",
  auth: { kind: "password", verify, agent: () => providerAgent({ origins: [] }) },
  available: () => true,
  demo: {
    active: () => demoMode(),
    emulatorUrl: () => madeUpKeys().MADE_UP_DEMO_URL,
    start: async (): Promise<void> => startMadeUpDemo(madeUpKeys().MADE_UP_DEMO_URL, DEMO_ACCOUNT, DEMO_PASSWORD),
    exampleAccount: DEMO_ACCOUNT,
    examplePassword: DEMO_PASSWORD,
  },
  createAdapter: createMadeUpAdapter,
} as const satisfies ProviderDefinition<"made-up">;
