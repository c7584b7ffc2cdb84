/**
 * Official clients pointed at the emulators, for tests and benchmarks (the
 * app builds its own from configurable base URLs). Kept out of index.ts so
 * importing the emulators does not load the client libraries.
 */
import { Client } from "@microsoft/microsoft-graph-client";
import { auth, people, type people_v1 } from "@googleapis/people";

export interface GoogleCredentials {
  access_token?: string | null;
  refresh_token?: string | null;
  /** Omit to let google-auth-library refresh on a 401 instead of by expiry time. */
  expiry_date?: number | null;
}

/**
 * An OAuth2 client whose token endpoint is the emulator's `/token`.
 * forceRefreshOnFailure makes it refresh on a 401 even when it believes the
 * token is still fresh, which happens once tests move the emulator clock.
 */
export function googleOAuthClient(emulatorUrl: string, client: { clientId?: string; clientSecret?: string; redirectUri?: string } = {}): InstanceType<typeof auth.OAuth2> {
  return new auth.OAuth2({
    clientId: client.clientId ?? "emulator-test-client",
    clientSecret: client.clientSecret ?? "emulator-test-secret",
    redirectUri: client.redirectUri,
    forceRefreshOnFailure: true,
    endpoints: {
      oauth2AuthBaseUrl: `${emulatorUrl}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${emulatorUrl}/token`,
      oauth2RevokeUrl: `${emulatorUrl}/revoke`,
      tokenInfoUrl: `${emulatorUrl}/tokeninfo`,
      oauth2FederatedSignonPemCertsUrl: `${emulatorUrl}/oauth2/v1/certs`,
      oauth2FederatedSignonJwkCertsUrl: `${emulatorUrl}/oauth2/v3/certs`,
    },
  });
}

export function googlePeopleClient(emulatorUrl: string, credentials: GoogleCredentials, oauth = googleOAuthClient(emulatorUrl)): people_v1.People {
  oauth.setCredentials(credentials);
  return people({ version: "v1", auth: oauth, rootUrl: `${emulatorUrl}/` });
}

/**
 * A Graph client for the emulator. The emulator must be trusted through
 * NODE_EXTRA_CA_CERTS (set at process start), and its host must be in
 * customHosts or the client silently drops the Authorization header.
 */
export function graphClient(emulator: { graphBaseUrl: string; publicHost: string } | string, getToken: () => string | Promise<string>): Client {
  const baseUrl = typeof emulator === "string" ? `${emulator.replace(/\/$/, "")}/` : emulator.graphBaseUrl;
  const host = new URL(baseUrl).hostname;
  return Client.init({
    authProvider: (done) => {
      Promise.resolve(getToken()).then(
        (token) => done(null, token),
        (error: unknown) => done(error, null),
      );
    },
    baseUrl,
    defaultVersion: "v1.0",
    customHosts: new Set([host]),
  });
}
