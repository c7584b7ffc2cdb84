/**
 * Typed helpers for the `/__admin/` API, so tests, benchmarks and the demo
 * mode never hand-write fetches. HTTPS calls trust the emulator's own
 * certificate explicitly, so they work even without NODE_EXTRA_CA_CERTS.
 */
import { existsSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AdminAccountSummary, MintedToken } from "./admin";
import path from "node:path";
import { certDir } from "./certs";
import type { AccountStats } from "./stats";

export type { AdminAccountSummary, MintedToken, AccountStats };

export interface FaultInput {
  kind: "rate_limit" | "server_error" | "expire_sync_tokens" | "refuse_writes";
  count?: number;
  /** refuse_writes: writes whose body contains this are refused… */
  match?: string;
  /** …with this reason. */
  message?: string;
  email?: string;
  status?: number;
  retryAfterSeconds?: number;
}

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`Emulator admin API answered ${status}: ${JSON.stringify(body)}`);
  }
}

let cachedCa: Buffer | null | undefined;
function emulatorCa(): Buffer | null {
  const file = path.join(certDir(), "localhost.crt");
  if (cachedCa === undefined) cachedCa = existsSync(file) ? readFileSync(file) : null;
  return cachedCa;
}

export function adminRequest<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const url = new URL(path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {};
  return new Promise<T>((resolve, reject) => {
    const onResponse = (res: import("node:http").IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = null;
        try {
          parsed = text === "" ? null : (JSON.parse(text) as unknown);
        } catch {
          parsed = text;
        }
        if ((res.statusCode ?? 500) >= 400) reject(new AdminApiError(res.statusCode ?? 500, parsed));
        else resolve(parsed as T);
      });
      res.on("error", reject);
    };
    const ca = emulatorCa();
    const req = url.protocol === "https:" ? httpsRequest(url, { method, headers, ...(ca ? { ca } : {}) }, onResponse) : httpRequest(url, { method, headers }, onResponse);
    req.on("error", reject);
    req.end(payload ?? undefined);
  });
}

const enc = encodeURIComponent;

export function createAccount(baseUrl: string, email: string, name?: string): Promise<AdminAccountSummary> {
  return adminRequest(baseUrl, "POST", "__admin/accounts", { email, ...(name ? { name } : {}) });
}

export function listAccounts(baseUrl: string): Promise<{ accounts: AdminAccountSummary[] }> {
  return adminRequest(baseUrl, "GET", "__admin/accounts");
}

/** Tokens for an existing account without the consent UI (provider default scopes unless given). */
export function mintToken(baseUrl: string, email: string, scopes?: string[], clientId?: string): Promise<MintedToken> {
  return adminRequest(baseUrl, "POST", `__admin/accounts/${enc(email)}/token`, { ...(scopes ? { scopes } : {}), ...(clientId ? { clientId } : {}) });
}

export function revokeAccount(baseUrl: string, email: string, accessTokens?: "keep" | "invalidate"): Promise<{ revokedGrants: number }> {
  return adminRequest(baseUrl, "POST", `__admin/accounts/${enc(email)}/revoke`, accessTokens ? { accessTokens } : {});
}

export function injectFault(baseUrl: string, fault: FaultInput): Promise<unknown> {
  return adminRequest(baseUrl, "POST", "__admin/faults", fault);
}

export function expireSyncTokens(baseUrl: string): Promise<unknown> {
  return injectFault(baseUrl, { kind: "expire_sync_tokens" });
}

export function clearFaults(baseUrl: string): Promise<unknown> {
  return adminRequest(baseUrl, "DELETE", "__admin/faults");
}

export function advanceClock(baseUrl: string, advanceMs: number): Promise<{ now: string; offsetMs: number }> {
  return adminRequest(baseUrl, "POST", "__admin/clock", { advanceMs });
}

export function getStats(baseUrl: string, email: string): Promise<AccountStats> {
  return adminRequest(baseUrl, "GET", `__admin/accounts/${enc(email)}/stats`);
}

export function resetStats(baseUrl: string, email: string): Promise<AccountStats> {
  return adminRequest(baseUrl, "DELETE", `__admin/accounts/${enc(email)}/stats`);
}

export function resetEmulator(baseUrl: string, opts: { seed?: boolean } = {}): Promise<unknown> {
  return adminRequest(baseUrl, "POST", "__admin/reset", opts);
}

/** Partial runtime config; see google/config.ts and microsoft/config.ts for the keys. */
export function setConfig<T = unknown>(baseUrl: string, patch: Record<string, unknown>): Promise<T> {
  return adminRequest(baseUrl, "POST", "__admin/config", patch);
}

/** A Graph change-notification subscription as the Microsoft emulator's admin API lists it. */
export interface AdminSubscription {
  id: string;
  email: string;
  applicationId: string;
  resource: string;
  changeType: string;
  expirationDateTime: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  /** A reauthorizationRequired was sent and neither reauthorize nor a renewal has answered it. */
  reauthorizationPending: boolean;
}

export type LifecycleEventName = "reauthorizationRequired" | "subscriptionRemoved" | "missed";

/** One attempt of the Microsoft emulator to reach a subscriber (see microsoft/webhooks.ts). */
export interface NotificationDelivery {
  kind: "validation" | "notification" | "lifecycle";
  subscriptionId: string;
  url: string;
  attempt: number;
  outcome: "delivered" | "failed" | "timeout" | "unreachable";
  status: number | null;
  notifications: number;
  lifecycleEvent: LifecycleEventName | null;
  dropped: boolean;
  at: string;
  durationMs: number;
}

/** Microsoft only: live subscriptions, of one account if given. */
export function listSubscriptions(baseUrl: string, email?: string): Promise<{ subscriptions: AdminSubscription[] }> {
  return adminRequest(baseUrl, "GET", email ? `__admin/accounts/${enc(email)}/subscriptions` : "__admin/subscriptions");
}

/** Microsoft only: sends a lifecycle notification as Graph would (subscriptionRemoved also removes the subscription). */
export function fireLifecycleEvent(baseUrl: string, subscriptionId: string, event: LifecycleEventName): Promise<{ subscriptionId: string; lifecycleEvent: LifecycleEventName; sent: boolean }> {
  return adminRequest(baseUrl, "POST", `__admin/subscriptions/${enc(subscriptionId)}/lifecycle`, { event });
}

/** Microsoft only: the log of validation, notification and lifecycle deliveries, oldest first. */
export function getNotificationDeliveries(baseUrl: string, subscriptionId?: string): Promise<{ deliveries: NotificationDelivery[] }> {
  return adminRequest(baseUrl, "GET", `__admin/notifications${subscriptionId ? `?subscriptionId=${enc(subscriptionId)}` : ""}`);
}

export function clearNotificationDeliveries(baseUrl: string): Promise<{ deliveries: [] }> {
  return adminRequest(baseUrl, "DELETE", "__admin/notifications");
}

/** True if an emulator (of that provider, if given) answers at baseUrl. */
export async function isEmulatorRunning(baseUrl: string, provider?: "google" | "microsoft"): Promise<boolean> {
  try {
    const health = await adminRequest<{ ok: boolean; provider: string }>(baseUrl, "GET", "__admin/health");
    return health.ok && (provider === undefined || health.provider === provider);
  } catch {
    return false;
  }
}
