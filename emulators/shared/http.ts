/**
 * HTTP plumbing shared by both emulators: a transport-neutral request/reply
 * model (so Graph `$batch` can run sub-requests through the same handlers),
 * body reading with a size cap, and writing replies to Node responses.
 * Provider-specific error bodies live in each provider's errors module.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type HeaderMap = Record<string, string>;

/** A request as the route handlers see it, whether it came off the wire or out of a `$batch`. */
export interface ApiRequest {
  method: string;
  /** Decoded path without the query string, e.g. `/v1/people/c1:updateContact`. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: HeaderMap;
  body: Buffer;
}

export type ReplyBody = { kind: "json"; value: unknown } | { kind: "bytes"; value: Buffer; contentType: string } | { kind: "text"; value: string; contentType: string } | { kind: "empty" };

export interface Reply {
  status: number;
  headers?: HeaderMap;
  body: ReplyBody;
}

export function jsonReply(status: number, value: unknown, headers?: HeaderMap): Reply {
  return { status, headers, body: { kind: "json", value } };
}

export function emptyReply(status: number, headers?: HeaderMap): Reply {
  return { status, headers, body: { kind: "empty" } };
}

export function bytesReply(status: number, value: Buffer, contentType: string, headers?: HeaderMap): Reply {
  return { status, headers, body: { kind: "bytes", value, contentType } };
}

export function htmlReply(status: number, html: string, headers?: HeaderMap): Reply {
  return { status, headers, body: { kind: "text", value: html, contentType: "text/html; charset=utf-8" } };
}

export function redirectReply(location: string): Reply {
  return { status: 302, headers: { location }, body: { kind: "empty" } };
}

/** Thrown by handlers to answer with a specific reply (usually a provider-shaped error). */
export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

/** Reading more than this is refused: the largest legitimate bodies are 4 MB photos and 200-contact batches. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`body exceeds ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function lowerCaseHeaders(req: IncomingMessage): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Splits a raw request URL into a decoded path and its query; `+`/`%2C` handling is URLSearchParams'. */
export function parseRequestUrl(rawUrl: string): { path: string; query: URLSearchParams } {
  const q = rawUrl.indexOf("?");
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q === -1 ? "" : rawUrl.slice(q + 1));
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath;
  }
  return { path, query };
}

export function toApiRequest(req: IncomingMessage, body: Buffer): ApiRequest {
  const { path, query } = parseRequestUrl(req.url ?? "/");
  return { method: (req.method ?? "GET").toUpperCase(), path, query, headers: lowerCaseHeaders(req), body };
}

/** Serialises a reply; JSON is written compactly, as the real services do. */
export function serializeReply(reply: Reply): { headers: HeaderMap; payload: Buffer | null } {
  const headers: HeaderMap = { ...reply.headers };
  switch (reply.body.kind) {
    case "json": {
      headers["content-type"] ??= "application/json; charset=utf-8";
      return { headers, payload: Buffer.from(JSON.stringify(reply.body.value)) };
    }
    case "bytes":
      headers["content-type"] = reply.body.contentType;
      return { headers, payload: reply.body.value };
    case "text":
      headers["content-type"] = reply.body.contentType;
      return { headers, payload: Buffer.from(reply.body.value) };
    case "empty":
      return { headers, payload: null };
  }
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  const { headers, payload } = serializeReply(reply);
  if (payload !== null) headers["content-length"] = String(payload.length);
  else if (reply.status !== 204 && reply.status !== 304) headers["content-length"] = "0";
  res.writeHead(reply.status, headers);
  res.end(payload ?? undefined);
}

/** Parses a JSON body; `null` for an empty body, `undefined` when it is not valid JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return null;
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** Form bodies (OAuth token endpoints, consent form); google-auth-library posts these. */
export function parseFormBody(body: Buffer): URLSearchParams {
  return new URLSearchParams(body.toString("utf8"));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A path without its trailing slashes (a loop: a regex anchored at the end is quadratic on a
 * long run of slashes that does not end the path). */
export function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return path.slice(0, end);
}
