/**
 * OAuth 2.0 state common to both emulators: grants (an account's consent to
 * a client for some scopes), single-use authorization codes with PKCE,
 * access tokens and refresh tokens. Wire formats and error bodies differ per
 * provider and live in each provider's oauth module; this store only answers
 * "is this code/token good, and if not, why".
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { randomToken } from "./ids";

export interface OAuthGrant {
  id: string;
  email: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  revokedAt: number | null;
}

export interface AuthorizationCode {
  code: string;
  grantId: string;
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: "S256" | "plain" | null;
  expiresAt: number;
  redeemedAt: number | null;
  nonce: string | null;
  issueRefreshToken: boolean;
}

export interface AccessTokenRecord {
  token: string;
  grantId: string;
  expiresAt: number;
  revokedAt: number | null;
}

export interface RefreshTokenRecord {
  token: string;
  grantId: string;
  issuedAt: number;
  lastUsedAt: number;
  /** Set when a rotation issued a successor (Microsoft). */
  replacedAt: number | null;
  revokedAt: number | null;
}

export type CodeLookup =
  | { kind: "ok"; code: AuthorizationCode; grant: OAuthGrant }
  | { kind: "unknown" }
  | { kind: "expired"; code: AuthorizationCode }
  | { kind: "replayed"; code: AuthorizationCode };

export type AccessLookup =
  | { kind: "ok"; grant: OAuthGrant; record: AccessTokenRecord }
  | { kind: "unknown" }
  | { kind: "expired"; grant: OAuthGrant }
  | { kind: "revoked"; grant: OAuthGrant };

export type RefreshLookup = { kind: "ok"; grant: OAuthGrant; record: RefreshTokenRecord } | { kind: "unknown" } | { kind: "revoked"; grant: OAuthGrant; record: RefreshTokenRecord };

export function verifyPkce(verifier: string, challenge: string, method: "S256" | "plain"): boolean {
  const computed = method === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
  const a = Buffer.from(computed);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface TokenPrefixes {
  code: string;
  access: string;
  refresh: string;
}

export class GrantStore {
  private readonly grants = new Map<string, OAuthGrant>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly access = new Map<string, AccessTokenRecord>();
  private readonly refresh = new Map<string, RefreshTokenRecord>();
  /** Client ids seen at the authorize or token endpoints, for tests that assert what the app sent. */
  readonly clientsSeen = new Set<string>();

  constructor(private readonly prefixes: TokenPrefixes) {}

  createGrant(email: string, clientId: string, scopes: string[], now: number): OAuthGrant {
    const grant: OAuthGrant = { id: randomToken(12), email: email.toLowerCase(), clientId, scopes: [...new Set(scopes)], createdAt: now, revokedAt: null };
    this.grants.set(grant.id, grant);
    this.clientsSeen.add(clientId);
    return grant;
  }

  /** True if the account has an unrevoked grant for this client (Google omits refresh tokens on re-consent then). */
  hasLiveGrant(email: string, clientId: string): boolean {
    const e = email.toLowerCase();
    for (const g of this.grants.values()) if (g.email === e && g.clientId === clientId && g.revokedAt === null) return true;
    return false;
  }

  /** Scopes already granted to this client by this account (for `prompt=none`). */
  grantedScopes(email: string, clientId: string): Set<string> {
    const e = email.toLowerCase();
    const out = new Set<string>();
    for (const g of this.grants.values()) if (g.email === e && g.clientId === clientId && g.revokedAt === null) for (const s of g.scopes) out.add(s);
    return out;
  }

  issueCode(grant: OAuthGrant, opts: Omit<AuthorizationCode, "code" | "grantId" | "redeemedAt">): string {
    const code = this.prefixes.code + randomToken(32);
    this.codes.set(code, { ...opts, code, grantId: grant.id, redeemedAt: null });
    return code;
  }

  redeemCode(code: string, now: number): CodeLookup {
    const record = this.codes.get(code);
    const grant = record ? this.grants.get(record.grantId) : undefined;
    if (!record || !grant) return { kind: "unknown" };
    if (record.redeemedAt !== null) {
      // RFC 6749 §4.1.2: a replayed code should revoke what it issued.
      this.revokeGrant(grant, now, true);
      return { kind: "replayed", code: record };
    }
    if (record.expiresAt <= now) return { kind: "expired", code: record };
    record.redeemedAt = now;
    return { kind: "ok", code: record, grant };
  }

  issueAccessToken(grant: OAuthGrant, lifetimeMs: number, now: number): AccessTokenRecord {
    const record: AccessTokenRecord = { token: this.prefixes.access + randomToken(48), grantId: grant.id, expiresAt: now + lifetimeMs, revokedAt: null };
    this.access.set(record.token, record);
    return record;
  }

  issueRefreshToken(grant: OAuthGrant, now: number): RefreshTokenRecord {
    const record: RefreshTokenRecord = { token: this.prefixes.refresh + randomToken(48), grantId: grant.id, issuedAt: now, lastUsedAt: now, replacedAt: null, revokedAt: null };
    this.refresh.set(record.token, record);
    return record;
  }

  resolveAccess(token: string, now: number): AccessLookup {
    const record = this.access.get(token);
    const grant = record ? this.grants.get(record.grantId) : undefined;
    if (!record || !grant) return { kind: "unknown" };
    if (record.revokedAt !== null) return { kind: "revoked", grant };
    if (record.expiresAt <= now) return { kind: "expired", grant };
    return { kind: "ok", grant, record };
  }

  resolveRefresh(token: string): RefreshLookup {
    const record = this.refresh.get(token);
    const grant = record ? this.grants.get(record.grantId) : undefined;
    if (!record || !grant) return { kind: "unknown" };
    if (record.revokedAt !== null || grant.revokedAt !== null) return { kind: "revoked", grant, record };
    return { kind: "ok", grant, record };
  }

  /** Revokes every grant of the account; returns how many were live. */
  revokeEmail(email: string, now: number, invalidateAccessTokens: boolean): number {
    const e = email.toLowerCase();
    let n = 0;
    for (const g of this.grants.values()) {
      if (g.email !== e || g.revokedAt !== null) continue;
      this.revokeGrant(g, now, invalidateAccessTokens);
      n += 1;
    }
    return n;
  }

  /** Revokes the grant behind an access or refresh token (Google's /revoke endpoint). */
  revokeByToken(token: string, now: number): boolean {
    const grantId = this.access.get(token)?.grantId ?? this.refresh.get(token)?.grantId;
    const grant = grantId ? this.grants.get(grantId) : undefined;
    if (!grant || grant.revokedAt !== null) return false;
    this.revokeGrant(grant, now, true);
    return true;
  }

  private revokeGrant(grant: OAuthGrant, now: number, invalidateAccessTokens: boolean): void {
    grant.revokedAt = now;
    for (const r of this.refresh.values()) if (r.grantId === grant.id) r.revokedAt ??= now;
    if (invalidateAccessTokens) for (const a of this.access.values()) if (a.grantId === grant.id) a.revokedAt ??= now;
  }

  forgetEmail(email: string): void {
    const e = email.toLowerCase();
    const ids = new Set([...this.grants.values()].filter((g) => g.email === e).map((g) => g.id));
    for (const id of ids) this.grants.delete(id);
    for (const [k, v] of this.codes) if (ids.has(v.grantId)) this.codes.delete(k);
    for (const [k, v] of this.access) if (ids.has(v.grantId)) this.access.delete(k);
    for (const [k, v] of this.refresh) if (ids.has(v.grantId)) this.refresh.delete(k);
  }

  reset(): void {
    this.grants.clear();
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
    this.clientsSeen.clear();
  }
}
