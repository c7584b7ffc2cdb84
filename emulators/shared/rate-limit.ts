/**
 * Optional quota emulation (off unless configured): fixed-window counters on
 * the emulator clock, and an in-flight counter for Outlook's "4 concurrent
 * requests per mailbox". Fault injection covers the common test cases; these
 * exist for benchmarks and soak tests that want realistic pressure.
 */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** Returns 0 when the hit is allowed, otherwise the ms until the window resets. */
  hit(key: string, limit: number, windowMs: number, now: number): number {
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= limit) return w.start + windowMs - now;
    w.count += 1;
    return 0;
  }

  reset(): void {
    this.windows.clear();
  }
}

export class ConcurrencyGate {
  private readonly inFlight = new Map<string, number>();

  tryEnter(key: string, limit: number): boolean {
    const n = this.inFlight.get(key) ?? 0;
    if (n >= limit) return false;
    this.inFlight.set(key, n + 1);
    return true;
  }

  leave(key: string): void {
    const n = this.inFlight.get(key) ?? 0;
    if (n <= 1) this.inFlight.delete(key);
    else this.inFlight.set(key, n - 1);
  }

  count(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }
}
