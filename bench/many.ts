// Benchmark (issue #16 item 2): many idle connections kept in sync by the background workers.
// N connections (default 2,000) of M contacts each (default 200), all linked and idle, served by
// K worker processes — lib/sync/jobs/worker-cli.ts, what `npm run worker -- --concurrency C
// --poll-seconds S` runs — against a Postgres server: the no-op runs per second, the CPU each
// run costs the workers and the database, and so the number of connections one core keeps in
// sync at a 5-minute interval (300 s ÷ CPU seconds per run). Target: ≥ 10,000 connections per
// core, i.e. ≤ 30 ms of CPU per no-op run. Then the scheduler's claim query under EXPLAIN
// (ANALYZE, BUFFERS) at 100,000 connection rows (bench/lib/many-explain.ts).
//
// How (everything real but the provider, which is the Google emulator, as in every benchmark):
// - One Google emulator process holds N accounts; each account's M contacts are created through
//   the People API (one batchCreate per 200), all distinct. The database has the demo company and
//   N users, one connection each (two-way, "owner only" by default), token sealed as the app does.
// - The initial syncs are done by worker processes too (--initial-config, default 2 × 4 lanes),
//   as real scheduled runs (trigger "initial"): N × M contacts really pulled and written; those
//   workers are then stopped. Then VACUUM ANALYZE (what autovacuum does within a minute of the
//   bulk load, well before the next 5-minute run).
// - A round: every connection is made due at once (next_run_at = now(), which is what the
//   scheduler's claim compares), and the workers, idle until then, claim and run them all. The
//   round ends when each connection has one finished run and no lease is held (a run's photo
//   phase done). Workers run with SYNC_INTERVAL_MINUTES=1440 so that a round is exactly one run
//   per connection (the interval only sets next_run_at at the claim; the per-core figure is
//   derived for 5 minutes from the CPU per run). Rounds 1 (the first no-op after the initial
//   sync: it still checks the persons the initial run created) and 2+ (steady state) are reported
//   separately.
// - CPU: from /proc, user + system time during the round of the worker processes, of the
//   Postgres server (the postmaster and all its backends, including exited ones, autovacuum
//   and this script's monitoring queries: one small count every 250 ms), and of the emulator
//   (reported apart: it stands in for Google). Idle polling of the workers during the round is
//   included. The machine's other load shows in the load average printed beside it.
// - The Postgres server: BENCH_PG_URL if set, else a throwaway server of its own
//   (scripts/pg-throwaway.sh). TEST_PG_URL is ignored on purpose: the database CPU is read for the
//   whole server, so a server shared with a test run would count the tests' work too.
//
//   tsx bench/many.ts [--connections 2000] [--contacts 200] [--configs 1x2,2x4] [--initial-config 2x4] [--poll-seconds 5]
//                     [--rounds 2] [--direction two_way|one_way] [--visibility owner|company]
//                     [--explain-rows 100000] [--skip-explain] [--explain-only] [--seed-parallel 8]
//                     [--row-counts on|off] [--smoke]
//   --configs KxC,…: for each, K worker processes of C lanes (--concurrency C) are started, run
//   --rounds rounds, and are stopped. Round 1 of each includes the fresh workers' warm-up (and,
//   for the first configuration, the first no-op after the initial sync); the last round of each
//   is its steady state, recorded in bench/out/results.jsonl (bench/lib/report.ts), one record
//   per configuration. Row counters (pg_stat_user_tables) are read 11 s after a round, outside
//   its CPU window, to show what it wrote (--row-counts on|off; off with --smoke: 22 s a round).
//   --smoke: 50 connections × 20 contacts, one configuration (1×2), one round, 10,000 rows for
//   the EXPLAIN.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { executeRows } from "@/db/client";
import type { Direction, Visibility } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { benchMain } from "./lib/cli";
import { diffTableStats, freshDatabase, openPlain, tableStats, type DbTarget, type TableStats } from "./lib/db";
import { treeCpuMs, postmasterPid } from "./lib/many-cpu";
import { explainClaim, type ClaimExplain } from "./lib/many-explain";
import { seedMany, startBigEmulator } from "./lib/many-seed";
import { startWorkers, type WorkerFleet } from "./lib/many-workers";
import { report, scale, type Target } from "./lib/report";

if (!process.env.BENCH_PG_URL) delete process.env.TEST_PG_URL;

const INTERVAL_S = 300;
const TARGET_PER_CORE = 10_000;
/** CPU per run that keeps TARGET_PER_CORE connections on one core at a 5-minute interval. */
const TARGET_CPU_MS = (INTERVAL_S * 1000) / TARGET_PER_CORE;

type Config = { workers: number; concurrency: number };

type RoundFigures = {
  label: string;
  config: Config;
  pollSeconds: number;
  runs: number;
  connectionsRun: number;
  outcomes: Record<string, number>;
  triggers: Record<string, number>;
  wallMs: number;
  spanMs: number;
  runsPerSecWall: number;
  runsPerSecSpan: number;
  runMs: { p50: number; p95: number; max: number };
  cpuMs: { workers: number; database: number | null; emulator: number | null };
  perRunMs: { worker: number; database: number | null; workerAndDatabase: number | null; emulator: number | null };
  perCore: { worker: number; workerAndDatabase: number | null };
  machineBusyPct: number;
  /** The same CPU over the span from the first run's start to the last one's end. */
  spanBusyPct: number;
  loadAvg: [number, number];
  /** null: not read (--row-counts off). */
  rowsWritten: Record<string, string> | null;
  problems: string[];
};

const log = (line: string) => process.stdout.write(`${line}\n`);
const r1 = (n: number) => Math.round(n * 10) / 10;
const r2 = (n: number) => Math.round(n * 100) / 100;
const int = (n: number) => Math.round(n).toLocaleString("en-US");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function parseConfigs(value: unknown): Config[] {
  const text = typeof value === "string" ? value : "1x2,2x4";
  if (text.trim() === "") throw new Error("--configs: at least one KxC");
  return text.split(",").map((part) => {
    const m = /^\s*(\d+)x(\d+)\s*$/.exec(part);
    if (!m) throw new Error(`--configs: KxC[,KxC…] (K worker processes of C lanes), not "${part}"`);
    const c = { workers: Number(m[1]), concurrency: Number(m[2]) };
    if (c.workers < 1 || c.concurrency < 1 || c.concurrency > 32) throw new Error(`--configs: ${part} out of range (C ≤ 32, the worker's limit)`);
    return c;
  });
}

benchMain(
  "many",
  async ({ db: kind, contacts, smoke, pgUrl, values }) => {
    if (kind !== "postgres" || !pgUrl) throw new Error("bench/many.ts needs a Postgres server (--db postgres): the workers are separate processes");
    const connections = Number(values.connections ?? (smoke ? 50 : 2_000));
    const explainRows = Number(values["explain-rows"] ?? (smoke ? 10_000 : 100_000));
    // The smoke run (in npm test) keeps the script working: one worker configuration, one round.
    const configs = parseConfigs(values.configs ?? (smoke ? "1x2" : undefined));
    const initialConfig = parseConfigs(values["initial-config"])[0]!;
    const pollSeconds = Number(values["poll-seconds"]);
    const rounds = Math.max(1, Number(values.rounds ?? (smoke ? 1 : 2)));
    const rowCounts = (values["row-counts"] ?? (smoke ? "off" : "on")) === "on";
    const direction: Direction = values.direction === "one_way" ? "one_way" : "two_way";
    const visibility: Visibility = values.visibility === "company" ? "company" : "owner";
    const name = `many-${scale(connections)}x${scale(contacts)}-google`;

    if (values["explain-only"]) {
      const { target, drop } = await freshDatabase("postgres", pgUrl);
      try {
        const handle = await openPlain(target);
        await seedDemo(handle.db).finally(() => handle.close());
        printExplain(await explainClaim(target, explainRows, INTERVAL_S * 1000));
      } finally {
        await drop();
      }
      return;
    }

    const started = performance.now();
    log(`${name}: ${int(connections)} connections × ${int(contacts)} contacts (${direction}, visibility ${visibility}); worker configurations ${configs.map((c) => `${c.workers}×${c.concurrency}`).join(", ")}, poll ${pollSeconds} s, ${rounds} no-op round(s) each; ${os.cpus().length} cores`);
    const emu = await startBigEmulator();
    const { target, drop } = await freshDatabase("postgres", pgUrl);
    if (target.kind !== "postgres") throw new Error("unreachable");
    const handle = await openPlain(target);
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-many-"));
    let failed = true;
    try {
      const db = handle.db;
      const t = performance.now();
      const world = await seedMany(db, emu.url, { connections, contacts, direction, visibility, parallel: Number(values["seed-parallel"]), progress: log });
      // Nothing is due until a round says so.
      await db.execute(sql`update sync_connections set next_run_at = now() + interval '1 day' where company_id = ${world.companyId}`);
      log(`seeded in ${r1((performance.now() - t) / 1000)} s: ${int(connections)} emulator accounts with ${int(connections * contacts)} contacts (${r1(world.accountsMs / 1000)} s), ${int(connections)} users and connections (${r1(world.connectionsMs / 1000)} s)`);

      const pgPid = await postmasterPid(target.url);
      if (pgPid === null) log("note: the Postgres server's processes cannot be read here (not local?): database CPU not measured");
      const workerEnv: Record<string, string> = {
        DATABASE_URL: target.url,
        GOOGLE_PEOPLE_ROOT_URL: `${emu.url}/`,
        GOOGLE_TOKEN_URL: `${emu.url}/token`,
        DEMO_MODE: "0",
        SYNC_INTERVAL_MINUTES: "1440",
        SYNC_WORKER: "off",
      };

      const fleetCtx = async (config: Config, label: string): Promise<RoundCtx> => {
        const fleet = await startWorkers({ ...config, pollSeconds, env: workerEnv, logDir, label });
        return { db, target, companyId: world.companyId, connections, fleet, config, pollSeconds, rowCounts, cpuRoots: { workers: fleet.pids, pg: pgPid, emu: emu.pid } };
      };

      // The initial syncs, by workers of their own (--initial-config), stopped after.
      const initialCtx = await fleetCtx(initialConfig, "initial");
      let initial: RoundFigures;
      try {
        initial = await round(initialCtx, "initial syncs");
      } finally {
        await initialCtx.fleet.stop();
      }
      printRound(initial, contacts);
      const [linked] = await executeRows<{ linked: number; active: number }>(
        db,
        sql`select count(*) filter (where linked_count = ${contacts})::int as linked, count(*) filter (where status = 'active' and last_error is null)::int as active from sync_connections where company_id = ${world.companyId}`,
      );
      log(`  after the initial syncs: ${int(linked!.linked)} of ${int(connections)} connections have ${int(contacts)} links, ${int(linked!.active)} are active without error`);
      if (linked!.linked !== connections || linked!.active !== connections) throw new Error("not every connection got through its initial sync");
      const tv = performance.now();
      await db.execute(sql`vacuum analyze`);
      log(`  vacuum analyze: ${r1((performance.now() - tv) / 1000)} s`);

      // The no-op rounds: each configuration's workers are started fresh (round 1 includes their
      // warm-up; the very first round is also the first no-op after the initial sync).
      const all: RoundFigures[] = [];
      for (const [ci, config] of configs.entries()) {
        const ctx = await fleetCtx(config, `${config.workers}x${config.concurrency}`);
        try {
          for (let r = 1; r <= rounds; r++) {
            const note = r === 1 ? (ci === 0 ? " (fresh workers; first after the initial sync)" : " (fresh workers)") : "";
            const figures = await round(ctx, `no-op round ${r}${note}`);
            printRound(figures, contacts);
            all.push(figures);
          }
        } finally {
          await ctx.fleet.stop();
        }
      }

      let explain: ClaimExplain | null = null;
      if (!values["skip-explain"]) {
        const te = performance.now();
        explain = await explainClaim(target, explainRows, INTERVAL_S * 1000);
        printExplain(explain);
        log(`(EXPLAIN part: ${r1((performance.now() - te) / 1000)} s)`);
      }
      log(`total ${r1((performance.now() - started) / 1000)} s`);

      // One record per worker configuration: its last round (steady state).
      let met = true;
      for (const config of configs) {
        const mine = all.filter((f) => f.config === config);
        const last = mine[mine.length - 1]!;
        const targets: Target[] = [
          { name: "worker CPU per no-op run", value: r2(last.perRunMs.worker), limit: TARGET_CPU_MS, unit: " ms" },
          ...(last.perRunMs.workerAndDatabase !== null ? [{ name: "worker + database CPU per no-op run", value: r2(last.perRunMs.workerAndDatabase), limit: TARGET_CPU_MS, unit: " ms" }] : []),
        ];
        met =
          report(
            `${name}-${config.workers}x${config.concurrency}`,
            "postgres",
            `${int(connections)} connections × ${int(contacts)} contacts, ${config.workers} worker(s) × ${config.concurrency} lanes, poll ${pollSeconds} s: ` +
              `${r1(last.runsPerSecSpan)} no-op runs/s (${r1(last.runsPerSecWall)} from due to done); CPU per run worker ${r2(last.perRunMs.worker)} ms, database ${fmtMs(last.perRunMs.database)}, emulator ${fmtMs(last.perRunMs.emulator)}; ` +
              `connections per core at 5 min: worker ${int(last.perCore.worker)}, worker + database ${last.perCore.workerAndDatabase === null ? "?" : int(last.perCore.workerAndDatabase)} ` +
              `(target ≥ ${int(TARGET_PER_CORE)} ⇔ ≤ ${TARGET_CPU_MS} ms per run)`,
            targets,
            {
              connections,
              contacts,
              direction,
              visibility,
              provider: "google",
              initialSync: { by: `${initialConfig.workers} worker process(es) × ${initialConfig.concurrency} lanes (real scheduled runs)`, ...initial },
              rounds: mine,
              ...(explain ? { claimExplain: { ...explain, cases: explain.cases.map((c) => ({ ...c, plan: c.plan.split("\n") })) } } : {}),
            },
          ) && met;
      }
      failed = false;
      return met;
    } finally {
      await handle.close();
      await emu.close();
      await drop().catch(() => {});
      if (failed) log(`worker logs kept in ${logDir}`);
      else fs.rmSync(logDir, { recursive: true, force: true });
    }
  },
  {
    connections: { type: "string" },
    configs: { type: "string" },
    "initial-config": { type: "string", default: "2x4" },
    "poll-seconds": { type: "string", default: "5" },
    rounds: { type: "string" },
    direction: { type: "string", default: "two_way" },
    visibility: { type: "string", default: "owner" },
    "explain-rows": { type: "string" },
    "skip-explain": { type: "boolean", default: false },
    "explain-only": { type: "boolean", default: false },
    "seed-parallel": { type: "string", default: "8" },
    "row-counts": { type: "string" },
  },
  { contacts: 200, smokeContacts: 20 },
);

type RoundCtx = {
  db: DB;
  target: Extract<DbTarget, { kind: "postgres" }>;
  companyId: string;
  connections: number;
  fleet: WorkerFleet;
  config: Config;
  pollSeconds: number;
  rowCounts: boolean;
  cpuRoots: { workers: number[]; pg: number | null; emu: number };
};

function sampleCpu(roots: RoundCtx["cpuRoots"]): { workers: number; pg: number | null; emu: number | null } {
  const all = treeCpuMs([...roots.workers, ...(roots.pg !== null ? [roots.pg] : []), roots.emu]);
  const workers = all.slice(0, roots.workers.length);
  if (workers.some((w) => w === null)) throw new Error("a worker process exited during the round");
  return { workers: workers.reduce<number>((s, w) => s + w!, 0), pg: roots.pg !== null ? all[roots.workers.length]! : null, emu: all[all.length - 1]! };
}

/** Makes every connection of the company due, and waits until each has one finished run and
 * no lease is held. CPU and load are read just before and just after. */
async function round(ctx: RoundCtx, label: string): Promise<RoundFigures> {
  const { db, companyId, connections: n, fleet } = ctx;
  const problemsBefore = fleet.problems().length;
  const statsBefore = ctx.rowCounts ? await settledStats(ctx.target.url) : null;
  const load0 = os.loadavg()[0]!;
  const cpu0 = sampleCpu(ctx.cpuRoots);
  const t0 = performance.now();
  const [due] = await executeRows<{ at: string; n: number }>(
    db,
    sql`with u as (update sync_connections set next_run_at = now() where company_id = ${companyId} returning 1) select now()::text as at, (select count(*) from u)::int as n`,
  );
  const at = due!.at;
  let last = -1;
  let lastChange = performance.now();
  let lastPrint = performance.now();
  for (;;) {
    await sleep(250);
    const [s] = await executeRows<{ finished: number; started: number }>(
      db,
      sql`select count(*) filter (where outcome <> 'running')::int as finished, count(*)::int as started from sync_runs where started_at >= ${at}::timestamptz`,
    );
    const finished = s!.finished;
    if (finished >= n) break;
    const now = performance.now();
    if (finished !== last) {
      last = finished;
      lastChange = now;
    } else if (now - lastChange > 60_000) {
      throw new Error(`${label}: stuck at ${finished} of ${n} finished runs for 60 s; worker log problems:\n${fleet.problems().slice(-20).join("\n")}`);
    }
    if (now - lastPrint > 15_000) {
      lastPrint = now;
      log(`  … ${label}: ${int(finished)} of ${int(n)} runs finished (${r1((now - t0) / 1000)} s)`);
    }
  }
  // The photo phase follows each run, under a lease of its own: done when no lease is held.
  for (let i = 0; i < 60; i++) {
    const [l] = await executeRows<{ n: number }>(db, sql`select count(*)::int as n from sync_connections where company_id = ${companyId} and lease_owner is not null`);
    if (l!.n === 0) break;
    await sleep(250);
  }
  const wallMs = performance.now() - t0;
  const cpu1 = sampleCpu(ctx.cpuRoots);
  const load1 = os.loadavg()[0]!;

  const [stats] = await executeRows<{ runs: number; conns: number; span_ms: number; p50: number; p95: number; max: number }>(
    db,
    sql`select count(*)::int as runs, count(distinct connection_id)::int as conns,
               extract(epoch from max(finished_at) - min(started_at)) * 1000 as span_ms,
               percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at) * 1000) as p50,
               percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at) * 1000) as p95,
               max(extract(epoch from finished_at - started_at) * 1000) as max
        from sync_runs where started_at >= ${at}::timestamptz`,
  );
  const group = async (col: "outcome" | "trigger") =>
    Object.fromEntries(
      (await executeRows<{ k: string; n: number }>(db, sql`select ${sql.raw(col)}::text as k, count(*)::int as n from sync_runs where started_at >= ${at}::timestamptz group by 1 order by 2 desc`)).map((r) => [r.k, r.n]),
    );
  const outcomes = await group("outcome");
  const triggers = await group("trigger");
  const rowsWritten = statsBefore ? diffTableStats(statsBefore, await settledStats(ctx.target.url)).written : null;

  const runs = stats!.runs;
  const workers = cpu1.workers - cpu0.workers;
  const database = cpu0.pg !== null && cpu1.pg !== null ? cpu1.pg - cpu0.pg : null;
  const emulator = cpu0.emu !== null && cpu1.emu !== null ? cpu1.emu - cpu0.emu : null;
  const per = (ms: number | null) => (ms === null ? null : ms / runs);
  const perRun = { worker: workers / runs, database: per(database), workerAndDatabase: database === null ? null : (workers + database) / runs, emulator: per(emulator) };
  const spanMs = Number(stats!.span_ms);
  return {
    label,
    config: ctx.config,
    pollSeconds: ctx.pollSeconds,
    runs,
    connectionsRun: stats!.conns,
    outcomes,
    triggers,
    wallMs: Math.round(wallMs),
    spanMs: Math.round(spanMs),
    runsPerSecWall: (runs * 1000) / wallMs,
    runsPerSecSpan: (runs * 1000) / spanMs,
    runMs: { p50: r1(Number(stats!.p50)), p95: r1(Number(stats!.p95)), max: r1(Number(stats!.max)) },
    cpuMs: { workers: Math.round(workers), database: database === null ? null : Math.round(database), emulator: emulator === null ? null : Math.round(emulator) },
    perRunMs: perRun,
    perCore: { worker: (INTERVAL_S * 1000) / perRun.worker, workerAndDatabase: perRun.workerAndDatabase === null ? null : (INTERVAL_S * 1000) / perRun.workerAndDatabase },
    machineBusyPct: Math.round(((workers + (database ?? 0) + (emulator ?? 0)) / (wallMs * os.cpus().length)) * 100),
    spanBusyPct: Math.round(((workers + (database ?? 0) + (emulator ?? 0)) / (spanMs * os.cpus().length)) * 100),
    loadAvg: [r2(load0), r2(load1)],
    rowsWritten,
    problems: fleet.problems().slice(problemsBefore),
  };
}

/** Row counters of the workers' backends are published when a backend is idle, at most once a
 * second, else up to 10 s later (PGSTAT_IDLE_INTERVAL): wait until the written-row counters have
 * not moved for 11 s (at most 40 s). Reads are not compared: idle workers keep polling. */
async function settledStats(url: string): Promise<TableStats> {
  const writes = (s: TableStats) => JSON.stringify(Object.entries(s).map(([t, v]) => [t, v.ins, v.upd, v.del]));
  let prev = await tableStats(url);
  let since = performance.now();
  const deadline = since + 40_000;
  while (performance.now() < deadline) {
    await sleep(1_000);
    const next = await tableStats(url);
    if (writes(next) !== writes(prev)) since = performance.now();
    prev = next;
    if (performance.now() - since >= 11_000) break;
  }
  return prev;
}

const fmtMs = (ms: number | null) => (ms === null ? "?" : `${r2(ms)} ms`);
const kv = (o: Record<string, unknown>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(", ") || "none";

function printRound(f: RoundFigures, contacts: number): void {
  log(
    `${f.label} — ${f.config.workers} worker(s) × ${f.config.concurrency} lanes, poll ${f.pollSeconds} s: ${int(f.runs)} runs of ${int(f.connectionsRun)} connections (${kv(f.outcomes)}; trigger ${kv(f.triggers)})`,
  );
  log(`  runs/s: ${r1(f.runsPerSecSpan)} from the first run's start to the last one's end (${r1(f.spanMs / 1000)} s); ${r1(f.runsPerSecWall)} from "all due" to "all done" (${r1(f.wallMs / 1000)} s)`);
  log(`  run wall time: p50 ${f.runMs.p50} ms, p95 ${f.runMs.p95} ms, max ${f.runMs.max} ms`);
  log(
    `  CPU: workers ${r1(f.cpuMs.workers / 1000)} s, Postgres ${f.cpuMs.database === null ? "?" : r1(f.cpuMs.database / 1000)} s, emulator ${f.cpuMs.emulator === null ? "?" : r1(f.cpuMs.emulator / 1000)} s → ` +
      `per run: worker ${fmtMs(f.perRunMs.worker)}, database ${fmtMs(f.perRunMs.database)}, worker + database ${fmtMs(f.perRunMs.workerAndDatabase)} (emulator ${fmtMs(f.perRunMs.emulator)})`,
  );
  log(
    `  machine: the three used ${f.machineBusyPct} % of ${os.cpus().length} cores from "all due" to "all done", ${f.spanBusyPct} % over the runs' span; load average ${f.loadAvg[0]} → ${f.loadAvg[1]}`,
  );
  if (f.rowsWritten) log(`  rows written: ${kv(f.rowsWritten)}`);
  if (f.triggers.initial) {
    log(`  (initial syncs: ${int(f.runs * contacts)} contacts in ${r1(f.spanMs / 1000)} s = ${int((f.runs * contacts * 1000) / f.spanMs)} contacts/s)`);
  } else {
    log(
      `  connections kept in sync per core at a 5-minute interval: worker alone ${int(f.perCore.worker)}, worker + database ${f.perCore.workerAndDatabase === null ? "?" : int(f.perCore.workerAndDatabase)} (target ≥ ${int(TARGET_PER_CORE)})`,
    );
  }
  if (f.problems.length > 0) log(`  worker log warnings/errors (${f.problems.length}):\n    ${f.problems.slice(0, 10).join("\n    ")}`);
}

function printExplain(e: ClaimExplain): void {
  log(`\nThe scheduler's claim (claimNextConnection, lib/sync/jobs/scheduler.ts) at ${int(e.rows)} connection rows (${int(e.synthetic)} synthetic), in a transaction rolled back after:`);
  log(`  claimable when busy: ${int(e.due)} (due, requested or lapsed-lease rows of runnable, configured connections)`);
  log(`  the statement it sends (captured at drizzle's logger, parameters inlined):\n    ${e.statement.replace(/\s+/g, " ")}`);
  for (const c of e.cases) {
    log(`\n-- ${c.state}: execution ${c.times.map((t) => `${t} ms`).join(", ")}; claimNextConnection call ${c.claimMs.map((t) => `${t} ms`).join(", ")}; seq scan of sync_connections: ${c.seqScan ? "YES" : "no"}`);
    log(c.plan);
  }
}
