/**
 * Which OAuth clients an emulator accepts. By default any client id/secret
 * and any redirect URI are accepted (and recorded); pinning them makes the
 * emulator reject a misconfigured app the way the real consoles would.
 */
export interface OAuthClientPolicy {
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
}

export function isClientAllowed(policy: OAuthClientPolicy, clientId: string): boolean {
  return policy.clientId === undefined || policy.clientId === clientId;
}

export function isSecretAccepted(policy: OAuthClientPolicy, secret: string | null): boolean {
  return policy.clientSecret === undefined || policy.clientSecret === secret;
}

export function isRedirectAllowed(policy: OAuthClientPolicy, redirectUri: string): boolean {
  return policy.redirectUris === undefined || policy.redirectUris.includes(redirectUri);
}

/** Client credentials from a token request: HTTP Basic or form fields (both providers accept either). */
export function clientCredentials(headers: Record<string, string>, form: URLSearchParams): { clientId: string | null; clientSecret: string | null } {
  const auth = headers["authorization"];
  if (auth?.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(auth.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
    }
  }
  return { clientId: form.get("client_id"), clientSecret: form.get("client_secret") };
}
