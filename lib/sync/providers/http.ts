// The plumbing every provider adapter shares, so that each adapter says only what is its own:
// - the fetch of every provider call: the one outbound client (outbound/: no private addresses,
//   no blind redirects, byte caps, a time limit), through the provider's agent;
// - which answers can succeed on retry (429 and 5xx, after the provider's Retry-After);
// - one call wrapper: our retry policy (retry.ts) around the call, then the outcome in the
//   engine's terms — a 401 is a revoked grant (InvalidGrantError, nothing but reconnecting
//   helps), a 429/5xx past the budget is ProviderUnavailableError, anything else is thrown as is;
// - the pager that asks for the next page while the current one is applied, and the mapping of a
//   page's contacts in slices that leave the event loop its turns (a sync may share its thread
//   with the web server: `npm start`).
import type { Dispatcher } from "undici";
import { InvalidGrantError, ProviderUnavailableError } from "../model/provider";
import { parseRetryAfter, withRetry, type RetryPolicy, type RetryVerdict } from "./retry";
import type { AdapterCredentials } from "./definition";
import { outboundFetch, ResponseTooLargeError, type OutboundLimits } from "../outbound/fetch";
import { providerAgent } from "../outbound/policy";

/** What an API answer may weigh (a page of 1,000 contacts is a few MB). */
export const API_MAX_BYTES = 64 * 1024 * 1024;
/** The longest a provider request may take, its body included. */
export const REQUEST_TIMEOUT_MS = 60_000;

/** fetch for a provider's requests: through its agent (the installation's when it has none of
 * its own: the address rule with OUTBOUND_ALLOW), within the limits given. */
export function providerFetch(agent: (() => Dispatcher) | undefined, limits: Partial<OutboundLimits> = {}): typeof fetch {
  return (input, init) => outboundFetch(agent?.() ?? providerAgent(), { maxBytes: API_MAX_BYTES, timeoutMs: REQUEST_TIMEOUT_MS, ...limits })(input, init);
}

export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || (status !== undefined && status >= 500);
}

/** Retry a 429 or 5xx, after the provider's Retry-After when it gives one. */
export function retryVerdict(status: number | undefined, retryAfter: string | null | undefined): RetryVerdict {
  return isRetryableStatus(status) ? { retry: true, afterMs: parseRetryAfter(retryAfter) } : { retry: false };
}

export type CallerOptions = {
  /** Names the provider in messages: "Google is busy or unavailable (HTTP 503)". */
  name: string;
  /** The HTTP status an error of the provider's client carries. */
  statusOf: (error: unknown) => number | undefined;
  retryAfterOf: (error: unknown) => string | null | undefined;
  retry?: RetryPolicy;
};

export type ProviderCall = <T>(fn: () => Promise<T>) => Promise<T>;

export function createCaller(opts: CallerOptions): ProviderCall {
  const verdict = (error: unknown) => retryVerdict(opts.statusOf(error), opts.retryAfterOf(error));
  return async (fn) => {
    try {
      return await withRetry(fn, verdict, opts.retry);
    } catch (error) {
      const status = opts.statusOf(error);
      if (error instanceof InvalidGrantError || status === 401) throw new InvalidGrantError();
      if (isRetryableStatus(status)) throw new ProviderUnavailableError(`${opts.name} is busy or unavailable (HTTP ${status})`);
      throw error;
    }
  };
}

/** A response's body, unless it is longer than `maxBytes` (then null, and the rest is not read). */
export async function readLimited(response: Response, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel();
    return declared > maxBytes ? null : Buffer.alloc(0);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      // The outbound client's own cap, when it is the smaller.
      if (error instanceof ResponseTooLargeError) return null;
      throw error;
    }
    if (chunk.done) return Buffer.concat(chunks);
    total += chunk.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(chunk.value);
  }
}

/** Applies pages in order, one at a time, while the next one is already being fetched (the
 * provider works meanwhile; at most two pages are held). Returns the last page. */
export async function applyPagesAhead<P>(first: () => Promise<P>, nextOf: (page: P) => (() => Promise<P>) | null, apply: (page: P) => Promise<void>): Promise<P> {
  let next = first();
  for (;;) {
    const page = await next;
    const fetchNext = nextOf(page);
    if (fetchNext) {
      next = fetchNext();
      next.catch(() => {}); // surfaced when awaited; not an unhandled rejection if apply throws
    }
    await apply(page);
    if (!fetchNext) return page;
  }
}

/** How long mapping a page's contacts may keep the thread before the event loop gets a turn. */
const MAP_SLICE_MS = 5;

/** `items.map(fn)`, giving the event loop a turn every MAP_SLICE_MS: mapping a page of 1,000
 * contacts (normalising, parsing phone numbers) takes a good part of a second. */
export async function mapInSlices<T, R>(items: readonly T[], fn: (item: T) => R): Promise<R[]> {
  const out = new Array<R>(items.length);
  let sliceStart = performance.now();
  for (let i = 0; i < items.length; i++) {
    out[i] = fn(items[i]!);
    if (performance.now() - sliceStart > MAP_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  return out;
}

/** The access token of an OAuth provider's adapter (its credentials are always a bearer token). */
export function bearerToken(credentials: AdapterCredentials): Promise<string> {
  if (credentials.kind !== "bearer") throw new Error("This provider signs in with OAuth: its adapter needs an access token");
  return credentials.accessToken();
}
