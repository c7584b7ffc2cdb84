// Databases for benchmarks: a fresh database per run (on a Postgres server, or a PGlite data
// directory), opened either plainly (set-up, through db/client.ts) or with statement counters
// (the measured process). Counting is done at drizzle's logger, so it is the same for both
// drivers: every statement the code under test issues, by verb and table, plus transactions
// (each adds a BEGIN and a COMMIT round trip).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { sql } from "drizzle-orm";
import type { Logger } from "drizzle-orm/logger";
import { createDb, embedded, type DB, type DbHandle } from "@/db/client";
import * as schema from "@/db/schema";

export type DbKind = "postgres" | "pglite";
export type DbTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

export type DbCounts = {
  statements: number;
  transactions: number;
  /** statements + BEGIN/COMMIT of each transaction */
  roundTrips: number;
  byVerb: Record<string, number>;
  /** insert/update/delete statements by table, e.g. "insert persons" */
  writes: Record<string, number>;
};

export class StatementCounter implements Logger {
  statements = 0;
  transactions = 0;
  readonly byVerb: Record<string, number> = {};
  readonly writes: Record<string, number> = {};
  /** When set, every statement is also recorded here (for EXPLAIN). */
  capture: { query: string; params: unknown[]; at: number }[] | null = null;

  logQuery(query: string, params: unknown[]): void {
    this.statements++;
    this.capture?.push({ query, params, at: performance.now() });
    const verb = /^\s*(\w+)/.exec(query)?.[1]?.toLowerCase() ?? "?";
    this.byVerb[verb] = (this.byVerb[verb] ?? 0) + 1;
    const table = /^\s*(?:insert into|update|delete from)\s+"?(\w+)"?/i.exec(query)?.[1];
    if (table) this.writes[`${verb} ${table}`] = (this.writes[`${verb} ${table}`] ?? 0) + 1;
  }

  reset(): void {
    this.statements = 0;
    this.transactions = 0;
    for (const o of [this.byVerb, this.writes]) for (const k of Object.keys(o)) delete o[k];
  }

  snapshot(): DbCounts {
    return {
      statements: this.statements,
      transactions: this.transactions,
      roundTrips: this.statements + 2 * this.transactions,
      byVerb: { ...this.byVerb },
      writes: { ...this.writes },
    };
  }
}

/** Opens the target like db/client.ts does (same drivers, no migrations), with a counter. */
export async function openCounted(target: DbTarget, poolSize = 4): Promise<{ db: DB; counter: StatementCounter; close: () => Promise<void> }> {
  const counter = new StatementCounter();
  let db: DB;
  let close: () => Promise<void>;
  if (target.kind === "postgres") {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(target.url, { max: poolSize, onnotice: () => {} });
    db = drizzle(client, { schema, logger: counter }) as unknown as DB;
    close = () => client.end({ timeout: 5 });
  } else {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    const client = await PGlite.create(target.dataDir, { extensions: { pg_trgm } });
    // As the app opens it (db/client.ts): statements give the event loop a turn, and the engine
    // knows it is the embedded database.
    db = embedded(client, drizzle(client, { schema, logger: counter }) as unknown as DB);
    close = () => client.close();
  }
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn, config) => {
    counter.transactions++;
    return transaction(fn, config);
  }) as DB["transaction"];
  return { db, counter, close };
}

export function openPlain(target: DbTarget): Promise<DbHandle> {
  return createDb(target.kind === "postgres" ? { url: target.url, max: 4 } : { dataDir: target.dataDir });
}

/** A new, migrated, empty database; drop() removes it. */
export async function freshDatabase(kind: DbKind, serverUrl: string | undefined): Promise<{ target: DbTarget; drop: () => Promise<void> }> {
  if (kind === "pglite") {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-pglite-"));
    const target: DbTarget = { kind, dataDir };
    await (await openPlain(target)).close();
    return { target, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  if (!serverUrl) throw new Error("Postgres: no server URL (set BENCH_PG_URL, or let bench start a throwaway server)");
  const name = `bench_${crypto.randomBytes(4).toString("hex")}`;
  await adminSql(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const target: DbTarget = { kind, url: url.toString() };
  await (await openPlain(target)).close();
  return { target, drop: () => adminSql(serverUrl, `drop database if exists ${name} with (force)`) };
}

async function adminSql(serverUrl: string, statement: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export type TableStats = Record<string, { ins: number; upd: number; del: number; read: number }>;

const TABLE_STATS_SQL = `select relname, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del,
  coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) as read from pg_stat_user_tables`;

function statsFromRows(rows: Record<string, unknown>[]): TableStats {
  return Object.fromEntries(rows.map((r) => [String(r.relname), { ins: Number(r.ins), upd: Number(r.upd), del: Number(r.del), read: Number(r.read) }]));
}

/** Rows written and read per table (pg_stat_user_tables; read = seq_tup_read + idx_tup_fetch)
 * on a Postgres server. A backend publishes its counters when idle (at most once a second) and
 * when it ends: read them after the measured process has exited. */
export async function tableStats(url: string): Promise<TableStats> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_stat_clear_snapshot()`;
    return statsFromRows(await sql.unsafe(TABLE_STATS_SQL));
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The same from inside a PGlite process (one backend: flush its own counters first). */
export async function ownTableStats(db: DB): Promise<TableStats> {
  await db.execute(sql`select pg_stat_force_next_flush()`);
  await db.execute(sql`select pg_stat_clear_snapshot()`);
  const res: unknown = await db.execute(sql.raw(TABLE_STATS_SQL));
  return statsFromRows((Array.isArray(res) ? res : (res as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[]);
}

/** Per table, what changed between two snapshots: "+inserted ~updated -deleted" and rows read. */
export function diffTableStats(before: TableStats, after: TableStats): { written: Record<string, string>; read: Record<string, number> } {
  const written: Record<string, string> = {};
  const read: Record<string, number> = {};
  for (const [table, a] of Object.entries(after)) {
    const b = before[table] ?? { ins: 0, upd: 0, del: 0, read: 0 };
    const d = { ins: a.ins - b.ins, upd: a.upd - b.upd, del: a.del - b.del };
    if (d.ins || d.upd || d.del) written[table] = `+${d.ins} ~${d.upd} -${d.del}`;
    if (a.read - b.read > 0) read[table] = a.read - b.read;
  }
  return { written, read };
}

/** A Postgres server for the run: BENCH_PG_URL / TEST_PG_URL if set, else a throwaway one
 * (scripts/pg-throwaway.sh) stopped at exit. */
export function postgresServer(): { url: string; stop: () => void } {
  const given = process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL;
  if (given) return { url: given, stop: () => {} };
  const out = execFileSync("bash", ["scripts/pg-throwaway.sh", "start"], { encoding: "utf8" });
  const vars = Object.fromEntries([...out.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
  const url = vars.TEST_PG_URL;
  const dir = vars.PGTMP;
  if (!url || !dir) throw new Error(`pg-throwaway.sh said: ${out}`);
  process.env.BENCH_PG_URL = url; // children reuse it
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    execFileSync("bash", ["scripts/pg-throwaway.sh", "stop", dir]);
  };
  process.on("exit", stop);
  return { url, stop };
}
