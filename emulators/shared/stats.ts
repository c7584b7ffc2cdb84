/**
 * Per-account request counters, for benchmarks that count provider calls.
 * `total` counts HTTP requests as the network sees them; `byEndpoint` also
 * counts the sub-requests of a Graph `$batch` under their own endpoint names.
 */
export interface AccountStats {
  email: string;
  total: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
}

interface Counters {
  total: number;
  byEndpoint: Map<string, number>;
  byStatus: Map<string, number>;
}

export class UsageStats {
  private readonly accounts = new Map<string, Counters>();

  private counters(email: string): Counters {
    let c = this.accounts.get(email);
    if (!c) {
      c = { total: 0, byEndpoint: new Map(), byStatus: new Map() };
      this.accounts.set(email, c);
    }
    return c;
  }

  /** One HTTP request; `countsTowardsTotal` is false for `$batch` sub-requests. */
  record(email: string, endpoint: string, status: number, countsTowardsTotal = true): void {
    const c = this.counters(email.toLowerCase());
    if (countsTowardsTotal) c.total += 1;
    c.byEndpoint.set(endpoint, (c.byEndpoint.get(endpoint) ?? 0) + 1);
    const key = String(status);
    c.byStatus.set(key, (c.byStatus.get(key) ?? 0) + 1);
  }

  get(email: string): AccountStats {
    const c = this.accounts.get(email.toLowerCase());
    return {
      email: email.toLowerCase(),
      total: c?.total ?? 0,
      byEndpoint: Object.fromEntries(c?.byEndpoint ?? []),
      byStatus: Object.fromEntries(c?.byStatus ?? []),
    };
  }

  reset(email?: string): void {
    if (email === undefined) this.accounts.clear();
    else this.accounts.delete(email.toLowerCase());
  }
}
