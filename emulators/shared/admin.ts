/**
 * The test-control API under `/__admin/`, identical on both emulators:
 * reset, accounts, tokens without the consent UI, revocation, fault
 * injection, the clock, per-account request stats and runtime config.
 * Provider specifics are behind AdminHooks. Unauthenticated by design: the
 * emulators are for local test machines only.
 */
import { z } from "zod";
import type { Clock } from "./clock";
import { faultSpecSchema, type FaultInjector } from "./faults";
import { EMAIL_PATTERN } from "./consent-page";
import { jsonReply, parseJsonBody, withoutTrailingSlashes, type ApiRequest, type Reply } from "./http";
import type { UsageStats } from "./stats";

export interface AdminAccountSummary {
  email: string;
  name: string;
  id: string;
  contacts: number;
}

export interface MintedToken {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: "Bearer";
  scope: string;
}

export interface AdminHooks {
  provider: "google" | "microsoft";
  reset(seed: boolean): void;
  listAccounts(): AdminAccountSummary[];
  createAccount(email: string, name: string | null): { created: boolean; account: AdminAccountSummary } | { error: string };
  mintToken(email: string, scopes: string[] | undefined, clientId: string | undefined): MintedToken | null;
  revoke(email: string, accessTokens: "keep" | "invalidate" | undefined): number | null;
  getConfig(): unknown;
  setConfig(patch: unknown): { ok: true; config: unknown } | { ok: false; error: string };
}

export interface AdminCore {
  clock: Clock;
  faults: FaultInjector;
  stats: UsageStats;
}

const resetSchema = z.object({ seed: z.boolean().default(false) }).default({ seed: false });
const accountSchema = z.object({ email: z.string().regex(EMAIL_PATTERN), name: z.string().min(1).optional() });
const tokenSchema = z.object({ scopes: z.array(z.string().min(1)).optional(), clientId: z.string().min(1).optional() }).default({});
const revokeSchema = z.object({ accessTokens: z.enum(["keep", "invalidate"]).optional() }).default({});
const clockSchema = z.object({ advanceMs: z.number().int().min(0) });

function adminError(status: number, message: string): Reply {
  return jsonReply(status, { error: message });
}

function parse<T>(schema: z.ZodType<T>, req: ApiRequest): { ok: true; value: T } | { ok: false; reply: Reply } {
  const raw = parseJsonBody(req.body);
  if (raw === undefined) return { ok: false, reply: adminError(400, "Body is not valid JSON.") };
  const result = schema.safeParse(raw ?? undefined);
  if (!result.success) return { ok: false, reply: adminError(400, z.prettifyError(result.error)) };
  return { ok: true, value: result.data };
}

export function handleAdmin(req: ApiRequest, core: AdminCore, hooks: AdminHooks): Reply {
  const path = withoutTrailingSlashes(req.path);
  const m = req.method;
  const account = /^\/__admin\/accounts\/([^/]+)(?:\/(token|revoke|stats))?$/.exec(path);

  if (path === "/__admin/health" && m === "GET") return jsonReply(200, { ok: true, provider: hooks.provider, now: core.clock.iso() });
  if (path === "/__admin/reset" && m === "POST") {
    const body = parse(resetSchema, req);
    if (!body.ok) return body.reply;
    hooks.reset(body.value.seed);
    core.clock.reset();
    core.faults.reset();
    core.stats.reset();
    return jsonReply(200, { ok: true });
  }
  if (path === "/__admin/accounts") {
    if (m === "GET") return jsonReply(200, { accounts: hooks.listAccounts() });
    if (m === "POST") {
      const body = parse(accountSchema, req);
      if (!body.ok) return body.reply;
      const result = hooks.createAccount(body.value.email.toLowerCase(), body.value.name ?? null);
      if ("error" in result) return adminError(400, result.error);
      return jsonReply(result.created ? 201 : 200, result.account);
    }
  }
  if (account) {
    const email = (account[1] ?? "").toLowerCase();
    const action = account[2];
    if (action === "token" && m === "POST") {
      const body = parse(tokenSchema, req);
      if (!body.ok) return body.reply;
      const token = hooks.mintToken(email, body.value.scopes, body.value.clientId);
      return token ? jsonReply(200, token) : adminError(404, `No account ${email}.`);
    }
    if (action === "revoke" && m === "POST") {
      const body = parse(revokeSchema, req);
      if (!body.ok) return body.reply;
      const revoked = hooks.revoke(email, body.value.accessTokens);
      return revoked === null ? adminError(404, `No account ${email}.`) : jsonReply(200, { revokedGrants: revoked });
    }
    if (action === "stats" && m === "GET") return jsonReply(200, core.stats.get(email));
    if (action === "stats" && m === "DELETE") {
      core.stats.reset(email);
      return jsonReply(200, core.stats.get(email));
    }
    if (action === undefined && m === "GET") {
      const found = hooks.listAccounts().find((a) => a.email === email);
      return found ? jsonReply(200, found) : adminError(404, `No account ${email}.`);
    }
  }
  if (path === "/__admin/faults") {
    if (m === "GET") return jsonReply(200, { pending: core.faults.list(), refusals: core.faults.listRefusals(), syncGeneration: core.faults.syncGeneration() });
    if (m === "DELETE") {
      core.faults.clear();
      return jsonReply(200, { pending: [] });
    }
    if (m === "POST") {
      const body = parse(faultSpecSchema, req);
      if (!body.ok) return body.reply;
      core.faults.add(body.value);
      return jsonReply(200, { pending: core.faults.list(), refusals: core.faults.listRefusals(), syncGeneration: core.faults.syncGeneration() });
    }
  }
  if (path === "/__admin/clock") {
    if (m === "POST") {
      const body = parse(clockSchema, req);
      if (!body.ok) return body.reply;
      core.clock.advance(body.value.advanceMs);
    }
    if (m === "POST" || m === "GET") return jsonReply(200, { now: core.clock.iso(), offsetMs: core.clock.offset() });
  }
  if (path === "/__admin/config") {
    if (m === "GET") return jsonReply(200, hooks.getConfig());
    if (m === "POST" || m === "PATCH") {
      const raw = parseJsonBody(req.body);
      if (raw === undefined) return adminError(400, "Body is not valid JSON.");
      const result = hooks.setConfig(raw);
      return result.ok ? jsonReply(200, result.config) : adminError(400, result.error);
    }
  }
  return adminError(404, `No admin endpoint ${m} ${path}.`);
}
