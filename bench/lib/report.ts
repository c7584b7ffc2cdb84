// One line of figures per benchmark, plus a JSON record (printed, and appended to
// bench/out/results.jsonl) with the machine, the commit and each figure beside its target.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type Target = { name: string; value: number; limit: number; unit?: string };
export type TargetResult = Target & { met: boolean };

export function machine() {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    if (execFileSync("git", ["status", "--porcelain", "--", "lib", "db", "app"], { encoding: "utf8" }).trim()) commit += "+dirty";
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    commit,
    /** The sync engine measured: lib/sync, or a patched copy (BENCH_SYNC_DIR). */
    engine: process.env.BENCH_SYNC_DIR ?? "lib/sync",
    /** Candidate schema changes applied for the run (BENCH_EXTRA_SQL), if any. */
    ...(process.env.BENCH_EXTRA_SQL ? { extraSql: process.env.BENCH_EXTRA_SQL } : {}),
    /** 1-minute load average when the record was written: other work on the machine shows here. */
    loadAvg: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

const fmt = (t: Target) => `${t.value}${t.unit ?? ""}`;

/** Prints the line and the record; returns whether every target was met. */
export function report(bench: string, db: string, figures: string, targets: Target[], record: Record<string, unknown>): boolean {
  const checked: TargetResult[] = targets.map((t) => ({ ...t, met: t.value <= t.limit }));
  const verdict = checked.map((t) => `${t.name} ${fmt(t)} ${t.met ? "≤" : ">"} ${t.limit}${t.unit ?? ""} ${t.met ? "ok" : "MISSED"}`).join("; ");
  console.log(`${bench} (${db}): ${figures}${verdict ? ` | targets: ${verdict}` : ""}`);
  const json = { bench, db, ...machine(), ...record, targets: checked };
  console.log(JSON.stringify(json));
  const out = path.join("bench", "out");
  fs.mkdirSync(out, { recursive: true });
  fs.appendFileSync(path.join(out, "results.jsonl"), `${JSON.stringify(json)}\n`);
  return checked.every((t) => t.met);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function latencySummary(samples: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 10) / 10;
  return { n: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s[s.length - 1] ?? NaN) };
}

export const seconds = (ms: number) => Math.round(ms / 10) / 100;

/** 25000 → "25k", 500 → "500": the scale in a benchmark's name. */
export const scale = (n: number) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
