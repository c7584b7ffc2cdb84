// The plumbing every provider adapter shares, so that each adapter says only what is its own:
// - which answers can succeed on retry (429 and 5xx, after the provider's Retry-After);
// - one call wrapper: our retry policy (retry.ts) around the call, then the outcome in the
//   engine's terms — a 401 is a revoked grant (InvalidGrantError, nothing but reconnecting
//   helps), a 429/5xx past the budget is ProviderUnavailableError, anything else is thrown as is;
// - the pager that asks for the next page while the current one is applied.
import type { Dispatcher } from "undici";
import { InvalidGrantError, ProviderUnavailableError } from "../provider";
import { parseRetryAfter, withRetry, type RetryPolicy, type RetryVerdict } from "../retry";
import type { AdapterCredentials } from "./definition";

/** fetch through a provider's own agent (demo mode: the one that trusts the emulator). */
export function fetchVia(agent: (() => Dispatcher) | undefined): typeof fetch {
  return agent ? (input, init) => fetch(input, { ...init, dispatcher: agent() } as RequestInit) : fetch;
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
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
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

/** The access token of an OAuth provider's adapter (its credentials are always a bearer token). */
export function bearerToken(credentials: AdapterCredentials): Promise<string> {
  if (credentials.kind !== "bearer") throw new Error("This provider signs in with OAuth: its adapter needs an access token");
  return credentials.accessToken();
}
