// One token lifecycle for both providers: refresh ahead of expiry, collapse concurrent refreshes
// into one (in this process through a shared promise, across processes through a row lock on
// the connection), save rotated refresh tokens, and turn invalid_grant into "reconnect needed"
// with no further retries. Each provider only supplies its token request and error reading.
// Tokens are sealed at rest (secret-box.ts) and never logged.
import "server-only";
import { eq } from "drizzle-orm";
import { isEmbedded, type DB, type Tx } from "@/db/client";
import { syncConnections, type SyncConnection } from "@/db/schema";
import { transition } from "@/db/queries/sync/connection-status";
import { LAST_ERROR } from "../model/last-error";
import type { OAuthConfig } from "../providers/definition";
import { InvalidGrantError } from "../model/provider";
import { providerFetch, retryVerdict } from "../providers/http";
import { withRetry, type RetryVerdict } from "../providers/retry";
import { openJson, sealJson } from "./secret-box";

export type StoredTokens = {
  accessToken: string;
  refreshToken?: string | null;
  /** epoch ms; absent = unknown, used until the provider refuses it */
  expiresAt?: number | null;
  scope?: string | null;
};

export function readTokens(conn: { tokens: string | null }): StoredTokens {
  if (!conn.tokens) throw new Error("This connection has no tokens");
  return openJson<StoredTokens>(conn.tokens);
}

export const TOKEN_REFRESH_BUFFER_MS = 2 * 60_000;

export type TokenGrant = { accessToken: string; refreshToken: string | null; expiresIn: number; scope: string | null };

/** What a provider supplies: how to ask for tokens. */
export interface TokenEndpoint {
  refresh(refreshToken: string): Promise<TokenGrant>;
  exchangeCode(input: { code: string; codeVerifier: string; redirectUri: string }): Promise<TokenGrant & { idToken: string | null }>;
}

class TokenEndpointError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
    readonly retryAfter: string | null,
  ) {
    super(`Token endpoint answered ${status} ${error}${description ? `: ${description}` : ""}`);
    this.name = "TokenEndpointError";
  }
}

function retryable(error: unknown): RetryVerdict {
  if (error instanceof TokenEndpointError) return retryVerdict(error.status, error.retryAfter);
  if (error instanceof TypeError) return { retry: true, afterMs: null }; // network
  return { retry: false };
}

/** The token endpoint of a provider (OAuth 2.0, form-encoded, the same shape for both). */
/** A token endpoint's answer is a small JSON object. */
const TOKEN_RESPONSE_MAX_BYTES = 256 * 1024;
const TOKEN_TIMEOUT_MS = 30_000;

export function tokenEndpointFor(
  config: OAuthConfig,
  fetchImpl: typeof fetch = providerFetch(config.agent, { maxBytes: TOKEN_RESPONSE_MAX_BYTES, timeoutMs: TOKEN_TIMEOUT_MS }),
): TokenEndpoint {
  async function post(form: Record<string, string>) {
    const body = new URLSearchParams({ client_id: config.clientId, client_secret: config.clientSecret, ...form });
    return withRetry(
      async () => {
        const res = await fetchImpl(config.tokenUrl, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body,
        });
        const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
        // Google: 400 {"error":"invalid_grant","error_description":"Token has been expired or revoked."}.
        // Microsoft: 400 invalid_grant with an AADSTS code (70000, 70008, 700082, 50173…).
        if (json.error === "invalid_grant") throw new InvalidGrantError();
        if (!res.ok) {
          throw new TokenEndpointError(res.status, String(json.error ?? "error"), String(json.error_description ?? ""), res.headers.get("retry-after"));
        }
        if (typeof json.access_token !== "string") throw new TokenEndpointError(res.status, "invalid_response", "no access_token", null);
        return json;
      },
      retryable,
      { attempts: 4, baseDelayMs: 500, maxDelayMs: 10_000, maxTotalWaitMs: 30_000 },
    );
  }
  const grantOf = (json: Record<string, unknown>): TokenGrant => ({
    accessToken: json.access_token as string,
    refreshToken: typeof json.refresh_token === "string" ? json.refresh_token : null,
    expiresIn: Number(json.expires_in ?? 3600),
    scope: typeof json.scope === "string" ? json.scope : null,
  });
  return {
    async refresh(refreshToken) {
      return grantOf(await post({ grant_type: "refresh_token", refresh_token: refreshToken }));
    },
    async exchangeCode({ code, codeVerifier, redirectUri }) {
      const json = await post({ grant_type: "authorization_code", code, code_verifier: codeVerifier, redirect_uri: redirectUri });
      return { ...grantOf(json), idToken: typeof json.id_token === "string" ? json.id_token : null };
    },
  };
}

export function tokensFromGrant(grant: TokenGrant, previous?: StoredTokens, now = Date.now()): StoredTokens {
  return {
    accessToken: grant.accessToken,
    // Microsoft rotates refresh tokens on every use; Google keeps the old one valid.
    refreshToken: grant.refreshToken ?? previous?.refreshToken ?? null,
    expiresAt: now + grant.expiresIn * 1000,
    scope: grant.scope ?? previous?.scope ?? null,
  };
}

const inflight = new Map<string, Promise<string>>();

/** A valid access token for the connection, refreshed when it is about to expire. `known`: the
 * connection's row as just read (a run's first call), which saves reading it again. */
export async function getAccessToken(
  db: DB,
  connectionId: string,
  endpoint: TokenEndpoint,
  now: () => number = Date.now,
  known?: Pick<SyncConnection, "tokens" | "status">,
): Promise<string> {
  const [conn] = known ? [known] : await db.select({ tokens: syncConnections.tokens, status: syncConnections.status }).from(syncConnections).where(eq(syncConnections.id, connectionId));
  if (!conn) throw new Error(`No sync connection ${connectionId}`);
  if (conn.status === "reconnect_needed") throw new InvalidGrantError();
  const tokens = readTokens(conn);
  if (!needsRefresh(tokens, now())) return tokens.accessToken;
  let pending = inflight.get(connectionId);
  if (!pending) {
    pending = refresh(db, connectionId, endpoint, now).finally(() => inflight.delete(connectionId));
    inflight.set(connectionId, pending);
  }
  return pending;
}

function needsRefresh(tokens: StoredTokens, now: number): boolean {
  return typeof tokens.expiresAt === "number" && tokens.expiresAt - now <= TOKEN_REFRESH_BUFFER_MS;
}

async function refresh(db: DB, connectionId: string, endpoint: TokenEndpoint, now: () => number): Promise<string> {
  const attempt = async (q: DB | Tx, lock: boolean) => {
    const read = q.select({ tokens: syncConnections.tokens }).from(syncConnections).where(eq(syncConnections.id, connectionId));
    const [conn] = lock ? await read.for("update") : await read;
    const tokens = readTokens(conn!);
    if (!needsRefresh(tokens, now())) return { ok: true as const, accessToken: tokens.accessToken };
    if (!tokens.refreshToken) return { ok: false as const };
    try {
      const grant = await endpoint.refresh(tokens.refreshToken);
      const next = tokensFromGrant(grant, tokens, now());
      await q.update(syncConnections).set({ tokens: sealJson(next), updatedAt: new Date() }).where(eq(syncConnections.id, connectionId));
      return { ok: true as const, accessToken: next.accessToken };
    } catch (error) {
      if (error instanceof InvalidGrantError) return { ok: false as const };
      throw error;
    }
  };
  // On a server, the row lock makes a refresh in another process wait, then find fresh tokens.
  // The embedded database is one process's (the in-flight map above collapses its refreshes), and
  // a transaction there would hold every other query — every page — while the token endpoint
  // answers: none there.
  const outcome = isEmbedded(db) ? await attempt(db, false) : await db.transaction((tx) => attempt(tx, true));
  if (outcome.ok) return outcome.accessToken;
  await transition(db, connectionId, "grantRevoked", { lastError: LAST_ERROR.revoked });
  throw new InvalidGrantError();
}
