/**
 * An append-only log of (sequence number, key, time), one entry per mutation.
 * Listings and incremental syncs walk it from a sequence number found by
 * binary search, so a page costs O(page) rather than O(all contacts).
 *
 * When a key changes again its older entry becomes stale; readers skip an
 * entry unless it is the key's latest (`isCurrent`). Stale entries are
 * compacted away once they outnumber live ones.
 */
export interface LogEntry<K> {
  seq: number;
  key: K;
  time: number;
}

export class ChangeLog<K> {
  private seqs: number[] = [];
  private keys: K[] = [];
  private times: number[] = [];
  private stale = 0;

  constructor(private readonly isCurrent: (seq: number, key: K) => boolean) {}

  get length(): number {
    return this.seqs.length;
  }

  lastSeq(): number {
    return this.seqs.length === 0 ? 0 : (this.seqs[this.seqs.length - 1] ?? 0);
  }

  /** `replaced` is true when this key already had an entry (which is now stale). */
  append(seq: number, key: K, time: number, replaced: boolean): void {
    this.seqs.push(seq);
    this.keys.push(key);
    this.times.push(time);
    if (replaced) {
      this.stale += 1;
      if (this.stale > 1024 && this.stale * 2 > this.seqs.length) this.compact();
    }
  }

  /** Index of the first entry with seq > afterSeq. */
  private firstAfter(afterSeq: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.seqs[mid] ?? 0) <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Current entries with afterSeq < seq <= uptoSeq, ascending. */
  *ascending(afterSeq: number, uptoSeq = Number.POSITIVE_INFINITY): Generator<LogEntry<K>> {
    for (let i = this.firstAfter(afterSeq); i < this.seqs.length; i++) {
      const seq = this.seqs[i] ?? 0;
      if (seq > uptoSeq) return;
      const key = this.keys[i] as K;
      if (this.isCurrent(seq, key)) yield { seq, key, time: this.times[i] ?? 0 };
    }
  }

  /** Current entries with seq < beforeSeq, descending. */
  *descending(beforeSeq: number): Generator<LogEntry<K>> {
    for (let i = this.firstAfter(beforeSeq - 1) - 1; i >= 0; i--) {
      const seq = this.seqs[i] ?? 0;
      const key = this.keys[i] as K;
      if (this.isCurrent(seq, key)) yield { seq, key, time: this.times[i] ?? 0 };
    }
  }

  /** The highest seq whose time is <= cutoff (0 if none); the log is time-ordered. */
  lastSeqAtOrBefore(cutoff: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] ?? 0) <= cutoff) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : (this.seqs[lo - 1] ?? 0);
  }

  private compact(): void {
    const seqs: number[] = [];
    const keys: K[] = [];
    const times: number[] = [];
    for (let i = 0; i < this.seqs.length; i++) {
      const seq = this.seqs[i] ?? 0;
      const key = this.keys[i] as K;
      if (!this.isCurrent(seq, key)) continue;
      seqs.push(seq);
      keys.push(key);
      times.push(this.times[i] ?? 0);
    }
    this.seqs = seqs;
    this.keys = keys;
    this.times = times;
    this.stale = 0;
  }
}
