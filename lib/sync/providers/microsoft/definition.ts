// Microsoft Outlook, Live, MSN, Hotmail and Microsoft 365 contacts (Graph): OAuth 2.0 through
// the Microsoft identity platform; groups are contact folders.
import { demoMode, env } from "@/lib/env";
import { demoEmulatorCertificate } from "../demo-tls";
import type { ProviderDefinition } from "../definition";
import { DEMO_CLIENT, redirectUriFor } from "../oauth-defaults";
import { providerAgent } from "../../outbound/policy";
import { createMicrosoftAdapter } from "./adapter";
import { microsoftEnv, microsoftKeys } from "./env";

// The Graph client sends the token only over https: the emulator serves https.
const emulatorUrl = () => `https://localhost:${microsoftKeys().MICROSOFT_EMULATOR_PORT}`;

/** The sign-in endpoints of the identity platform (or its emulator) at `login`, for the tenant. */
function endpointsAt(login: string) {
  const tenant = microsoftKeys().MICROSOFT_TENANT;
  return { authorizeUrl: `${login}/${tenant}/oauth2/v2.0/authorize`, tokenUrl: `${login}/${tenant}/oauth2/v2.0/token` };
}

export const microsoft = {
  id: "microsoft",
  profile: {
    id: "microsoft",
    label: "Microsoft Outlook",
    shortName: "Microsoft",
    appName: "Outlook",
    accounts: "Microsoft (Outlook, Live, MSN, Hotmail, Microsoft 365)",
    domains: ["outlook.com", "live.com", "msn.com", "hotmail.*"],
  },
  groupHint: {
    en: "Outlook contact folders.",
    sv: "Kontaktmappar i Outlook.",
  },
  env: microsoftEnv,
  configured: () => Boolean(microsoftKeys().MICROSOFT_CLIENT_ID),
  live: "notifications",
  auth: {
    kind: "oauth",
    config() {
      const e = microsoftKeys();
      const demo = !e.MICROSOFT_CLIENT_ID && demoMode();
      const login = (e.MICROSOFT_LOGIN_URL ?? (demo ? emulatorUrl() : "https://login.microsoftonline.com")).replace(/\/$/, "");
      const endpoints = endpointsAt(login);
      return {
        demo,
        clientId: e.MICROSOFT_CLIENT_ID ?? DEMO_CLIENT.clientId,
        clientSecret: e.MICROSOFT_CLIENT_SECRET ?? DEMO_CLIENT.clientSecret,
        // In demo mode the browser reaches the emulator's sign-in page through the app (see
        // app/api/demo/[provider]): it could not trust the emulator's test certificate directly.
        authorizeUrl:
          demo && !e.MICROSOFT_LOGIN_URL
            ? new URL(`/api/demo/microsoft/${e.MICROSOFT_TENANT}/oauth2/v2.0/authorize`, env().APP_URL).toString()
            : endpoints.authorizeUrl,
        tokenUrl: endpoints.tokenUrl,
        apiBaseUrl: e.GRAPH_BASE_URL ?? (demo ? `${emulatorUrl()}/` : "https://graph.microsoft.com/"),
        redirectUri: redirectUriFor("microsoft"),
        // Local servers it may reach: the emulator in demo mode (trusting its test certificate),
        // endpoints the administrator set.
        agent:
          demo && !e.MICROSOFT_LOGIN_URL && !e.GRAPH_BASE_URL
            ? () => providerAgent({ origins: [emulatorUrl()], ca: demoEmulatorCertificate })
            : () => providerAgent({ origins: [e.MICROSOFT_LOGIN_URL, e.GRAPH_BASE_URL].filter((u) => u !== undefined) }),
      };
    },
    emulatorEndpoints: endpointsAt,
    scopes: (direction) => ["openid", "email", "offline_access", "User.Read", direction === "two_way" ? "Contacts.ReadWrite" : "Contacts.Read"],
    authorizeParams: { response_mode: "query", prompt: "select_account" },
    grantsWrite: (scope) => (scope ?? "").split(/\s+/).some((s) => /(^|\/)Contacts\.ReadWrite$/i.test(s)),
  },
  available: (): boolean => microsoft.configured() || microsoft.auth.config().demo,
  demo: {
    active: (): boolean => microsoft.auth.config().demo,
    emulatorUrl,
    start: async (): Promise<void> => (await import("./demo-server")).startMicrosoftDemo(microsoftKeys().MICROSOFT_EMULATOR_PORT, microsoft.auth.config()),
    exampleAccount: "jordan.lee.demo@outlook.com",
    relayedPages: /^[\w-]+\/oauth2\/v2\.0\/authorize$/,
  },
  createAdapter: createMicrosoftAdapter,
} as const satisfies ProviderDefinition<"microsoft">;
