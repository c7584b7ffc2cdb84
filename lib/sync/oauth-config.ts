// Where each provider's OAuth and API endpoints are, and with which client we talk to them.
// A provider with no client id configured is in demo mode: the app talks to its emulator
// (started by the app itself, see lib/sync/demo.ts) with a demo client.
import type { Provider } from "@/db/schema";
import { env } from "@/lib/env";

export type ProviderConfig = {
  provider: Provider;
  demo: boolean;
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** Google: People API root; Microsoft: Graph root. */
  apiBaseUrl: string;
  redirectUri: string;
};

export const DEMO_CLIENT_ID = "tandem-demo";
export const DEMO_CLIENT_SECRET = "tandem-demo-secret";

/** The narrowest scopes that do the job: read-only for one-way. */
export function scopesFor(provider: Provider, direction: "one_way" | "two_way"): string[] {
  if (provider === "google") {
    return [
      "openid",
      "email",
      direction === "two_way" ? "https://www.googleapis.com/auth/contacts" : "https://www.googleapis.com/auth/contacts.readonly",
    ];
  }
  return ["openid", "email", "offline_access", "User.Read", direction === "two_way" ? "Contacts.ReadWrite" : "Contacts.Read"];
}

export function emulatorUrls(): { google: string; microsoft: string } {
  return { google: `http://127.0.0.1:${env().GOOGLE_EMULATOR_PORT}`, microsoft: `https://localhost:${env().MICROSOFT_EMULATOR_PORT}` };
}

export function providerConfig(provider: Provider): ProviderConfig {
  const e = env();
  const redirectUri = new URL(`/api/oauth/${provider}/callback`, e.APP_URL).toString();
  if (provider === "google") {
    const demo = !e.GOOGLE_CLIENT_ID;
    const base = emulatorUrls().google;
    return {
      provider,
      demo,
      clientId: e.GOOGLE_CLIENT_ID ?? DEMO_CLIENT_ID,
      clientSecret: e.GOOGLE_CLIENT_SECRET ?? DEMO_CLIENT_SECRET,
      authorizeUrl: e.GOOGLE_AUTHORIZE_URL ?? (demo ? `${base}/o/oauth2/v2/auth` : "https://accounts.google.com/o/oauth2/v2/auth"),
      tokenUrl: e.GOOGLE_TOKEN_URL ?? (demo ? `${base}/token` : "https://oauth2.googleapis.com/token"),
      apiBaseUrl: e.GOOGLE_PEOPLE_ROOT_URL ?? (demo ? `${base}/` : "https://people.googleapis.com/"),
      redirectUri,
    };
  }
  const demo = !e.MICROSOFT_CLIENT_ID;
  const login = e.MICROSOFT_LOGIN_URL ?? (demo ? emulatorUrls().microsoft : "https://login.microsoftonline.com");
  return {
    provider,
    demo,
    clientId: e.MICROSOFT_CLIENT_ID ?? DEMO_CLIENT_ID,
    clientSecret: e.MICROSOFT_CLIENT_SECRET ?? DEMO_CLIENT_SECRET,
    // In demo mode the browser reaches the emulator's sign-in page through the app (see
    // app/api/demo/microsoft): it could not trust the emulator's test certificate directly.
    authorizeUrl: demo && !e.MICROSOFT_LOGIN_URL
      ? new URL(`/api/demo/microsoft/${e.MICROSOFT_TENANT}/oauth2/v2.0/authorize`, e.APP_URL).toString()
      : `${login.replace(/\/$/, "")}/${e.MICROSOFT_TENANT}/oauth2/v2.0/authorize`,
    tokenUrl: `${login.replace(/\/$/, "")}/${e.MICROSOFT_TENANT}/oauth2/v2.0/token`,
    apiBaseUrl: e.GRAPH_BASE_URL ?? (demo ? `${emulatorUrls().microsoft}/` : "https://graph.microsoft.com/"),
    redirectUri,
  };
}

export { providerForEmail } from "./provider-detect";
