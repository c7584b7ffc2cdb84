/**
 * The emulator's clock: real time plus an offset that tests move forward
 * (`POST /__admin/clock`) to expire access tokens, sync tokens and refresh
 * tokens without waiting. It never goes backwards.
 */
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }

  advance(ms: number): void {
    if (ms > 0) this.offsetMs += ms;
  }

  offset(): number {
    return this.offsetMs;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
