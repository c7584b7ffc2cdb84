/**
 * Google's OAuth 2.0 endpoints: the consent screen at /o/oauth2/v2/auth,
 * the token endpoint at /token (authorization_code with PKCE, refresh_token),
 * /revoke, /tokeninfo, userinfo, and the signing keys for id_tokens.
 *
 * Like Google: refresh tokens are not rotated; a refresh token is returned
 * only with access_type=offline and either prompt=consent or a first consent
 * for this client; a revoked one fails with 400 invalid_grant "Token has been
 * expired or revoked." Error bodies are the flat {error, error_description}.
 */
import { AuthorizeFlow, type AuthorizeProvider } from "../shared/authorize-flow";
import type { ConsentScope } from "../shared/consent-page";
import { verifyPkce, type OAuthGrant } from "../shared/grants";
import { jsonReply, parseFormBody, ReplyError, type ApiRequest, type Reply } from "../shared/http";
import { clientCredentials, isClientAllowed, isSecretAccepted } from "../shared/oauth-clients";
import { Router } from "../shared/router";
import { oauthError } from "./errors";
import { GOOGLE_SCOPES, type GoogleState } from "./state";

const SCOPE_ALIASES: Record<string, string> = { email: GOOGLE_SCOPES.email, profile: GOOGLE_SCOPES.profile };

const SCOPE_LABELS: Record<string, ConsentScope> = {
  [GOOGLE_SCOPES.contacts]: { value: GOOGLE_SCOPES.contacts, label: "See, edit, download, and permanently delete your contacts", required: false },
  [GOOGLE_SCOPES.contactsReadonly]: { value: GOOGLE_SCOPES.contactsReadonly, label: "See and download your contacts", required: false },
  "https://www.googleapis.com/auth/contacts.other.readonly": {
    value: "https://www.googleapis.com/auth/contacts.other.readonly",
    label: 'See and download contact info automatically saved in your "Other contacts"',
    required: false,
  },
  [GOOGLE_SCOPES.email]: { value: GOOGLE_SCOPES.email, label: "See your primary Google Account email address", required: true },
  [GOOGLE_SCOPES.profile]: { value: GOOGLE_SCOPES.profile, label: "See your personal info, including any personal info you've made publicly available", required: true },
  openid: { value: "openid", label: "Associate you with your personal info on Google", required: true },
};

export function normalizeGoogleScopes(raw: string): string[] {
  const out: string[] = [];
  for (const s of raw.split(/\s+/)) {
    if (s === "") continue;
    const scope = SCOPE_ALIASES[s] ?? s;
    if (!out.includes(scope)) out.push(scope);
  }
  return out;
}

function describeScope(scope: string): ConsentScope {
  return SCOPE_LABELS[scope] ?? { value: scope, label: scope, required: false };
}

export interface GoogleOAuth {
  router: Router<(req: ApiRequest) => Reply>;
  flow: AuthorizeFlow;
  /** Tokens for tests, skipping the consent screen. */
  mint(email: string, scopes: string[], clientId: string): { accessToken: string; refreshToken: string; expiresIn: number; scope: string };
}

export function createGoogleOAuth(state: GoogleState): GoogleOAuth {
  const provider: AuthorizeProvider = {
    brand: "google",
    actionPath: (req) => req.path,
    normalizeScopes: normalizeGoogleScopes,
    describeScope,
    isOffline: (q) => q.get("access_type") === "offline",
    listAccounts: () => state.accountList().map((a) => ({ email: a.email, name: a.name })),
    ensureAccount: (email, name) => state.ensureAccount(email, name).account,
    successParams: (_req, scopes) => ({ scope: scopes.join(" "), authuser: "0", prompt: "consent" }),
    errorParams: (error) => ({ error }),
    issuesRefreshToken: (req, email) => req.offline && ((req.prompt ?? "").split(" ").includes("consent") || !state.grants.hasLiveGrant(email, req.clientId)),
  };
  const flow = new AuthorizeFlow(provider, state.grants, state.clock, () => state.clients);

  const lifetimeMs = (): number => state.config.accessTokenLifetimeSec * 1000;

  function idToken(grant: OAuthGrant, clientId: string, nonce: string | null): string | undefined {
    if (!grant.scopes.includes("openid")) return undefined;
    const account = state.account(grant.email);
    if (!account) return undefined;
    const now = Math.floor(state.clock.now() / 1000);
    const [given, ...rest] = account.name.split(" ");
    return state.signer.sign({
      iss: "https://accounts.google.com",
      azp: clientId,
      aud: clientId,
      sub: account.sub,
      ...(grant.scopes.includes(GOOGLE_SCOPES.email) ? { email: account.email, email_verified: true } : {}),
      ...(grant.scopes.includes(GOOGLE_SCOPES.profile) ? { name: account.name, given_name: given ?? "", family_name: rest.join(" ") } : {}),
      ...(nonce ? { nonce } : {}),
      iat: now,
      exp: now + state.config.accessTokenLifetimeSec,
    });
  }

  function tokenResponse(grant: OAuthGrant, withRefresh: boolean, nonce: string | null): Reply {
    const now = state.clock.now();
    const access = state.grants.issueAccessToken(grant, lifetimeMs(), now);
    const body: Record<string, unknown> = { access_token: access.token, expires_in: state.config.accessTokenLifetimeSec };
    if (withRefresh) {
      body["refresh_token"] = state.grants.issueRefreshToken(grant, now).token;
      if (state.config.refreshTokenMaxAgeMs !== null) body["refresh_token_expires_in"] = Math.floor(state.config.refreshTokenMaxAgeMs / 1000);
    }
    body["scope"] = grant.scopes.join(" ");
    body["token_type"] = "Bearer";
    const id = idToken(grant, grant.clientId, nonce);
    if (id) body["id_token"] = id;
    state.stats.record(grant.email, "oauth.token", 200);
    return jsonReply(200, body, { "cache-control": "no-cache, no-store, max-age=0, must-revalidate", pragma: "no-cache" });
  }

  function token(req: ApiRequest): Reply {
    const form = parseFormBody(req.body);
    const { clientId, clientSecret } = clientCredentials(req.headers, form);
    const grantType = form.get("grant_type");
    if (!clientId) throw oauthError(400, "invalid_request", "Could not determine client ID from request.");
    if (!isClientAllowed(state.clients, clientId) || !isSecretAccepted(state.clients, clientSecret)) throw oauthError(401, "invalid_client", "Unauthorized");
    state.grants.clientsSeen.add(clientId);
    const now = state.clock.now();

    if (grantType === "authorization_code") {
      const code = form.get("code");
      if (!code) throw oauthError(400, "invalid_request", "Missing required parameter: code");
      const lookup = state.grants.redeemCode(code, now);
      if (lookup.kind === "unknown") throw oauthError(400, "invalid_grant", "Malformed auth code.");
      if (lookup.kind !== "ok") throw oauthError(400, "invalid_grant", "Bad Request");
      const { code: record, grant } = lookup;
      if (grant.clientId !== clientId) throw oauthError(401, "unauthorized_client", "Unauthorized");
      if (form.get("redirect_uri") !== record.redirectUri) throw oauthError(400, "redirect_uri_mismatch", "Bad Request");
      const verifier = form.get("code_verifier");
      if (record.codeChallenge !== null && record.codeChallengeMethod !== null) {
        if (!verifier) throw oauthError(400, "invalid_grant", "Missing code verifier.");
        if (!verifyPkce(verifier, record.codeChallenge, record.codeChallengeMethod)) throw oauthError(400, "invalid_grant", "Invalid code verifier.");
      } else if (verifier) {
        throw oauthError(400, "invalid_request", "code_verifier or verifier is not needed.");
      }
      return tokenResponse(grant, record.issueRefreshToken, record.nonce);
    }

    if (grantType === "refresh_token") {
      const refreshToken = form.get("refresh_token");
      if (!refreshToken) throw oauthError(400, "invalid_request", "Missing required parameter: refresh_token");
      const lookup = state.grants.resolveRefresh(refreshToken);
      if (lookup.kind === "unknown") throw oauthError(400, "invalid_grant", "Bad Request");
      if (lookup.kind === "revoked") {
        state.stats.record(lookup.grant.email, "oauth.token", 400);
        throw oauthError(400, "invalid_grant", "Token has been expired or revoked.");
      }
      const { grant, record } = lookup;
      if (grant.clientId !== clientId) throw oauthError(401, "unauthorized_client", "Unauthorized");
      const maxAge = state.config.refreshTokenMaxAgeMs;
      if (maxAge !== null && now - record.issuedAt > maxAge) {
        state.stats.record(grant.email, "oauth.token", 400);
        throw oauthError(400, "invalid_grant", "Token has been expired or revoked.");
      }
      record.lastUsedAt = now;
      return tokenResponse(grant, false, null);
    }

    throw oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${grantType ?? ""}`);
  }

  function bearerOf(req: ApiRequest): string | null {
    const h = req.headers["authorization"];
    if (h?.toLowerCase().startsWith("bearer ")) return h.slice(7).trim();
    return req.query.get("access_token");
  }

  function revoke(req: ApiRequest): Reply {
    const tokenValue = req.query.get("token") ?? parseFormBody(req.body).get("token");
    if (!tokenValue || !state.grants.revokeByToken(tokenValue, state.clock.now())) throw oauthError(400, "invalid_token", "Token expired or revoked");
    return jsonReply(200, {});
  }

  function tokenInfo(req: ApiRequest): Reply {
    const value = req.query.get("access_token") ?? parseFormBody(req.body).get("access_token") ?? bearerOf(req);
    const lookup = value ? state.grants.resolveAccess(value, state.clock.now()) : { kind: "unknown" as const };
    if (lookup.kind !== "ok") throw oauthError(400, "invalid_token", "Invalid Value");
    const account = state.account(lookup.grant.email);
    const expiresIn = Math.max(0, Math.floor((lookup.record.expiresAt - state.clock.now()) / 1000));
    return jsonReply(200, {
      azp: lookup.grant.clientId,
      aud: lookup.grant.clientId,
      sub: account?.sub ?? "",
      scope: lookup.grant.scopes.join(" "),
      exp: String(Math.floor(lookup.record.expiresAt / 1000)),
      expires_in: String(expiresIn),
      email: lookup.grant.email,
      email_verified: "true",
      access_type: "offline",
    });
  }

  function userInfo(version: "v2" | "v3") {
    return (req: ApiRequest): Reply => {
      const value = bearerOf(req);
      const lookup = value ? state.grants.resolveAccess(value, state.clock.now()) : { kind: "unknown" as const };
      const account = lookup.kind === "ok" ? state.account(lookup.grant.email) : undefined;
      if (lookup.kind !== "ok" || !account) {
        throw new ReplyError(jsonReply(401, { error: "invalid_request", error_description: "Invalid Credentials" }, { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' }));
      }
      const [given, ...rest] = account.name.split(" ");
      const picture = state.photos.defaultUrl(state.photos.defaultKey(Number(account.sub.slice(-6))));
      const profile = lookup.grant.scopes.includes(GOOGLE_SCOPES.profile) ? { name: account.name, given_name: given ?? "", family_name: rest.join(" "), picture } : {};
      const email = lookup.grant.scopes.includes(GOOGLE_SCOPES.email);
      if (version === "v3") return jsonReply(200, { sub: account.sub, ...profile, ...(email ? { email: account.email, email_verified: true } : {}) });
      return jsonReply(200, { id: account.sub, ...(email ? { email: account.email, verified_email: true } : {}), ...profile });
    };
  }

  const discovery = (): Reply =>
    jsonReply(200, {
      issuer: "https://accounts.google.com",
      authorization_endpoint: `${state.baseUrl}/o/oauth2/v2/auth`,
      token_endpoint: `${state.baseUrl}/token`,
      userinfo_endpoint: `${state.baseUrl}/v1/userinfo`,
      revocation_endpoint: `${state.baseUrl}/revoke`,
      jwks_uri: `${state.baseUrl}/oauth2/v3/certs`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid", "email", "profile"],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      code_challenge_methods_supported: ["plain", "S256"],
      grant_types_supported: ["authorization_code", "refresh_token"],
    });

  const router = new Router<(req: ApiRequest) => Reply>()
    .add("GET", /^\/o\/oauth2(?:\/v2)?\/auth$/, "oauth.authorize", (req) => flow.start(req))
    .add("POST", /^\/o\/oauth2(?:\/v2)?\/auth$/, "oauth.consent", (req) => flow.submit(req))
    .add("POST", /^\/(?:token|oauth2\/v4\/token)$/, "oauth.token", token)
    .add("POST", /^\/(?:revoke|o\/oauth2\/revoke)$/, "oauth.revoke", revoke)
    .add("GET", /^\/(?:revoke|o\/oauth2\/revoke)$/, "oauth.revoke", revoke)
    .add("GET", /^\/(?:tokeninfo|oauth2\/v3\/tokeninfo)$/, "oauth.tokeninfo", tokenInfo)
    .add("POST", /^\/(?:tokeninfo|oauth2\/v3\/tokeninfo)$/, "oauth.tokeninfo", tokenInfo)
    .add("GET", /^\/(?:oauth2\/v3\/userinfo|v1\/userinfo|oauth2\/v1\/userinfo)$/, "oauth.userinfo", userInfo("v3"))
    .add("GET", /^\/oauth2\/v2\/userinfo$/, "oauth.userinfo", userInfo("v2"))
    .add("GET", /^\/oauth2\/v3\/certs$/, "oauth.certs", () => jsonReply(200, state.signer.jwks()))
    .add("GET", /^\/oauth2\/v1\/certs$/, "oauth.certs", () => jsonReply(200, state.signer.pemCerts()))
    .add("GET", /^\/\.well-known\/openid-configuration$/, "oauth.discovery", discovery);

  function mint(email: string, scopes: string[], clientId: string): { accessToken: string; refreshToken: string; expiresIn: number; scope: string } {
    const grant = state.grants.createGrant(email, clientId, normalizeGoogleScopes(scopes.join(" ")), state.clock.now());
    const access = state.grants.issueAccessToken(grant, lifetimeMs(), state.clock.now());
    const refresh = state.grants.issueRefreshToken(grant, state.clock.now());
    return { accessToken: access.token, refreshToken: refresh.token, expiresIn: state.config.accessTokenLifetimeSec, scope: grant.scopes.join(" ") };
  }

  return { router, flow, mint };
}
