// The one fetch every provider call goes through (CardDAV, Google's and Microsoft's clients,
// photos, token endpoints). On top of the guarded agent (agent.ts: no private addresses):
// - redirects are never followed blindly: each hop is checked (the same origin unless the caller
//   says otherwise, and only origins the caller allows at all), at most MAX_REDIRECTS of them;
//   a caller that asks for `redirect: "manual"` gets the redirect itself, to check and follow;
// - every response body is read through a byte cap (an error body through a small one), and the
//   whole request — body included — has a time limit.
import type { Dispatcher } from "undici";
import { AddressRefusedError } from "./agent";

export const MAX_REDIRECTS = 5;
/** What an error answer may weigh: enough for any provider's error JSON or a DAV error. */
export const ERROR_BODY_MAX_BYTES = 64 * 1024;

/** A URL the caller does not allow (another host than the account's, say): nothing was sent. */
export class OriginRefusedError extends Error {
  constructor(readonly url: string) {
    super(`Tandem does not send this account's requests to ${new URL(url).host}`);
    this.name = "OriginRefusedError";
  }
}

/** A redirect to a place the caller does not allow, or too many of them: not followed. */
export class RedirectRefusedError extends Error {
  constructor(
    readonly from: string,
    readonly to: string | null,
  ) {
    super(to ? `The server redirected Tandem from ${new URL(from).host} to ${new URL(to).host}, which it does not follow` : `The server redirected Tandem more than ${MAX_REDIRECTS} times`);
    this.name = "RedirectRefusedError";
  }
}

/** A body longer than the request's cap: reading stopped there. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The server's answer was larger than ${Math.round(limit / 1024)} kB, more than Tandem reads`);
    this.name = "ResponseTooLargeError";
  }
}

export type OutboundLimits = {
  /** The most a successful response's body may weigh. */
  maxBytes: number;
  /** The whole request, redirects and body included. */
  timeoutMs: number;
  /** Whether a request may go to this URL at all (any by default). */
  mayRequest?: (url: URL) => boolean;
  /** Whether a redirect from one URL to another is followed (the same origin by default). */
  mayRedirect?: (from: URL, to: URL) => boolean;
};

const sameOrigin = (from: URL, to: URL) => from.origin === to.origin;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Statuses a Response cannot be built with a body for. */
const NULL_BODY = new Set([101, 204, 205, 304]);

/** A fetch through `dispatcher` within `limits`. */
export function outboundFetch(dispatcher: Dispatcher, limits: OutboundLimits): typeof fetch {
  const { mayRequest = () => true, mayRedirect = sameOrigin } = limits;
  return async (input, init = {}) => {
    let url = new URL(input instanceof Request ? input.url : input);
    if (input instanceof Request) {
      const body = input.method === "GET" || input.method === "HEAD" ? undefined : await input.arrayBuffer();
      init = { method: input.method, headers: input.headers, body, signal: input.signal, redirect: input.redirect, ...init };
    }
    const timeout = AbortSignal.timeout(limits.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let method = (init.method ?? "GET").toUpperCase();
    let body = init.body;
    const headers = new Headers(init.headers);
    for (let hop = 0; ; hop++) {
      if (!mayRequest(url)) throw new OriginRefusedError(url.href);
      const response = await fetch(url, { ...init, method, body, headers, redirect: "manual", signal, dispatcher } as RequestInit).catch((error: unknown) => {
        // fetch wraps what the agent refused in "fetch failed": the refusal is the answer.
        throw error instanceof TypeError && error.cause instanceof AddressRefusedError ? error.cause : error;
      });
      const location = REDIRECTS.has(response.status) ? response.headers.get("location") : null;
      if (!location || init.redirect === "manual") return capped(response, limits.maxBytes);
      await response.body?.cancel();
      const next = new URL(location, url);
      if (hop >= MAX_REDIRECTS) throw new RedirectRefusedError(url.href, null);
      if (!mayRequest(next) || !mayRedirect(url, next)) throw new RedirectRefusedError(url.href, next.href);
      // 303, and 301/302 after a POST, are followed with a GET (as browsers do); 307/308 repeat
      // the request as it was.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
        headers.delete("content-type");
        headers.delete("content-length");
      } else if (body instanceof ReadableStream) {
        throw new RedirectRefusedError(url.href, next.href);
      }
      url = next;
    }
  };
}

/** The response with its body read through the cap: reading past it fails with
 * ResponseTooLargeError (and stops the download). An error answer keeps its status whatever its
 * body weighs: only its first ERROR_BODY_MAX_BYTES are read. */
function capped(response: Response, maxBytes: number): Response {
  if (!response.ok) return truncated(response, Math.min(maxBytes, ERROR_BODY_MAX_BYTES));
  const limit = maxBytes;
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > limit) {
    void response.body?.cancel();
    throw new ResponseTooLargeError(limit);
  }
  if (!response.body || NULL_BODY.has(response.status)) return response;
  let read = 0;
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        if (read > limit) controller.error(new ResponseTooLargeError(limit));
        else controller.enqueue(chunk);
      },
    }),
  );
  return withBody(response, body, response.headers);
}

/** The response with at most `limit` bytes of its body (the rest is not downloaded). */
function truncated(response: Response, limit: number): Response {
  if (!response.body || NULL_BODY.has(response.status)) return response;
  const reader = response.body.getReader();
  let read = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const room = limit - read;
      read += value.byteLength;
      if (value.byteLength < room) return controller.enqueue(value);
      controller.enqueue(value.subarray(0, room));
      controller.close();
      await reader.cancel();
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return withBody(response, body, headers);
}

function withBody(response: Response, body: ReadableStream<Uint8Array>, headers: Headers): Response {
  const out = new Response(body, { status: response.status, statusText: response.statusText, headers });
  Object.defineProperty(out, "url", { value: response.url });
  return out;
}
