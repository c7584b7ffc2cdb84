/**
 * The Microsoft identity platform's v2.0 endpoints under /{tenant}/:
 * authorize (the consent screen), token (authorization_code with PKCE,
 * refresh_token), the OpenID discovery document and signing keys.
 *
 * Like Entra/MSA: every refresh returns a new refresh token; by default the
 * old one keeps working (Microsoft doesn't revoke it, clients must still
 * store the new one) unless `refreshTokenReuse: "reject"`. Failures are
 * 400 invalid_grant with an AADSTS code in error_description and error_codes.
 */
import { AuthorizeFlow, type AuthorizeProvider } from "../shared/authorize-flow";
import type { ConsentScope } from "../shared/consent-page";
import { verifyPkce, type OAuthGrant } from "../shared/grants";
import { jsonReply, parseFormBody, redirectReply, type ApiRequest, type Reply } from "../shared/http";
import { clientCredentials, isClientAllowed, isSecretAccepted } from "../shared/oauth-clients";
import { Router } from "../shared/router";
import { aadError } from "./errors";
import { MSA_TENANT_ID, type MicrosoftState } from "./state";

const KNOWN_SCOPES = ["openid", "profile", "email", "offline_access", "User.Read", "User.ReadBasic.All", "Contacts.Read", "Contacts.ReadWrite", "Contacts.Read.Shared", "Contacts.ReadWrite.Shared"];
const CANONICAL = new Map(KNOWN_SCOPES.map((s) => [s.toLowerCase(), s]));
const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

const LABELS: Record<string, string> = {
  openid: "Sign you in",
  profile: "View your basic profile",
  email: "View your email address",
  offline_access: "Maintain access to data you have given it access to",
  "User.Read": "Sign you in and read your profile",
  "Contacts.Read": "Read your contacts",
  "Contacts.ReadWrite": "Have full access to your contacts",
  "Contacts.Read.Shared": "Read your contacts and the contacts shared with you",
  "Contacts.ReadWrite.Shared": "Read and write your contacts and the contacts shared with you",
};

/** Scopes arrive as "https://graph.microsoft.com/Contacts.ReadWrite" or "contacts.readwrite"; they are case-insensitive. */
export function normalizeMicrosoftScopes(raw: string): string[] {
  const out: string[] = [];
  for (const s of raw.split(/\s+/)) {
    if (s === "") continue;
    const bare = s.replace(/^https:\/\/graph\.microsoft\.com\//i, "");
    const scope = CANONICAL.get(bare.toLowerCase()) ?? bare;
    if (!out.includes(scope)) out.push(scope);
  }
  return out;
}

/** Microsoft's consent is all-or-nothing: the user cannot untick individual permissions. */
function describeScope(scope: string): ConsentScope {
  return { value: scope, label: LABELS[scope] ?? scope, required: true };
}

export interface MicrosoftOAuth {
  router: Router<(req: ApiRequest, tenant: string) => Reply>;
  flow: AuthorizeFlow;
  mint(email: string, scopes: string[], clientId: string): { accessToken: string; refreshToken: string; expiresIn: number; scope: string };
}

function responseScope(scopes: readonly string[]): string {
  return scopes.filter((s) => s !== "offline_access").join(" ");
}

export function createMicrosoftOAuth(state: MicrosoftState): MicrosoftOAuth {
  const provider: AuthorizeProvider = {
    brand: "microsoft",
    actionPath: (req) => req.path,
    normalizeScopes: normalizeMicrosoftScopes,
    describeScope,
    isOffline: (_q, scopes) => scopes.includes("offline_access"),
    listAccounts: () => state.mailboxList().map((m) => ({ email: m.email, name: m.name })),
    ensureAccount: (email, name) => state.ensureMailbox(email, name).mailbox,
    successParams: () => ({}),
    errorParams: (error, description) => {
      const codes: Record<string, number> = { access_denied: 65004, interaction_required: 50058, invalid_request: 900144, unsupported_response_type: 700054, invalid_scope: 70011 };
      const message = error === "access_denied" ? "User declined to consent to access the app." : description;
      return { error, error_description: `AADSTS${codes[error] ?? 90000}: ${message}` };
    },
    issuesRefreshToken: (req) => req.offline,
  };
  const flow = new AuthorizeFlow(provider, state.grants, state.clock, () => state.clients);
  const lifetimeMs = (): number => state.config.accessTokenLifetimeSec * 1000;

  function idToken(grant: OAuthGrant, nonce: string | null): string | undefined {
    if (!grant.scopes.includes("openid")) return undefined;
    const mailbox = state.mailbox(grant.email);
    if (!mailbox) return undefined;
    const now = Math.floor(state.clock.now() / 1000);
    return state.signer.sign({
      ver: "2.0",
      iss: `${state.baseUrl}/${MSA_TENANT_ID}/v2.0`,
      sub: mailbox.userId,
      aud: grant.clientId,
      exp: now + state.config.accessTokenLifetimeSec,
      iat: now,
      nbf: now,
      ...(grant.scopes.includes("profile") ? { name: mailbox.name } : {}),
      preferred_username: mailbox.email,
      ...(grant.scopes.includes("email") ? { email: mailbox.email } : {}),
      oid: `00000000-0000-0000-${mailbox.userId.slice(0, 4)}-${mailbox.userId.slice(4)}`,
      tid: MSA_TENANT_ID,
      ...(nonce ? { nonce } : {}),
    });
  }

  function tokenResponse(grant: OAuthGrant, scopes: readonly string[], withRefresh: boolean, nonce: string | null): Reply {
    const now = state.clock.now();
    // The access token carries the grant's scopes; `scope` in the body echoes what this request asked for.
    const access = state.grants.issueAccessToken(grant, lifetimeMs(), now);
    const body: Record<string, unknown> = {
      token_type: "Bearer",
      scope: responseScope(scopes),
      expires_in: state.config.accessTokenLifetimeSec,
      ext_expires_in: state.config.accessTokenLifetimeSec,
      access_token: access.token,
    };
    if (withRefresh) body["refresh_token"] = state.grants.issueRefreshToken(grant, now).token;
    const id = idToken(grant, nonce);
    if (id) body["id_token"] = id;
    state.stats.record(grant.email, "oauth.token", 200);
    return jsonReply(200, body, { "cache-control": "no-store, no-cache", pragma: "no-cache" });
  }

  function token(req: ApiRequest): Reply {
    const form = parseFormBody(req.body);
    const { clientId, clientSecret } = clientCredentials(req.headers, form);
    const grantType = form.get("grant_type");
    if (!grantType) throw aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (!clientId) throw aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.");
    if (!isClientAllowed(state.clients, clientId)) throw aadError(400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory.`);
    if (!isSecretAccepted(state.clients, clientSecret)) throw aadError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.");
    state.grants.clientsSeen.add(clientId);
    const now = state.clock.now();

    if (grantType === "authorization_code") {
      const code = form.get("code");
      if (!code) throw aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'code'.");
      const lookup = state.grants.redeemCode(code, now);
      if (lookup.kind === "unknown") throw aadError(400, "invalid_grant", 70000, "The provided value for the 'code' parameter is not valid.");
      if (lookup.kind === "replayed") throw aadError(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.");
      if (lookup.kind === "expired") throw aadError(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.");
      const { code: record, grant } = lookup;
      if (grant.clientId !== clientId) throw aadError(400, "invalid_grant", 70000, "The provided value for the 'code' parameter is not valid. The code was issued to a different client.");
      const redirectUri = form.get("redirect_uri");
      if (redirectUri !== record.redirectUri) {
        throw aadError(400, "invalid_grant", 500112, `The reply address '${redirectUri ?? ""}' does not match the reply address '${record.redirectUri}' provided when requesting Authorization code.`);
      }
      if (record.codeChallenge !== null && record.codeChallengeMethod !== null) {
        const verifier = form.get("code_verifier");
        if (!verifier || !verifyPkce(verifier, record.codeChallenge, record.codeChallengeMethod)) {
          throw aadError(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
        }
      }
      return tokenResponse(grant, grant.scopes, record.issueRefreshToken, record.nonce);
    }

    if (grantType === "refresh_token") {
      const refreshToken = form.get("refresh_token");
      if (!refreshToken) throw aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'refresh_token'.");
      const lookup = state.grants.resolveRefresh(refreshToken);
      if (lookup.kind === "unknown") throw aadError(400, "invalid_grant", 70000, "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.");
      if (lookup.kind === "revoked") {
        state.stats.record(lookup.grant.email, "oauth.token", 400);
        const issued = new Date(lookup.record.issuedAt).toISOString();
        const validFrom = new Date(lookup.record.revokedAt ?? now).toISOString();
        throw aadError(400, "invalid_grant", 50173, `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${issued}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${validFrom}'.`);
      }
      const { grant, record } = lookup;
      if (grant.clientId !== clientId) throw aadError(400, "invalid_grant", 70000, "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid. The token was issued to a different client.");
      if (now - record.lastUsedAt > state.config.refreshTokenMaxIdleMs) {
        state.stats.record(grant.email, "oauth.token", 400);
        const idleDays = ((now - record.lastUsedAt) / 86_400_000).toFixed(2);
        throw aadError(400, "invalid_grant", 700082, `The refresh token has expired due to inactivity. The token was issued on ${new Date(record.issuedAt).toISOString()} and was inactive for ${idleDays} days.`);
      }
      if (record.replacedAt !== null && state.config.refreshTokenReuse === "reject") {
        throw aadError(400, "invalid_grant", 70000, "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid. The refresh token has already been used.");
      }
      const requested = normalizeMicrosoftScopes(form.get("scope") ?? "");
      const missing = requested.filter((s) => !OIDC_SCOPES.has(s) && !grant.scopes.includes(s));
      if (missing.length > 0) {
        throw aadError(400, "invalid_grant", 65001, `The user or administrator has not consented to use the application with ID '${clientId}'. Send an interactive authorization request for this user and resource.`);
      }
      record.lastUsedAt = now;
      record.replacedAt = now;
      const scopes = requested.length > 0 ? grant.scopes.filter((s) => requested.includes(s) || OIDC_SCOPES.has(s)) : grant.scopes;
      return tokenResponse(grant, scopes, true, null);
    }

    throw aadError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType}'.`);
  }

  const discovery = (_req: ApiRequest, tenant: string): Reply =>
    jsonReply(200, {
      issuer: `${state.baseUrl}/${MSA_TENANT_ID}/v2.0`,
      authorization_endpoint: `${state.baseUrl}/${tenant}/oauth2/v2.0/authorize`,
      token_endpoint: `${state.baseUrl}/${tenant}/oauth2/v2.0/token`,
      jwks_uri: `${state.baseUrl}/${tenant}/discovery/v2.0/keys`,
      userinfo_endpoint: `${state.baseUrl}/v1.0/me`,
      end_session_endpoint: `${state.baseUrl}/${tenant}/oauth2/v2.0/logout`,
      response_types_supported: ["code"],
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      code_challenge_methods_supported: ["plain", "S256"],
      tenant_region_scope: null,
    });

  const logout = (req: ApiRequest): Reply => {
    const target = req.query.get("post_logout_redirect_uri");
    return target ? redirectReply(target) : jsonReply(200, {});
  };

  const router = new Router<(req: ApiRequest, tenant: string) => Reply>()
    .add("GET", /^\/([^/]+)\/oauth2\/v2\.0\/authorize$/, "oauth.authorize", (req) => flow.start(req))
    .add("POST", /^\/([^/]+)\/oauth2\/v2\.0\/authorize$/, "oauth.consent", (req) => flow.submit(req))
    .add("POST", /^\/([^/]+)\/oauth2\/v2\.0\/token$/, "oauth.token", token)
    .add("GET", /^\/([^/]+)\/oauth2\/v2\.0\/logout$/, "oauth.logout", logout)
    .add("GET", /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/, "oauth.discovery", discovery)
    .add("GET", /^\/([^/]+)\/discovery\/v2\.0\/keys$/, "oauth.keys", () => jsonReply(200, state.signer.jwks()));

  function mint(email: string, scopes: string[], clientId: string): { accessToken: string; refreshToken: string; expiresIn: number; scope: string } {
    const grant = state.grants.createGrant(email, clientId, normalizeMicrosoftScopes(scopes.join(" ")), state.clock.now());
    const access = state.grants.issueAccessToken(grant, lifetimeMs(), state.clock.now());
    const refresh = state.grants.issueRefreshToken(grant, state.clock.now());
    return { accessToken: access.token, refreshToken: refresh.token, expiresIn: state.config.accessTokenLifetimeSec, scope: responseScope(grant.scopes) };
  }

  return { router, flow, mint };
}

