// Google Contacts (People API v1): OAuth 2.0 with offline access; groups are contact groups
// (labels) and "My Contacts".
import { demoMode } from "@/lib/env";
import type { ProviderDefinition } from "../definition";
import { DEMO_CLIENT, redirectUriFor } from "../oauth-defaults";
import { providerAgent } from "../../outbound/policy";
import { createGoogleAdapter } from "./adapter";
import { googleEnv, googleKeys } from "./env";

const WRITE_SCOPE = "https://www.googleapis.com/auth/contacts";
const emulatorUrl = () => `http://127.0.0.1:${googleKeys().GOOGLE_EMULATOR_PORT}`;
const emulatorEndpoints = (root: string) => ({ authorizeUrl: `${root}/o/oauth2/v2/auth`, tokenUrl: `${root}/token` });

export const google = {
  id: "google",
  profile: {
    id: "google",
    label: "Google Contacts",
    shortName: "Google",
    appName: "Google",
    accounts: "Google (Gmail)",
    domains: ["gmail.com", "googlemail.com"],
  },
  groupHint: {
    en: "Google contact labels, or all of My Contacts.",
    sv: "Etiketter i Google Kontakter, eller alla i Mina kontakter.",
  },
  env: googleEnv,
  configured: () => Boolean(googleKeys().GOOGLE_CLIENT_ID),
  live: "checks",
  auth: {
    kind: "oauth",
    config() {
      const e = googleKeys();
      const demo = !e.GOOGLE_CLIENT_ID && demoMode();
      const base = emulatorUrl();
      const emulator = emulatorEndpoints(base);
      return {
        demo,
        clientId: e.GOOGLE_CLIENT_ID ?? DEMO_CLIENT.clientId,
        clientSecret: e.GOOGLE_CLIENT_SECRET ?? DEMO_CLIENT.clientSecret,
        authorizeUrl: e.GOOGLE_AUTHORIZE_URL ?? (demo ? emulator.authorizeUrl : "https://accounts.google.com/o/oauth2/v2/auth"),
        tokenUrl: e.GOOGLE_TOKEN_URL ?? (demo ? emulator.tokenUrl : "https://oauth2.googleapis.com/token"),
        apiBaseUrl: e.GOOGLE_PEOPLE_ROOT_URL ?? (demo ? `${base}/` : "https://people.googleapis.com/"),
        redirectUri: redirectUriFor("google"),
        // Local servers it may reach: the emulator in demo mode, endpoints the administrator set.
        agent: () => providerAgent({ origins: demo ? [base] : [e.GOOGLE_TOKEN_URL, e.GOOGLE_PEOPLE_ROOT_URL].filter((u) => u !== undefined) }),
      };
    },
    emulatorEndpoints,
    scopes: (direction) => ["openid", "email", direction === "two_way" ? WRITE_SCOPE : `${WRITE_SCOPE}.readonly`],
    authorizeParams: { access_type: "offline", prompt: "consent", include_granted_scopes: "true" },
    grantsWrite: (scope) => (scope ?? "").split(/\s+/).includes(WRITE_SCOPE),
  },
  available: (): boolean => google.configured() || google.auth.config().demo,
  demo: {
    active: (): boolean => google.auth.config().demo,
    emulatorUrl,
    start: async (): Promise<void> => (await import("./demo-server")).startGoogleDemo(googleKeys().GOOGLE_EMULATOR_PORT, google.auth.config()),
    exampleAccount: "alex.morgan.demo@gmail.com",
  },
  createAdapter: createGoogleAdapter,
} as const satisfies ProviderDefinition<"google">;
