// Connecting an address book: the OAuth 2.0 authorization-code flow with PKCE.
// - start: checks the user may set up sync (both "add persons" and "add organizations"),
//   records a single-use, expiring state row holding the PKCE verifier (sealed; it never goes to
//   the browser), and returns the provider's authorize URL. The `state` parameter is the row id
//   with an HMAC, so a forged or altered state is refused before the database is read.
// - finish: verifies the state (signature, owner, provider, expiry, single use), exchanges the
//   code, identifies the account, and stores the tokens (sealed) on a new or reconnected
//   connection. Any failure stores nothing and reads as a clear message.
import crypto from "node:crypto";
import { and, eq, isNotNull, isNull, lt, or } from "drizzle-orm";
import type { DB } from "@/db/client";
import { oauthStates, syncConnections, type Direction } from "@/db/schema";
import type { Viewer } from "@/db/queries/visibility";
import { orList, translated, UserError, type ErrorKey, type ErrorValues } from "@/lib/errors";
import { isEmailAddress } from "@/lib/normalize";
import { authSecret } from "@/lib/secrets";
import { isUuid } from "@/lib/uuid";
import { env } from "@/lib/env";
import { createConnection, hasRoomForConnection } from "./connections";
import { requireSyncPermission } from "./permission";
import type { OAuthConfig } from "../providers/definition";
import { providerForEmail } from "../providers/detect";
import { isProviderId, listProviders, oauthOf, providerDefinition } from "../providers/registry";
import type { ProviderId } from "@/db/vocabulary";
import { transition } from "@/db/queries/sync/connection-status";
import { open, seal, sealJson } from "./secret-box";
import { tokenEndpointFor, tokensFromGrant, type TokenEndpoint } from "./tokens";

export const STATE_TTL_MS = 10 * 60_000;

function sign(id: string): string {
  return crypto.createHmac("sha256", authSecret()).update(`oauth-state:${id}`).digest("base64url");
}

function verifyState(state: string): string | null {
  const [id, mac] = state.split(".");
  if (!id || !mac || !isUuid(id)) return null;
  const expected = Buffer.from(sign(id));
  const given = Buffer.from(mac);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? id : null;
}

export type StartInput = {
  email: string;
  /** Required when the address does not tell the provider. */
  provider?: ProviderId | null;
  direction?: Direction;
  /** Reconnect (or widen the scopes of) an existing connection. */
  connectionId?: string | null;
};

export async function startAuthorization(db: DB, viewer: Viewer, input: StartInput, config?: OAuthConfig): Promise<{ url: string; provider: ProviderId }> {
  requireSyncPermission(viewer);
  const email = input.email.trim().toLowerCase();
  if (!isEmailAddress(email) || email.length > 254) {
    throw new UserError("connect.emailInvalidExample", { fields: { email: "field.notAnEmail" } });
  }
  const provider = input.provider ?? (providerForEmail(email, listProviders().map((p) => p.profile))?.id as ProviderId | undefined);
  if (!provider) {
    const choices = listProviders().map((p) => translated("errors.connect.providerChoice", { name: p.profile.shortName }));
    throw new UserError("connect.chooseProvider", { values: { providers: orList(choices) }, fields: { provider: "field.chooseProvider" } });
  }
  if (providerDefinition(provider).auth.kind !== "oauth") {
    throw new UserError("connect.signsInWithPassword", {
      values: { provider: providerDefinition(provider).profile.shortName },
      fields: { provider: "field.signsInWithPassword" },
    });
  }
  const direction = input.direction ?? "one_way";
  if (input.connectionId) {
    const [conn] = await db
      .select({ id: syncConnections.id })
      .from(syncConnections)
      .where(and(eq(syncConnections.id, input.connectionId), eq(syncConnections.userId, viewer.id)));
    if (!conn) throw new UserError("connect.connectionNotFound");
  } else if (!(await hasRoomForConnection(db, viewer.id))) {
    throw new UserError("connect.tooMany", { values: { max: env().MAX_CONNECTIONS_PER_USER } });
  }
  const cfg = config ?? oauthOf(provider).config();
  // Sign-ins that were finished or abandoned are of no further use: purged as new ones start.
  await db.delete(oauthStates).where(or(isNotNull(oauthStates.usedAt), lt(oauthStates.expiresAt, new Date())));
  const verifier = crypto.randomBytes(32).toString("base64url");
  const [row] = await db
    .insert(oauthStates)
    .values({
      userId: viewer.id,
      provider,
      accountEmail: email,
      direction,
      connectionId: input.connectionId ?? null,
      codeVerifier: seal(verifier),
      expiresAt: new Date(Date.now() + STATE_TTL_MS),
    })
    .returning({ id: oauthStates.id });
  const state = `${row!.id}.${sign(row!.id)}`;
  const url = new URL(cfg.authorizeUrl);
  const params: Record<string, string> = {
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    response_type: "code",
    scope: oauthOf(provider).scopes(direction).join(" "),
    state,
    code_challenge: crypto.createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    login_hint: email,
    ...oauthOf(provider).authorizeParams,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url: url.toString(), provider };
}

export type FinishResult = {
  connectionId: string;
  accountEmail: string;
  reconnected: boolean;
  /** The connection's group awaits its first sync: prepare it (lib/sync/accounts/manage.ts prepareFirstSync). */
  firstSync: boolean;
};

/** What the provider or a tampered request can send back. The callback shows the code's own
 * message (contactSync.errors); the key's message is what logs and tests read. */
export class OAuthFlowError extends UserError {
  constructor(
    readonly code:
      | "denied"
      | "bad_state"
      | "expired"
      | "replayed"
      | "wrong_provider"
      | "exchange_failed"
      | "no_refresh_token"
      | "wrong_user"
      | "wrong_account"
      | "no_write_access"
      | "too_many",
    key: ErrorKey & `oauth.${string}`,
    values?: ErrorValues,
  ) {
    super(key, { values });
    this.name = "OAuthFlowError";
  }
}

function emailFromIdToken(idToken: string | null): string | null {
  if (!idToken) return null;
  try {
    const payload = JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    const email = payload.email ?? payload.preferred_username ?? payload.upn;
    return typeof email === "string" ? email.toLowerCase() : null;
  } catch {
    return null;
  }
}

export async function finishAuthorization(
  db: DB,
  viewer: Viewer,
  input: { provider: string; params: URLSearchParams },
  deps: { config?: OAuthConfig; endpoint?: TokenEndpoint } = {},
): Promise<FinishResult> {
  requireSyncPermission(viewer);
  const { params } = input;
  const id = verifyState(params.get("state") ?? "");
  if (!id) throw new OAuthFlowError("bad_state", "oauth.badState");
  // Single use: take the state row in one statement, so a replay finds it used.
  const [state] = await db
    .update(oauthStates)
    .set({ usedAt: new Date() })
    .where(and(eq(oauthStates.id, id), isNull(oauthStates.usedAt)))
    .returning();
  if (!state) throw new OAuthFlowError("replayed", "oauth.replayed");
  if (state.userId !== viewer.id) throw new OAuthFlowError("wrong_user", "oauth.wrongUser");
  if (state.expiresAt.getTime() < Date.now()) throw new OAuthFlowError("expired", "oauth.expired");
  if (state.provider !== input.provider || !isProviderId(state.provider)) {
    throw new OAuthFlowError("wrong_provider", "oauth.wrongProvider");
  }
  const error = params.get("error");
  if (error) {
    if (error === "access_denied") throw new OAuthFlowError("denied", "oauth.denied");
    throw new OAuthFlowError("denied", "oauth.refused", { error: error.slice(0, 60) });
  }
  const code = params.get("code");
  if (!code) throw new OAuthFlowError("bad_state", "oauth.noCode");

  const cfg = deps.config ?? oauthOf(state.provider).config();
  const endpoint = deps.endpoint ?? tokenEndpointFor(cfg);
  let grant;
  try {
    grant = await endpoint.exchangeCode({ code, codeVerifier: open(state.codeVerifier), redirectUri: cfg.redirectUri });
  } catch {
    throw new OAuthFlowError("exchange_failed", "oauth.exchangeFailed");
  }
  if (!grant.refreshToken) {
    throw new OAuthFlowError("no_refresh_token", "oauth.noRefreshToken");
  }
  // Who signed in, as the provider says (the ID token came straight from its token endpoint over
  // TLS); the address typed in the wizard is only a hint to the provider.
  const identified = emailFromIdToken(grant.idToken);
  const accountEmail = identified ?? state.accountEmail;
  const tokens = tokensFromGrant(grant);

  if (state.connectionId) {
    // A reconnect must bring back the same account: the connection's links and cursor belong to
    // its address book, and another one would receive its deletions and pushes.
    const [conn] = await db
      .select({ accountEmail: syncConnections.accountEmail, direction: syncConnections.direction })
      .from(syncConnections)
      .where(and(eq(syncConnections.id, state.connectionId), eq(syncConnections.userId, viewer.id)));
    if (!conn) throw new OAuthFlowError("bad_state", "oauth.connectionGone");
    if (identified !== conn.accountEmail) {
      throw new OAuthFlowError("wrong_account", "oauth.wrongAccount", {
        signedInAs: identified ?? translated("errors.oauth.unnamedAccount"),
        expected: conn.accountEmail,
      });
    }
    if ((state.direction === "two_way" || conn.direction === "two_way") && !oauthOf(state.provider).grantsWrite(tokens.scope)) {
      throw new OAuthFlowError("no_write_access", "oauth.noWriteAccess");
    }
  }

  const [existing] = await db
    .select({ id: syncConnections.id, firstSyncAwaitsGrant: syncConnections.firstSyncAwaitsGrant })
    .from(syncConnections)
    .where(
      state.connectionId
        ? and(eq(syncConnections.id, state.connectionId), eq(syncConnections.userId, viewer.id))
        : and(eq(syncConnections.userId, viewer.id), eq(syncConnections.provider, state.provider), eq(syncConnections.accountEmail, accountEmail)),
    );
  if (existing) {
    // A group chosen while the grant lacked write access is previewed before its first run:
    // the connection waits in "preview" (lib/sync/first-sync/preview.ts).
    const firstSync = existing.firstSyncAwaitsGrant;
    await db.transaction(async (tx) => {
      await tx.update(syncConnections).set({ tokens: sealJson(tokens), firstSyncAwaitsGrant: false, accountEmail, updatedAt: new Date() }).where(eq(syncConnections.id, existing.id));
      await transition(tx, existing.id, firstSync ? "firstSyncPrepared" : "reconnected", { lastError: null });
    });
    return { connectionId: existing.id, accountEmail, reconnected: true, firstSync };
  }
  // Checked when the sign-in started too; another one may have finished meanwhile.
  if (!(await hasRoomForConnection(db, viewer.id))) throw new OAuthFlowError("too_many", "oauth.tooManyConnections", { max: env().MAX_CONNECTIONS_PER_USER });
  const connectionId = await createConnection(db, {
    companyId: viewer.companyId,
    userId: viewer.id,
    provider: state.provider,
    accountEmail,
    tokens,
    groupId: null,
    direction: state.direction,
    visibility: "company",
  });
  return { connectionId, accountEmail, reconnected: false, firstSync: false };
}
