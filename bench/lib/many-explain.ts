// The scheduler's claim under EXPLAIN (ANALYZE, BUFFERS) at R connection rows (bench/many.ts).
// Inside a transaction that is always rolled back (one per state, the table vacuumed after
// each): synthetic connections are added up to R rows, ANALYZE'd (it samples the transaction's
// own new rows), then claimNextConnection itself
// (lib/sync/jobs/scheduler.ts, unchanged) is called once with a logging database handle, so the SQL
// explained is the very statement it sends (captured at drizzle's logger, its parameters written
// in as literals: they only feed the SET list, so the plan is the one the prepared statement
// gets). Each EXPLAIN ANALYZE really claims a row, as successive claims would.
// Two states are explained: "busy" (1 % of the rows due, some requested, some running, a few
// lapsed leases) and "idle" (nothing due, requested or lapsed: what every idle worker lane asks
// every poll). Before migration 0012 both read the whole table (a sequential scan: 26–31 ms at
// 100,000 rows); now each arm of the claim's OR has an index. The transaction's now() is fixed
// at its start, as the synthetic rows' times are.
import { sql } from "drizzle-orm";
import type { DB, Tx } from "@/db/client";
import { executeRows } from "@/db/client";
import { claimNextConnection } from "@/lib/sync/jobs/scheduler";
import { openCounted, type DbTarget, type StatementCounter } from "./db";
import { inline } from "./explain";

export type ExplainCase = { state: "busy" | "idle"; times: number[]; claimMs: number[]; plan: string; seqScan: boolean };
export type ClaimExplain = { rows: number; synthetic: number; due: number; statement: string; cases: ExplainCase[] };

const REPEAT = 3;

class Rollback extends Error {}

export async function explainClaim(target: DbTarget, rows: number, intervalMs: number): Promise<ClaimExplain> {
  const { db, counter, close } = await openCounted(target, 1);
  try {
    const busy = await explainState(db, counter, "busy", rows, intervalMs);
    const idle = await explainState(db, counter, "idle", rows, intervalMs);
    return { rows: busy.rows, synthetic: busy.synthetic, due: busy.due, statement: busy.statement, cases: [...busy.cases, ...idle.cases] };
  } finally {
    await close();
  }
}

/** One state in a transaction of its own, rolled back; then VACUUM of the table, so that the
 * next state (and the benchmark's database) does not read the rolled-back rows. */
async function explainState(db: DB, counter: StatementCounter, state: ExplainCase["state"], rows: number, intervalMs: number): Promise<ClaimExplain> {
  let result: ClaimExplain | null = null;
  try {
    await db.transaction(async (tx) => {
      const q = <T extends Record<string, unknown>>(s: string) => executeRows<T>(tx, sql.raw(s));
      const [{ n: existing } = { n: 0 }] = await q<{ n: number }>("select count(*)::int as n from sync_connections");
      const synthetic = Math.max(0, rows - existing);
      await insertSynthetic(tx, synthetic, state);
      await q("analyze sync_connections");
      const [{ n: due } = { n: 0 }] = await q<{ n: number }>(
        "select count(*)::int as n from sync_connections where status in ('active','error') and group_id is not null and (run_requested_at is not null or next_run_at <= now() or lease_owner is not null) and (lease_until is null or lease_until < now())",
      );

      // The statement, as claimNextConnection sends it (idle: it claims nothing, but sends it).
      counter.capture = [];
      const claimed = await claimNextConnection(tx as unknown as DB, { intervalMs });
      const captured = counter.capture.find((c) => /^\s*update\s+"sync_connections"/i.test(c.query));
      counter.capture = null;
      if (!captured) throw new Error("claimNextConnection sent no UPDATE of sync_connections");
      if (state === "busy" && !claimed) throw new Error("the claim took no connection in the busy state");
      const statement = inline(captured.query, captured.params);

      const cases: ExplainCase[] = [];
      const measure = async () => {
        const times: number[] = [];
        const claimMs: number[] = [];
        let plan = "";
        for (let i = 0; i < REPEAT; i++) {
          const lines = (await q<Record<string, unknown>>(`explain (analyze, buffers) ${statement}`)).map((r) => String(Object.values(r)[0]));
          if (i === 0) plan = lines.join("\n");
          times.push(Number(/Execution Time: ([\d.]+)/.exec(lines.join("\n"))?.[1] ?? NaN));
          // The call itself, as a worker makes it (round trip included).
          const t = performance.now();
          await claimNextConnection(tx as unknown as DB, { intervalMs });
          claimMs.push(Math.round((performance.now() - t) * 100) / 100);
        }
        cases.push({ state, times, claimMs, plan, seqScan: /Seq Scan on sync_connections/.test(plan) });
      };
      await measure();
      result = { rows: existing + synthetic, synthetic, due, statement, cases };
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  await db.execute(sql`vacuum analyze sync_connections`);
  return result!;
}

/** Synthetic connections of the company's users, as a big install's table would hold them at a
 * 5-minute interval: next runs spread over the next 5 minutes; 0.2 % running (a live lease,
 * next run moved on by the claim); 1 % paused, 1 % reconnect-needed, 1 % error; 0.5 % without a
 * group yet. Busy only: 1 % due (up to 30 s overdue), 1 in 5,000 with a "sync now" request
 * waiting, 1 in 20,000 with a lapsed lease (a dead worker's). Tokens: the sealed tokens of an
 * existing connection (their size is real). */
async function insertSynthetic(tx: Tx, n: number, state: ExplainCase["state"]): Promise<void> {
  const busy = state === "busy";
  if (n <= 0) return;
  await tx.execute(
    sql.raw(`
    with u as (select array_agg(id order by id) as ids, min(company_id::text)::uuid as company from users),
         t as (select coalesce((select tokens from sync_connections where tokens is not null limit 1), repeat('x', 200)) as tokens)
    insert into sync_connections (company_id, user_id, provider, account_email, tokens, group_id, group_name, direction, visibility,
                                  status, next_run_at, lease_owner, lease_until, run_requested_at, last_run_at, last_success_at, cursor)
    select u.company, u.ids[1 + g % cardinality(u.ids)], 'google', 'synthetic-' || g || '@gmail.com', t.tokens,
           case when g % 200 = 3 then null else 'contactGroups/synthetic' || g end, 'Clients', 'two_way', 'owner',
           (case g % 100 when 0 then 'paused' when 1 then 'reconnect_needed' when 2 then 'error' else 'active' end)::sync_connection_status,
           case when ${busy} and g % 100 = 50 then now() - make_interval(secs => g % 30)
                else now() + make_interval(secs => ((g * 7919) % 300000) / 1000.0) end,
           case when g % 500 = 7 or (${busy} and g % 20000 = 11) then gen_random_uuid()::text end,
           case when g % 500 = 7 then now() + interval '20 seconds' when ${busy} and g % 20000 = 11 then now() - interval '10 seconds' end,
           case when ${busy} and g % 5000 = 13 then now() - interval '5 seconds' end,
           now() - interval '5 minutes', now() - interval '5 minutes', 'synthetic-sync-token-' || g
    from generate_series(1, ${n}) g, u, t`),
  );
}
