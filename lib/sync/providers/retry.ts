// Retries what can succeed on retry — 429 and 5xx — with exponential backoff that honours the
// provider's Retry-After, within a bounded number of attempts and total wait. Everything else
// is thrown at once.

export type RetryPolicy = {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Give up when the next wait would take the total past this. */
  maxTotalWaitMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 30_000, maxTotalWaitMs: 120_000 };

export type RetryVerdict = { retry: false } | { retry: true; afterMs: number | null };

/** Reads a Retry-After header value (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export async function withRetry<T>(
  call: () => Promise<T>,
  classify: (error: unknown) => RetryVerdict,
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const verdict = classify(error);
      if (!verdict.retry || attempt >= policy.attempts) throw error;
      const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
      const delay = Math.min(Math.max(verdict.afterMs ?? 0, backoff * (0.5 + Math.random() / 2)), policy.maxDelayMs);
      if (waited + delay > policy.maxTotalWaitMs) throw error;
      waited += delay;
      await sleep(delay);
    }
  }
}
