/**
 * An in-process HTTP proxy in front of a real CardDAV server (server.ts), giving it the test
 * handles the Google and Microsoft emulators have in their admin API: requests counted per
 * account (the Basic-auth username) and endpoint, injected 429/503 answers, revoked accounts
 * (401) and expired sync tokens. Bodies stream through untouched and every end-to-end header
 * is kept (Authorization, ETag, If-Match, If-None-Match, Location, Depth, Content-Length);
 * only REPORT bodies are read whole, to name the report and, after expireSyncTokens(), to
 * swap the sync token for a bogus one so the real server gives its own answer (Radicale:
 * 403 <valid-sync-token/>; Xandikos: 500).
 * It does not check credentials itself: the server does (Xandikos accepts anything).
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultInjector } from "../shared/faults";
import { UsageStats, type AccountStats } from "../shared/stats";

export interface DavProxy {
  readonly url: string;
  /** Requests per account (the Basic-auth username) and endpoint name, the same AccountStats shape the emulators report; endpoint names like "carddav.propfind", "carddav.report.sync-collection", "carddav.report.addressbook-multiget", "carddav.put.create" (If-None-Match: *), "carddav.put.update", "carddav.delete", "carddav.mkcol", "carddav.get". */
  stats(username: string): AccountStats;
  /** Answers 429 (with Retry-After) / 503 instead of forwarding, for the next `count` requests (of that user, if given). */
  fault(input: { username?: string; kind: "rate_limit" | "server_error"; count: number; retryAfterSeconds?: number }): void;
  /** Until cleared, PUTs whose vCard contains `match` are refused (400) with `message`. */
  refuse(input: { username?: string; match: string; message?: string }): void;
  clearFaults(): void;
  /** From now on 401 for that user (like a revoked app password). */
  revoke(username: string): void;
  /** The next sync-collection REPORT of each collection carrying a sync-token gets the server's own "invalid sync token" answer. */
  expireSyncTokens(): void;
  close(): Promise<void>;
}

/** Retry-After on an injected 429 when the fault names none. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;
/** Connections to the server at a time. Radicale handles 8 (`max_connections`) and leaves the
 * rest in a listen backlog of 5; connections past that lose their SYN and stall for a second. */
const UPSTREAM_CONNECTIONS = 8;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade"]);

/** The Basic-auth username, lower-cased as UsageStats keys it; "" when there is none. */
function basicUsername(authorization: string | undefined): string {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? "");
  if (!m?.[1]) return "";
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return (colon === -1 ? decoded : decoded.slice(0, colon)).toLowerCase();
}

/** Local name of an XML body's root element ("sync-collection", "addressbook-multiget"). */
function rootElement(xml: string): string {
  const m = /<(?![?!])(?:[\w.-]+:)?([\w.-]+)/.exec(xml);
  return m?.[1]?.toLowerCase() ?? "unknown";
}

function endpointName(method: string, headers: IncomingHttpHeaders, body: string | null): string {
  const m = method.toLowerCase();
  if (m === "report") return `carddav.report.${body === null ? "unknown" : rootElement(body)}`;
  if (m === "put") return headers["if-none-match"]?.trim() === "*" ? "carddav.put.create" : "carddav.put.update";
  return `carddav.${m}`;
}

const SYNC_TOKEN = /(<(?:[\w.-]+:)?sync-token\b[^>]*>)([^<]*)(<\/(?:[\w.-]+:)?sync-token>)/;

/** Same shape as the server's tokens, pointing at no state it has: hex digits of the last segment zeroed. */
function bogusToken(token: string): string {
  const cut = token.lastIndexOf("/") + 1;
  const tail = token.slice(cut);
  return token.slice(0, cut) + (/[0-9a-f]/i.test(tail) ? tail.replace(/[0-9a-f]/gi, "0") : `${tail}-expired`);
}

/** A collection's path as a key: decoded, no query, one trailing slash. */
function collectionKey(url: string): string {
  const pathname = url.split("?")[0] ?? "/";
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // keep it as sent
  }
  return decoded.endsWith("/") ? decoded : `${decoded}/`;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function forwardedHeaders(headers: IncomingHttpHeaders, body: Buffer | null): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  if (body) out["content-length"] = String(body.length);
  return out;
}

/** The upstream's response headers in their original casing and order, hop-by-hop ones dropped. */
function responseHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

function answer(res: ServerResponse, status: number, headers: Record<string, string>, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export async function startDavProxy(target: string): Promise<DavProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: UPSTREAM_CONNECTIONS });
  const usage = new UsageStats();
  const faults = new FaultInjector();
  const revoked = new Set<string>();
  /** Per collection, the expiry generation its sync tokens were last invalidated for. */
  const expiredFor = new Map<string, number>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const username = basicUsername(req.headers.authorization);
    let body = method === "REPORT" || method === "PUT" ? await readAll(req) : null;
    const endpoint = endpointName(method, req.headers, body && body.toString("utf8"));

    if (revoked.has(username)) {
      req.resume();
      usage.record(username, endpoint, 401);
      return answer(res, 401, { "www-authenticate": 'Basic realm="CardDAV - app password revoked"' }, "The app password was revoked.");
    }
    const fault = faults.take(username || null);
    if (fault) {
      req.resume();
      const rateLimited = fault.kind === "rate_limit";
      const status = rateLimited ? 429 : (fault.status ?? 503);
      const retryAfter = fault.retryAfterSeconds ?? (rateLimited ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
      usage.record(username, endpoint, status);
      return answer(res, status, retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }, rateLimited ? "Too many requests." : "Service unavailable.");
    }

    const refusal = method === "PUT" && body ? faults.refusal(username || null, body.toString("utf8")) : null;
    if (refusal) {
      usage.record(username, endpoint, 400);
      return answer(res, 400, {}, refusal.message);
    }

    if (body && endpoint === "carddav.report.sync-collection") {
      const key = collectionKey(req.url ?? "/");
      const generation = faults.syncGeneration();
      const text = body.toString("utf8");
      const token = SYNC_TOKEN.exec(text);
      // A collection first seen now has only tokens issued after the last expiry.
      if (!expiredFor.has(key)) expiredFor.set(key, generation);
      if (token?.[2]?.trim() && (expiredFor.get(key) ?? 0) < generation) {
        expiredFor.set(key, generation);
        body = Buffer.from(text.replace(SYNC_TOKEN, (_all, open: string, value: string, close: string) => `${open}${bogusToken(value.trim())}${close}`), "utf8");
      }
    }

    const forward = request(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method, path: req.url, headers: forwardedHeaders(req.headers, body), agent },
      (up) => {
        const status = up.statusCode ?? 502;
        usage.record(username, endpoint, status);
        res.writeHead(status, up.statusMessage, responseHeaders(up.rawHeaders));
        up.pipe(res);
        up.on("error", () => res.destroy());
      },
    );
    forward.on("error", (err) => {
      if (res.headersSent) return void res.destroy();
      usage.record(username, endpoint, 502);
      answer(res, 502, {}, `CardDAV server unreachable: ${err.message}`);
    });
    res.on("close", () => {
      if (!res.writableFinished) forward.destroy();
    });
    if (body) forward.end(body);
    else req.pipe(forward);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else answer(res, 500, {}, `proxy error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats: (username) => usage.get(username),
    refuse: ({ username, match, message }) => faults.add({ kind: "refuse_writes", count: 1, match, ...(message ? { message } : {}), ...(username ? { email: username } : {}) }),
    clearFaults: () => faults.clear(),
    fault: ({ username, kind, count, retryAfterSeconds }) => faults.add({ kind, count, ...(username ? { email: username } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) }),
    revoke: (username) => void revoked.add(username.toLowerCase()),
    expireSyncTokens: () => faults.add({ kind: "expire_sync_tokens", count: 1 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
