// BENCH_EXPLAIN=1: after the measured work, each statement it issued is run again under
// EXPLAIN (ANALYZE, BUFFERS) inside a transaction that is rolled back (so writes are undone),
// and the costliest are printed with their plan. The database has the run's end state, which
// is close to what each statement met (writes see their own rows: good enough to rank them).
import { sql } from "drizzle-orm";
import type { DB } from "@/db/client";

export type Captured = { query: string; params: unknown[]; at?: number };

/** The statement with its parameters written in (for EXPLAIN of benchmark data only). */
export function inline(query: string, params: unknown[]): string {
  return query.replace(/\$(\d+)\b/g, (_, i: string) => literal(params[Number(i) - 1]));
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return `'${v.toISOString()}'`;
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return `'${text.replace(/'/g, "''")}'`;
}

const rowsOf = (res: unknown) => (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Record<string, unknown>[];

/** Ranks the captured statements (identical SQL text grouped) by total execution time. */
export async function explainStatements(db: DB, captured: Captured[], top = 8): Promise<void> {
  const groups = new Map<string, Captured[]>();
  for (const c of captured) if (!/^\s*(begin|commit|rollback)/i.test(c.query)) groups.set(c.query, [...(groups.get(c.query) ?? []), c]);
  const results: { query: string; n: number; ms: number; plan: string }[] = [];
  for (const [query, calls] of groups) {
    // One call of each statement (the first) is explained; its time is scaled by the calls.
    const first = calls[0]!;
    const lines = await explainOnce(db, first);
    const ms = Number(/Execution Time: ([\d.]+)/.exec(lines.join("\n"))?.[1] ?? 0);
    results.push({ query, n: calls.length, ms: ms * calls.length, plan: lines.join("\n") });
  }
  results.sort((a, b) => b.ms - a.ms);
  // The timeline: when each statement was sent, and the gap to the next one (its execution and
  // transfer, plus whatever the engine did in between).
  const t0 = captured[0]?.at ?? 0;
  captured.forEach((c, i) => {
    const next = captured[i + 1]?.at;
    process.stdout.write(`  +${((c.at ?? 0) - t0).toFixed(1)} ms (gap ${next !== undefined ? (next - (c.at ?? 0)).toFixed(1) : "?"} ms) ${c.query.replace(/\s+/g, " ").slice(0, 110)}\n`);
  });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`\nEXPLAIN ANALYZE of the run's statements (one call of each, × calls), top ${top}:`);
  for (const r of results.slice(0, top)) {
    log(`\n-- ${r.ms.toFixed(1)} ms total, ${r.n} call(s): ${r.query.replace(/\s+/g, " ").slice(0, 300)}\n${r.plan}`);
  }
}

/** EXPLAIN ANALYZE inside a transaction that is always rolled back. */
async function explainOnce(db: DB, c: Captured): Promise<string[]> {
  let lines: string[] = [];
  await db
    .transaction(async (tx) => {
      const res = await tx.execute(sql.raw(`explain (analyze, buffers) ${inline(c.query, c.params)}`));
      lines = rowsOf(res).map((r) => String(Object.values(r)[0]));
      tx.rollback();
    })
    .catch(() => {});
  return lines;
}
