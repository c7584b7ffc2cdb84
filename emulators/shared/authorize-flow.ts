/**
 * The browser half of the OAuth 2.0 authorization-code flow, shared by both
 * emulators: validate the authorize request, show the consent page, and on
 * submit create the grant and code and redirect back with `code` + `state`
 * (or `error=access_denied`). Providers plug in scope descriptions, account
 * creation and the exact redirect parameters they add.
 */
import { renderConsentPage, renderErrorPage, parseConsentSubmission, EMAIL_PATTERN, type ConsentScope } from "./consent-page";
import type { GrantStore } from "./grants";
import { htmlReply, parseFormBody, redirectReply, type ApiRequest, type Reply } from "./http";
import { randomToken } from "./ids";
import { isClientAllowed, isRedirectAllowed, type OAuthClientPolicy } from "./oauth-clients";
import type { Clock } from "./clock";

export interface AuthorizationRequest {
  id: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: "S256" | "plain" | null;
  nonce: string | null;
  loginHint: string | null;
  prompt: string | null;
  responseMode: "query" | "fragment" | "form_post";
  /** Google: access_type=offline; Microsoft: the offline_access scope. */
  offline: boolean;
  createdAt: number;
}

export interface AuthorizeProvider {
  brand: "google" | "microsoft";
  actionPath(req: ApiRequest): string;
  normalizeScopes(raw: string): string[];
  describeScope(scope: string): ConsentScope;
  isOffline(query: URLSearchParams, scopes: string[]): boolean;
  listAccounts(): { email: string; name: string }[];
  /** Signs in as (creating if needed) the account; null if the e-mail cannot be used. */
  ensureAccount(email: string, name: string | null): { email: string } | null;
  /** Extra redirect parameters on success (Google echoes `scope`, `authuser`, `prompt`). */
  successParams(req: AuthorizationRequest, grantedScopes: string[]): Record<string, string>;
  errorParams(error: "access_denied" | "interaction_required" | "invalid_request" | "unsupported_response_type" | "invalid_scope", description: string): Record<string, string>;
  /** Whether this code's exchange returns a refresh token. */
  issuesRefreshToken(req: AuthorizationRequest, email: string): boolean;
}

const CODE_TTL_MS = 10 * 60 * 1000;
const PENDING_TTL_MS = 60 * 60 * 1000;

export class AuthorizeFlow {
  private readonly pending = new Map<string, AuthorizationRequest>();

  constructor(
    private readonly provider: AuthorizeProvider,
    private readonly grants: GrantStore,
    private readonly clock: Clock,
    private readonly clients: () => OAuthClientPolicy,
  ) {}

  reset(): void {
    this.pending.clear();
  }

  /** GET on the authorize endpoint. */
  start(req: ApiRequest): Reply {
    const q = req.query;
    const brand = this.provider.brand;
    const clientId = q.get("client_id");
    const redirectUri = q.get("redirect_uri");
    if (!clientId) return htmlReply(400, renderErrorPage(brand, "Error 400: invalid_request", "Missing required parameter: client_id"));
    if (!isClientAllowed(this.clients(), clientId)) return htmlReply(401, renderErrorPage(brand, "Error 401: invalid_client", `The OAuth client was not found: ${clientId}`));
    if (!redirectUri || !isAbsoluteUrl(redirectUri)) return htmlReply(400, renderErrorPage(brand, "Error 400: invalid_request", "Missing or invalid required parameter: redirect_uri"));
    if (!isRedirectAllowed(this.clients(), redirectUri)) {
      return htmlReply(400, renderErrorPage(brand, "Error 400: redirect_uri_mismatch", `The redirect URI in the request, ${redirectUri}, does not match the ones authorized for the OAuth client.`));
    }
    this.grants.clientsSeen.add(clientId);
    const state = q.get("state");
    const responseMode = parseResponseMode(q.get("response_mode"));
    const back = (error: Parameters<AuthorizeProvider["errorParams"]>[0], description: string): Reply =>
      this.redirect(redirectUri, responseMode, { ...this.provider.errorParams(error, description), ...(state !== null ? { state } : {}) });

    if (q.get("response_type") !== "code") return back("unsupported_response_type", `Unsupported response_type: ${q.get("response_type") ?? ""}`);
    const scopes = this.provider.normalizeScopes(q.get("scope") ?? "");
    if (scopes.length === 0) return back("invalid_scope", "Missing required parameter: scope");
    const challenge = q.get("code_challenge");
    const rawMethod = q.get("code_challenge_method");
    let method: "S256" | "plain" | null = null;
    if (challenge !== null) {
      method = rawMethod === null || rawMethod === "plain" ? "plain" : rawMethod === "S256" ? "S256" : null;
      if (method === null) return back("invalid_request", `Invalid code_challenge_method: ${rawMethod ?? ""}`);
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) return back("invalid_request", "Invalid code_challenge.");
    } else if (rawMethod !== null) {
      return back("invalid_request", "code_challenge_method requires code_challenge.");
    }

    const request: AuthorizationRequest = {
      id: randomToken(18),
      clientId,
      redirectUri,
      scopes,
      state,
      codeChallenge: challenge,
      codeChallengeMethod: method,
      nonce: q.get("nonce"),
      loginHint: q.get("login_hint")?.toLowerCase() ?? null,
      prompt: q.get("prompt"),
      responseMode,
      offline: this.provider.isOffline(q, scopes),
      createdAt: this.clock.now(),
    };

    if (request.prompt === "none") {
      const email = request.loginHint;
      if (email === null) return back("interaction_required", "Silent sign-in requires login_hint.");
      const granted = this.grants.grantedScopes(email, clientId);
      if (!scopes.every((s) => granted.has(s))) return back("interaction_required", "The user has not granted these scopes to this client.");
      return this.complete(request, email, scopes);
    }

    this.prunePending();
    this.pending.set(request.id, request);
    return this.page(req, request, null);
  }

  /** POST from the consent form. */
  submit(req: ApiRequest): Reply {
    const form = parseConsentSubmission(parseFormBody(req.body));
    const request = this.pending.get(form.requestId);
    if (!request) return htmlReply(400, renderErrorPage(this.provider.brand, "Error 400: invalid_request", "This sign-in request has expired. Start again from the application."));
    if (form.decision === "deny") {
      this.pending.delete(request.id);
      return this.redirect(request.redirectUri, request.responseMode, {
        ...this.provider.errorParams("access_denied", "The user denied the request."),
        ...(request.state !== null ? { state: request.state } : {}),
      });
    }
    if (form.email === null || !EMAIL_PATTERN.test(form.email)) return this.page(req, request, "Choose an account or enter a valid e-mail address.");
    const account = this.provider.ensureAccount(form.email, form.name);
    if (!account) return this.page(req, request, `The account ${form.email} cannot be used with this provider.`);
    // Only scopes that were requested can be granted, whatever the form says.
    const granted = request.scopes.filter((s) => form.scopes.includes(s) || this.provider.describeScope(s).required);
    this.pending.delete(request.id);
    return this.complete(request, account.email, granted);
  }

  private complete(request: AuthorizationRequest, email: string, grantedScopes: string[]): Reply {
    const issueRefresh = this.provider.issuesRefreshToken(request, email);
    const grant = this.grants.createGrant(email, request.clientId, grantedScopes, this.clock.now());
    const code = this.grants.issueCode(grant, {
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
      expiresAt: this.clock.now() + CODE_TTL_MS,
      nonce: request.nonce,
      issueRefreshToken: issueRefresh,
    });
    return this.redirect(request.redirectUri, request.responseMode, {
      code,
      ...(request.state !== null ? { state: request.state } : {}),
      ...this.provider.successParams(request, grantedScopes),
    });
  }

  private page(req: ApiRequest, request: AuthorizationRequest, error: string | null): Reply {
    return htmlReply(
      error ? 400 : 200,
      renderConsentPage({
        brand: this.provider.brand,
        clientId: request.clientId,
        redirectHost: safeHost(request.redirectUri),
        requestId: request.id,
        actionPath: this.provider.actionPath(req),
        accounts: this.provider.listAccounts(),
        loginHint: request.loginHint,
        scopes: request.scopes.map((s) => this.provider.describeScope(s)),
        error,
      }),
    );
  }

  private redirect(redirectUri: string, mode: AuthorizationRequest["responseMode"], params: Record<string, string>): Reply {
    if (mode === "form_post") {
      const inputs = Object.entries(params)
        .map(([k, v]) => `<input type="hidden" name="${escapeAttr(k)}" value="${escapeAttr(v)}">`)
        .join("");
      return htmlReply(200, `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeAttr(redirectUri)}">${inputs}<noscript><button>Continue</button></noscript></form></body></html>`);
    }
    const url = new URL(redirectUri);
    const encoded = new URLSearchParams(params);
    if (mode === "fragment") url.hash = encoded.toString();
    else for (const [k, v] of encoded) url.searchParams.append(k, v);
    return redirectReply(url.toString());
  }

  private prunePending(): void {
    const cutoff = this.clock.now() - PENDING_TTL_MS;
    for (const [id, r] of this.pending) if (r.createdAt < cutoff) this.pending.delete(id);
  }
}

export const AUTHORIZATION_CODE_TTL_MS = CODE_TTL_MS;

function parseResponseMode(raw: string | null): AuthorizationRequest["responseMode"] {
  return raw === "fragment" ? "fragment" : raw === "form_post" ? "form_post" : "query";
}

function isAbsoluteUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol.length > 1;
  } catch {
    return false;
  }
}

function safeHost(uri: string): string {
  try {
    return new URL(uri).host || uri;
  } catch {
    return uri;
  }
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
