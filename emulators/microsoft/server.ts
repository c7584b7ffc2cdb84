/**
 * The Microsoft emulator, served over HTTPS (the Graph client only attaches
 * the Authorization header to https URLs in customHosts): identity platform
 * endpoints under /{tenant}/oauth2/v2.0/, Graph under /v1.0/, and the admin
 * API under /__admin/. Each Graph call is authenticated, scope-checked,
 * subjected to injected faults and optional throttling, then routed;
 * `$batch` sub-requests go through the same pipeline. Change notification
 * subscriptions (subscriptions.ts) add admin calls of their own, and their
 * outgoing webhooks are stopped by close().
 */
import { setTimeout as sleep } from "node:timers/promises";
import { handleAdmin, type AdminHooks } from "../shared/admin";
import { loadTlsFiles } from "../shared/certs";
import { jsonReply, parseJsonBody, ReplyError, type ApiRequest, type Reply } from "../shared/http";
import type { OAuthClientPolicy } from "../shared/oauth-clients";
import { startServer, urlHost } from "../shared/server";
import { seedMicrosoftDemo } from "../seed/microsoft-seed";
import { runBatch } from "./batch";
import { applyMicrosoftConfigPatch, microsoftConfigPatchSchema, microsoftConfigSchema, parseMicrosoftConfigPatch, type MicrosoftConfigPatch } from "./config";
import { accessDenied, graphError, invalidAuthenticationToken, serviceError, throttled } from "./errors";
import type { Mailbox } from "./mailbox";
import { createMicrosoftOAuth } from "./oauth";
import { createGraphRouter, normalizeGraphPath, type GraphRoute } from "./routes";
import { DEFAULT_MINTED_SCOPES, MicrosoftState } from "./state";
import { handleSubscriptionAdmin, removeMailboxSubscriptions } from "./subscriptions";

export interface MicrosoftEmulatorOptions extends OAuthClientPolicy {
  /** 0 picks a free port (the default for tests); start.ts uses 4020. */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Host name used in URLs and nextLinks; must match the certificate and the Graph client's customHosts (default localhost). */
  publicHost?: string;
  seed?: boolean;
  config?: MicrosoftConfigPatch;
  /** PEM key/cert to serve instead of the checkout's own (scripts/emulator-cert.cjs). */
  tls?: { key: Buffer; cert: Buffer };
  log?: (line: string) => void;
}

export interface MicrosoftEmulator {
  provider: "microsoft";
  /** Base URL without a trailing slash, e.g. https://localhost:54321; Graph lives at `${url}/v1.0`. */
  url: string;
  port: number;
  host: string;
  /** For the Graph client: `Client.init({ baseUrl: graphBaseUrl, customHosts: new Set([publicHost]) ... })`. */
  graphBaseUrl: string;
  publicHost: string;
  /** Identity platform endpoints for the `common` tenant. */
  endpoints: { authorize: string; token: string };
  /** The self-signed certificate (PEM) to trust, e.g. through NODE_EXTRA_CA_CERTS. */
  caCert: Buffer;
  state: MicrosoftState;
  close(): Promise<void>;
}

const READ_SCOPES = ["Contacts.Read", "Contacts.ReadWrite", "Contacts.Read.Shared", "Contacts.ReadWrite.Shared"];
const WRITE_SCOPES = ["Contacts.ReadWrite", "Contacts.ReadWrite.Shared"];
const USER_SCOPES = ["User.Read", "User.ReadBasic.All", "profile", "openid"];

const GRAPH_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

function withGraphContentType(reply: Reply): Reply {
  if (reply.body.kind !== "json" || reply.headers?.["content-type"]) return reply;
  return { ...reply, headers: { ...reply.headers, "content-type": GRAPH_JSON } };
}

export async function startMicrosoftEmulator(options: MicrosoftEmulatorOptions = {}): Promise<MicrosoftEmulator> {
  const config = applyMicrosoftConfigPatch(microsoftConfigSchema.parse({}), microsoftConfigPatchSchema.parse(options.config ?? {}));
  const state = new MicrosoftState(config, { clientId: options.clientId, clientSecret: options.clientSecret, redirectUris: options.redirectUris });
  const oauth = createMicrosoftOAuth(state);
  const graph = createGraphRouter();

  const hooks: AdminHooks = {
    provider: "microsoft",
    reset(seed) {
      state.reset();
      oauth.flow.reset();
      if (seed) seedMicrosoftDemo(state);
    },
    listAccounts: () => state.mailboxList().map((m) => ({ email: m.email, name: m.name, id: m.userId, contacts: m.contactCount })),
    createAccount(email, name) {
      const { mailbox, created } = state.ensureMailbox(email, name);
      return { created, account: { email: mailbox.email, name: mailbox.name, id: mailbox.userId, contacts: mailbox.contactCount } };
    },
    mintToken(email, scopes, clientId) {
      if (!state.mailbox(email)) return null;
      const minted = oauth.mint(email, scopes ?? DEFAULT_MINTED_SCOPES, clientId ?? "00000000-0000-0000-0000-00000000e2e0");
      return { access_token: minted.accessToken, refresh_token: minted.refreshToken, expires_in: minted.expiresIn, token_type: "Bearer", scope: minted.scope };
    },
    revoke(email, accessTokens) {
      const mailbox = state.mailbox(email);
      if (!mailbox) return null;
      // The account's consent is gone: Outlook removes its subscriptions, with subscriptionRemoved.
      removeMailboxSubscriptions(state, mailbox);
      // Microsoft access tokens are self-contained and stay valid until they expire, unless asked otherwise.
      return state.grants.revokeEmail(email, state.clock.now(), accessTokens === "invalidate");
    },
    getConfig: () => state.config,
    setConfig(patch) {
      const parsed = parseMicrosoftConfigPatch(patch);
      if (!parsed.success) return { ok: false, error: parsed.error.message };
      state.config = applyMicrosoftConfigPatch(state.config, parsed.data);
      return { ok: true, config: state.config };
    },
  };

  function authenticate(req: ApiRequest, endpoint: string): { mailbox: Mailbox; scopes: string[]; clientId: string } {
    const header = req.headers["authorization"];
    if (!header || !header.toLowerCase().startsWith("bearer ") || header.slice(7).trim() === "") throw invalidAuthenticationToken("Access token is empty.");
    const lookup = state.grants.resolveAccess(header.slice(7).trim(), state.clock.now());
    // Calls with a dead token still count as calls of that account.
    if (lookup.kind === "expired" || lookup.kind === "revoked") state.stats.record(lookup.grant.email, endpoint, 401);
    if (lookup.kind === "expired") throw invalidAuthenticationToken("Lifetime validation failed, the token is expired.");
    if (lookup.kind === "revoked") throw invalidAuthenticationToken("Access token has expired or is not yet valid.");
    if (lookup.kind !== "ok") throw invalidAuthenticationToken("CompactToken parsing failed with error code: 80049217");
    const mailbox = state.mailbox(lookup.grant.email);
    if (!mailbox) throw invalidAuthenticationToken("Access token has expired or is not yet valid.");
    return { mailbox, scopes: lookup.grant.scopes, clientId: lookup.grant.clientId };
  }

  function checkScope(route: GraphRoute, scopes: string[]): void {
    // Subscription handlers check the scopes their resource needs themselves.
    if (route.access === "subscription") return;
    const needed = route.access === "read" ? READ_SCOPES : route.access === "write" ? WRITE_SCOPES : USER_SCOPES;
    if (!scopes.some((s) => needed.includes(s))) throw accessDenied();
  }

  /** Faults and request-rate throttling apply to every mailbox request, batched or not. */
  function admit(mailbox: Mailbox): void {
    const fault = state.faults.take(mailbox.email);
    const retryAfter = fault?.retryAfterSeconds ?? state.config.retryAfterSeconds;
    if (fault?.kind === "rate_limit") throw throttled(retryAfter);
    if (fault?.kind === "server_error") throw serviceError(fault.status ?? 503, retryAfter);
    const limit = state.config.throttle.requestsPerTenMinutes;
    if (limit !== null) {
      const waitMs = state.windows.hit(mailbox.email, limit, 10 * 60_000, state.clock.now());
      if (waitMs > 0) throw throttled(Math.ceil(waitMs / 1000), "Application is over its MailboxRequestRate limit.");
    }
  }

  /** One Graph request (top-level or from a batch) → reply; never throws a ReplyError. */
  async function runGraph(req: ApiRequest, fromBatch: boolean): Promise<Reply> {
    const normalized = normalizeGraphPath(req.path);
    const found = graph.match(req.method, normalized.path);
    const name = found.kind === "found" ? found.match.name : "unknown";
    let mailbox: Mailbox | null = null;
    let status = 500;
    let entered = false;
    try {
      const auth = authenticate(req, name);
      mailbox = auth.mailbox;
      if (normalized.user !== null && normalized.user !== mailbox.userId.toLowerCase() && normalized.user !== mailbox.email) throw accessDenied();
      if (found.kind === "wrong-method") throw graphError(405, "Request_BadRequest", `The HTTP method '${req.method}' is not allowed for this resource.`);
      if (found.kind === "none") {
        const segment = normalized.path.split("/").filter((s) => s !== "").pop() ?? "";
        throw graphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`);
      }
      checkScope(found.match.handler, auth.scopes);
      admit(mailbox);
      if (found.match.handler.access === "write") {
        const refusal = state.faults.refusal(mailbox.email, req.body.toString("utf8"));
        if (refusal) throw graphError(400, "ErrorInvalidProperty", refusal.message);
      }
      const limit = state.config.throttle.maxConcurrentPerMailbox;
      if (!fromBatch && limit !== null) {
        if (!state.gate.tryEnter(mailbox.email, limit)) throw throttled(state.config.retryAfterSeconds);
        entered = true;
      }
      if (!fromBatch && state.config.latencyMs > 0) await sleep(state.config.latencyMs);
      const reply = withGraphContentType(
        await found.match.handler.handler({ req: { ...req, path: normalized.path }, state, mailbox, clientId: auth.clientId, scopes: auth.scopes, params: found.match.params }),
      );
      status = reply.status;
      return reply;
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      status = error.reply.status;
      return withGraphContentType(error.reply);
    } finally {
      if (entered && mailbox) state.gate.leave(mailbox.email);
      if (mailbox) state.stats.record(mailbox.email, name, status, !fromBatch);
    }
  }

  async function runBatchRequest(req: ApiRequest): Promise<Reply> {
    let auth: { mailbox: Mailbox; scopes: string[]; clientId: string };
    try {
      auth = authenticate(req, "batch");
    } catch (error) {
      if (error instanceof ReplyError) return error.reply;
      throw error;
    }
    let status = 500;
    try {
      const body = parseJsonBody(req.body);
      if (body === undefined || body === null) throw graphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
      if (state.config.latencyMs > 0) await sleep(state.config.latencyMs);
      const reply = await runBatch(req, body, (sub) => runGraph(sub, true), { concurrency: state.config.throttle.batchConcurrency, retryAfterSeconds: state.config.retryAfterSeconds });
      status = reply.status;
      return reply;
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      status = error.reply.status;
      return error.reply;
    } finally {
      state.stats.record(auth.mailbox.email, "batch", status, true);
    }
  }

  async function route(req: ApiRequest): Promise<Reply> {
    if (req.path.startsWith("/__admin/")) return handleSubscriptionAdmin(req, state) ?? handleAdmin(req, state, hooks);
    if (/^\/v1\.0\/\$batch$/i.test(req.path)) {
      if (req.method !== "POST") return graphError(405, "Request_BadRequest", "The HTTP method is not allowed for $batch.").reply;
      return runBatchRequest(req);
    }
    if (/^\/v1\.0(\/|$)/i.test(req.path)) return runGraph(req, false);
    if (/^\/beta(\/|$)/i.test(req.path)) return graphError(400, "BadRequest", "The beta endpoint is not emulated; use v1.0.").reply;
    const o = oauth.router.match(req.method, req.path);
    if (o.kind === "found") {
      try {
        return o.match.handler(req, o.match.params[0] ?? "common");
      } catch (error) {
        if (error instanceof ReplyError) return error.reply;
        throw error;
      }
    }
    return graphError(404, "NotFound", `No route for ${req.method} ${req.path}.`).reply;
  }

  /** Graph's JSON content type, which clients (and the SDK's batch parser) see on every JSON response. */
  async function dispatch(req: ApiRequest): Promise<Reply> {
    const reply = await route(req);
    return withGraphContentType(reply);
  }

  const tls = options.tls ?? loadTlsFiles();
  const server = await startServer({
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    tls,
    dispatch,
    onResponse: (req, status, ms) => options.log?.(`[microsoft] ${req?.method ?? "?"} ${req?.path ?? "?"} → ${status} (${ms.toFixed(1)} ms)`),
    tooLarge: () => jsonReply(413, { error: { code: "ErrorRequestEntityTooLarge", message: "The request body is too large." } }),
  });
  const publicHost = options.publicHost ?? "localhost";
  const url = `https://${urlHost(publicHost)}:${server.port}`;
  state.baseUrl = url;
  if (options.seed) seedMicrosoftDemo(state);
  return {
    provider: "microsoft",
    url,
    port: server.port,
    host: server.host,
    graphBaseUrl: `${url}/`,
    publicHost,
    endpoints: { authorize: `${url}/common/oauth2/v2.0/authorize`, token: `${url}/common/oauth2/v2.0/token` },
    caCert: tls.cert,
    state,
    close: async () => {
      state.webhooks.close();
      await server.close();
    },
  };
}
