/**
 * The Google emulator: OAuth at /o/oauth2/v2/auth and /token, the People
 * API under /v1/, photo bytes under /cm/ and /contacts/, and the admin API
 * under /__admin/. Each People API call is authenticated, scope-checked,
 * subjected to injected faults and optional quotas, then routed.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { handleAdmin, type AdminHooks } from "../shared/admin";
import { bytesReply, jsonReply, ReplyError, type ApiRequest, type Reply } from "../shared/http";
import type { OAuthClientPolicy } from "../shared/oauth-clients";
import { startServer, urlHost } from "../shared/server";
import { applyGoogleConfigPatch, googleConfigPatchSchema, googleConfigSchema, type GoogleConfigPatch } from "./config";
import { googleError, insufficientScope, invalidArgument, rateLimited, serverError, unauthenticated } from "./errors";
import { createGoogleOAuth } from "./oauth";
import { createPeopleRouter, type GoogleRoute } from "./routes";
import { DEFAULT_MINTED_SCOPES, GOOGLE_SCOPES, GoogleState } from "./state";
import { seedGoogleDemo } from "../seed/google-seed";

export interface GoogleEmulatorOptions extends OAuthClientPolicy {
  /** 0 picks a free port (the default for tests); start.ts uses 4010. */
  port?: number;
  host?: string;
  /** Load the demo address books. */
  seed?: boolean;
  config?: GoogleConfigPatch;
  /** One line per request, e.g. `console.log`. */
  log?: (line: string) => void;
}

export interface GoogleEmulator {
  provider: "google";
  /** Base URL without a trailing slash: the People API rootUrl and the OAuth host. */
  url: string;
  port: number;
  host: string;
  /** OAuth endpoints for `new auth.OAuth2({ endpoints })` and authorize URLs. */
  endpoints: { oauth2AuthBaseUrl: string; oauth2TokenUrl: string; oauth2RevokeUrl: string; tokenInfoUrl: string; oauth2FederatedSignonPemCertsUrl: string; oauth2FederatedSignonJwkCertsUrl: string };
  /** Direct access to the in-memory state (accounts, config, clock) for in-process tests. */
  state: GoogleState;
  close(): Promise<void>;
}

const QUOTA_LIMIT_KEYS = {
  criticalRead: "criticalReadsPerMinute",
  criticalWrite: "criticalWritesPerMinute",
  write: "writesPerMinute",
  groupRead: "groupReadsPerMinute",
  photoWrite: "photoWritesPerMinute",
} as const;

export async function startGoogleEmulator(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  const config = applyGoogleConfigPatch(googleConfigSchema.parse({}), googleConfigPatchSchema.parse(options.config ?? {}));
  const state = new GoogleState(config, { clientId: options.clientId, clientSecret: options.clientSecret, redirectUris: options.redirectUris });
  const oauth = createGoogleOAuth(state);
  const api = createPeopleRouter();

  const hooks: AdminHooks = {
    provider: "google",
    reset(seed) {
      state.reset();
      oauth.flow.reset();
      if (seed) seedGoogleDemo(state);
    },
    listAccounts: () => state.accountList().map((a) => ({ email: a.email, name: a.name, id: a.sub, contacts: a.contactCount })),
    createAccount(email, name) {
      const { account, created } = state.ensureAccount(email, name);
      return { created, account: { email: account.email, name: account.name, id: account.sub, contacts: account.contactCount } };
    },
    mintToken(email, scopes, clientId) {
      if (!state.account(email)) return null;
      const minted = oauth.mint(email, scopes ?? DEFAULT_MINTED_SCOPES, clientId ?? "emulator-test-client");
      return { access_token: minted.accessToken, refresh_token: minted.refreshToken, expires_in: minted.expiresIn, token_type: "Bearer", scope: minted.scope };
    },
    revoke(email, accessTokens) {
      if (!state.account(email)) return null;
      // Revoking a Google grant also kills its live access tokens.
      return state.grants.revokeEmail(email, state.clock.now(), accessTokens !== "keep");
    },
    getConfig: () => state.config,
    setConfig(patch) {
      const parsed = googleConfigPatchSchema.safeParse(patch);
      if (!parsed.success) return { ok: false, error: parsed.error.message };
      state.config = applyGoogleConfigPatch(state.config, parsed.data);
      return { ok: true, config: state.config };
    },
  };

  async function runApi(route: GoogleRoute, name: string, params: string[], req: ApiRequest): Promise<Reply> {
    const header = req.headers["authorization"];
    const token = header?.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : req.query.get("access_token");
    if (!token) throw unauthenticated("CREDENTIALS_MISSING", route.rpc);
    const lookup = state.grants.resolveAccess(token, state.clock.now());
    // Calls with a dead token still count as calls of that account.
    if (lookup.kind === "expired" || lookup.kind === "revoked") state.stats.record(lookup.grant.email, name, 401);
    if (lookup.kind === "expired") throw unauthenticated("ACCESS_TOKEN_EXPIRED", route.rpc);
    if (lookup.kind !== "ok") throw unauthenticated("ACCESS_TOKEN_TYPE_UNSUPPORTED", route.rpc);
    const account = state.account(lookup.grant.email);
    if (!account) throw unauthenticated("ACCESS_TOKEN_TYPE_UNSUPPORTED", route.rpc);
    const email = account.email;
    let status = 200;
    let entered = false;
    try {
      const scopes = lookup.grant.scopes;
      const allowed = scopes.includes(GOOGLE_SCOPES.contacts) || (route.access === "read" && scopes.includes(GOOGLE_SCOPES.contactsReadonly));
      if (!allowed) throw insufficientScope(route.rpc, route.access === "read" ? GOOGLE_SCOPES.contactsReadonly : GOOGLE_SCOPES.contacts);
      const fault = state.faults.take(email);
      if (fault?.kind === "rate_limit") throw rateLimited(route.bucket);
      if (fault?.kind === "server_error") throw serverError(fault.status ?? 500);
      if (route.access === "write") {
        // A whole batch fails on one refused contact, as Google's does.
        const refusal = state.faults.refusal(email, req.body.toString("utf8"));
        if (refusal) throw invalidArgument(refusal.message);
      }
      const limit = state.config.quotas[QUOTA_LIMIT_KEYS[route.bucket]];
      if (limit !== null && state.quotaWindows.hit(`${email}|${route.bucket}`, limit, 60_000, state.clock.now()) > 0) throw rateLimited(route.bucket);
      if (route.access === "write" && state.config.rejectConcurrentMutations) {
        if (!state.mutationGate.tryEnter(email, 1)) throw googleError(409, "ABORTED", "The operation was aborted.");
        entered = true;
      }
      if (state.config.latencyMs > 0) await sleep(state.config.latencyMs);
      const reply = route.handler({ req, state, account, params });
      status = reply.status;
      return reply;
    } catch (error) {
      if (error instanceof ReplyError) status = error.reply.status;
      throw error;
    } finally {
      if (entered) state.mutationGate.leave(email);
      state.stats.record(email, name, status);
    }
  }

  async function dispatch(req: ApiRequest): Promise<Reply> {
    try {
      return await route(req);
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      return error.reply;
    }
  }

  async function route(req: ApiRequest): Promise<Reply> {
    if (req.path.startsWith("/__admin/")) return handleAdmin(req, state, hooks);
    if (req.path.startsWith("/v1/") && !req.path.startsWith("/v1/userinfo")) {
      const found = api.match(req.method, req.path);
      if (found.kind === "found") return runApi(found.match.handler, found.match.name, found.match.params, req);
      return jsonReply(404, { error: { code: 404, message: "Method not found.", status: "NOT_FOUND" } });
    }
    const o = oauth.router.match(req.method, req.path);
    if (o.kind === "found") return o.match.handler(req);
    if (req.method === "GET") {
      const photo = state.photos.lookup(req.path);
      if (photo) return bytesReply(200, photo.bytes, photo.contentType, { "cache-control": "private, max-age=86400" });
    }
    return jsonReply(404, { error: { code: 404, message: "Not found.", status: "NOT_FOUND" } });
  }

  const server = await startServer({
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    dispatch,
    onResponse: (req, status, ms) => options.log?.(`[google] ${req?.method ?? "?"} ${req?.path ?? "?"} → ${status} (${ms.toFixed(1)} ms)`),
    tooLarge: () => jsonReply(413, { error: { code: 413, message: "Request payload is too large.", status: "INVALID_ARGUMENT" } }),
  });
  const url = `http://${urlHost(server.host)}:${server.port}`;
  state.setBaseUrl(url);
  if (options.seed) seedGoogleDemo(state);
  return {
    provider: "google",
    url,
    port: server.port,
    host: server.host,
    endpoints: {
      oauth2AuthBaseUrl: `${url}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${url}/token`,
      oauth2RevokeUrl: `${url}/revoke`,
      tokenInfoUrl: `${url}/tokeninfo`,
      oauth2FederatedSignonPemCertsUrl: `${url}/oauth2/v1/certs`,
      oauth2FederatedSignonJwkCertsUrl: `${url}/oauth2/v3/certs`,
    },
    state,
    close: () => server.close(),
  };
}

