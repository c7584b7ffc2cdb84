// Google Contacts (People API v1): OAuth 2.0 with offline access; groups are contact groups
// (labels) and "My Contacts".
import { demoMode, env } from "@/lib/env";
import type { ProviderDefinition } from "../definition";
import { DEMO_CLIENT, redirectUriFor } from "../oauth-defaults";
import { providerAgent } from "../../outbound/policy";
import { createGoogleAdapter } from "./adapter";

const WRITE_SCOPE = "https://www.googleapis.com/auth/contacts";
const emulatorUrl = () => `http://127.0.0.1:${env().GOOGLE_EMULATOR_PORT}`;

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
  groupHint: "contactSync.groupHint.google",
  auth: {
    kind: "oauth",
    configured: () => Boolean(env().GOOGLE_CLIENT_ID),
    config() {
      const e = env();
      const demo = !e.GOOGLE_CLIENT_ID && demoMode();
      const base = emulatorUrl();
      return {
        demo,
        clientId: e.GOOGLE_CLIENT_ID ?? DEMO_CLIENT.clientId,
        clientSecret: e.GOOGLE_CLIENT_SECRET ?? DEMO_CLIENT.clientSecret,
        authorizeUrl: e.GOOGLE_AUTHORIZE_URL ?? (demo ? `${base}/o/oauth2/v2/auth` : "https://accounts.google.com/o/oauth2/v2/auth"),
        tokenUrl: e.GOOGLE_TOKEN_URL ?? (demo ? `${base}/token` : "https://oauth2.googleapis.com/token"),
        apiBaseUrl: e.GOOGLE_PEOPLE_ROOT_URL ?? (demo ? `${base}/` : "https://people.googleapis.com/"),
        redirectUri: redirectUriFor("google"),
        // Local servers it may reach: the emulator in demo mode, endpoints the administrator set.
        agent: () => providerAgent({ origins: demo ? [base] : [e.GOOGLE_TOKEN_URL, e.GOOGLE_PEOPLE_ROOT_URL].filter((u) => u !== undefined) }),
      };
    },
    scopes: (direction) => ["openid", "email", direction === "two_way" ? WRITE_SCOPE : `${WRITE_SCOPE}.readonly`],
    authorizeParams: { access_type: "offline", prompt: "consent", include_granted_scopes: "true" },
    grantsWrite: (scope) => (scope ?? "").split(/\s+/).includes(WRITE_SCOPE),
  },
  available: (): boolean => google.auth.configured() || google.auth.config().demo,
  demo: {
    active: (): boolean => google.auth.config().demo,
    emulatorPort: () => env().GOOGLE_EMULATOR_PORT,
    emulatorUrl,
    exampleAccount: "alex.morgan.demo@gmail.com",
  },
  createAdapter: createGoogleAdapter,
} as const satisfies ProviderDefinition<"google">;
