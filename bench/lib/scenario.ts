// A sync benchmark's world: an emulator process (or Radicale behind the counting proxy) with a
// seeded address book, a fresh database with the demo company, and a connection of the demo user
// "east" to the book's group. run() measures one sync run in its own process (see measured.ts)
// and adds the provider's view (the request counters for the account) and, on Postgres, the rows
// written per table.
import { sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import type { Direction } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import type { ProviderId } from "@/db/vocabulary";
import { connectBook } from "@/tests/kit/connect";
import { buildAddressBook, type BenchBook } from "./address-book";
import { seedCardDavBook } from "./carddav";
import type { DavFloorResult, DavFloorSpec } from "./dav-floor";
import type { DavTarget } from "./dav-requests";
import { diffTableStats, freshDatabase, openPlain, tableStats, type DbKind, type DbTarget, type TableStats } from "./db";
import { startEmulator, type EmulatorHandle } from "./emulator";
import type { MeasuredResult, MeasuredSpec } from "./measured";
import { runChild } from "./proc";

export type RunFigures = MeasuredResult & {
  calls: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
};

export type SyncBenchOptions = {
  provider: ProviderId;
  contacts: number;
  db: DbKind;
  pgUrl: string | undefined;
  direction: Direction;
  photoShare?: number;
};

type World = { target: DbTarget; drop: () => Promise<void>; connectionId: string; companyId: string; users: Record<string, string> };

export class SyncBench {
  private constructor(
    readonly opts: SyncBenchOptions,
    readonly emu: EmulatorHandle,
    readonly book: BenchBook,
    readonly world: World,
    readonly seedMs: number,
    private readonly extra: World[] = [],
  ) {}

  static async start(opts: SyncBenchOptions): Promise<SyncBench> {
    const emu = await startEmulator(opts.provider);
    try {
      const t = performance.now();
      if (opts.provider === "carddav" && opts.photoShare) throw new Error("The CardDAV seed has no photos");
      const book = opts.provider === "carddav" ? await seedCardDavBook(emu, opts.contacts) : await buildAddressBook(emu, opts.contacts, { photoShare: opts.photoShare });
      const seedMs = Math.round(performance.now() - t);
      const world = await SyncBench.newWorld(opts, book);
      return new SyncBench(opts, emu, book, world, seedMs);
    } catch (error) {
      await emu.close();
      throw error;
    }
  }

  private static async newWorld(opts: SyncBenchOptions, book: BenchBook): Promise<World> {
    const { target, drop } = await freshDatabase(opts.db, opts.pgUrl);
    const handle = await openPlain(target);
    try {
      // BENCH_EXTRA_SQL="create index …; …": a candidate schema change, applied after the
      // migrations (measured before anyone adds it to db/migrations); the record names it.
      for (const statement of extraSql()) await handle.db.execute(sql.raw(statement));
      const demo = await seedDemo(handle.db);
      const connectionId = await connectBook(handle.db, demo, book, { direction: opts.direction, visibility: "company" });
      return { target, drop, connectionId, companyId: demo.companyId, users: demo.users };
    } finally {
      await handle.close();
    }
  }

  /** One sync run of the connection, measured. Rows written/read per table come from
   * pg_stat_user_tables: read here after the run (Postgres), or by the measured process (PGlite). */
  run(): Promise<RunFigures> {
    return this.measure(this.world, { mode: "sync", target: this.world.target, connectionId: this.world.connectionId, provider: this.opts.provider, apiUrl: this.emu.url, warm: this.emu.dav?.warm });
  }

  /** The photos the run noted, fetched after it (what the worker does next), measured. */
  photos(): Promise<RunFigures> {
    return this.measure(this.world, { mode: "photos", target: this.world.target, connectionId: this.world.connectionId, provider: this.opts.provider, apiUrl: this.emu.url, warm: this.emu.dav?.warm });
  }

  /** The connection's first-sync preview, built and measured (bench/match.ts). */
  preview(): Promise<RunFigures> {
    return this.measure(this.world, { mode: "preview", target: this.world.target, connectionId: this.world.connectionId, provider: this.opts.provider, apiUrl: this.emu.url, warm: this.emu.dav?.warm });
  }

  /** VACUUM ANALYZE: what autovacuum does within a minute of a bulk load (the initial sync),
   * well before the next scheduled run (5 minutes); without it a run right after the initial one
   * meets the planner's empty-table statistics. */
  async settle(): Promise<void> {
    await this.withDb((db) => db.execute(sql`vacuum analyze`));
  }

  /** What a floor measurement reads: the benchmark's account, through the emulator. */
  private floorSpec(world: World, mode: "floor" | "fetch" | "copy"): MeasuredSpec {
    return {
      mode,
      target: world.target,
      connectionId: world.connectionId,
      provider: this.opts.provider,
      emulatorUrl: this.emu.url,
      token: this.book.accessToken,
      username: this.book.email,
      groupId: this.book.groupId,
      warm: this.emu.dav?.warm,
    };
  }

  /** The database floor of the initial sync, into a database of its own. */
  async floor(): Promise<RunFigures> {
    const world = await SyncBench.newWorld(this.opts, this.book);
    this.extra.push(world);
    return this.measure(world, this.floorSpec(world, "floor"));
  }

  /** The physical floor of the initial sync (Google and Microsoft): the same pages through the
   * official client with no database ("fetch"), and the same rows COPY'd into tables with only
   * primary keys ("copy", Postgres server only, into a database of its own). A sync could
   * overlap the two, so the floor is the larger. */
  async physicalFloor(): Promise<{ fetch: RunFigures; copy: RunFigures | null; ms: number }> {
    const fetch = await this.measure(this.world, this.floorSpec(this.world, "fetch"));
    let copy: RunFigures | null = null;
    if (this.opts.db === "postgres") {
      const world = await SyncBench.newWorld(this.opts, this.book);
      this.extra.push(world);
      copy = await this.measure(world, this.floorSpec(world, "copy"));
    }
    return { fetch, copy, ms: Math.max(fetch.ms, copy?.ms ?? 0) };
  }

  /** CardDAV: the floor of the server's side, Radicale alone answering the requests of a full
   * listing ("listing") or of a run that finds nothing changed ("changes"), with plain fetch
   * and no database, `runs` times each through the proxy and straight to Radicale. */
  async davFloor(mode: DavFloorSpec["mode"], runs = 3): Promise<DavFloorResult> {
    if (!this.emu.dav) throw new Error("not a CardDAV benchmark");
    const at = (url: string): DavTarget => ({ url, bookHref: this.book.groupId, username: this.book.email, password: this.book.accessToken });
    const spec: DavFloorSpec = { mode, runs, targets: { proxy: at(this.emu.url), radicale: at(this.emu.dav.server.url) } };
    return runChild<DavFloorResult>("bench/lib/dav-floor.ts", [JSON.stringify(spec)], `dav floor (${mode})`);
  }

  private async measure(world: World, spec: MeasuredSpec): Promise<RunFigures> {
    await this.emu.resetStats(this.book.email);
    const pgBefore = world.target.kind === "postgres" ? await tableStats(world.target.url) : null;
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the measured process (see bench/profile-top.ts).
    const prof = process.env.BENCH_CPU_PROF;
    const result = await runChild<MeasuredResult>("bench/lib/measured.ts", [JSON.stringify(spec)], spec.mode, undefined, prof ? ["--cpu-prof", "--cpu-prof-dir", prof] : []);
    const stats = await this.emu.stats(this.book.email);
    const rows = pgBefore && world.target.kind === "postgres" ? diffTableStats(pgBefore, await settledStats(world.target.url)) : undefined;
    if (result.summary?.status === "done" && result.summary.outcome !== "succeeded") {
      throw new Error(`sync run ended ${result.summary.outcome}: ${result.summary.error ?? ""}`);
    }
    return { ...result, calls: stats.total, byEndpoint: stats.byEndpoint, byStatus: stats.byStatus, ...(rows ? { rowsWritten: rows.written, rowsRead: rows.read } : {}) };
  }

  /** Opens the benchmark's database for set-up or checks (PGlite: closed again after, so the
   * measured process can open it). */
  async withDb<T>(fn: (db: DB) => Promise<T>): Promise<T> {
    const handle = await openPlain(this.world.target);
    try {
      return await fn(handle.db);
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    await this.emu.close();
    for (const w of [this.world, ...this.extra]) await w.drop().catch(() => {});
  }
}

/** --provider: google (the default), microsoft or carddav. */
export function benchProvider(value: string | boolean | undefined): ProviderId {
  if (value === undefined || value === "google" || value === "microsoft" || value === "carddav") return value ?? "google";
  throw new Error(`--provider: google, microsoft or carddav, not ${String(value)}`);
}

export const extraSql = () =>
  (process.env.BENCH_EXTRA_SQL ?? "")
    .split(";")
    .map((x) => x.trim())
    .filter(Boolean);

/** The measured process's backends publish their counters as they exit: wait until two reads
 * 100 ms apart agree (at most 2 s). */
async function settledStats(url: string): Promise<TableStats> {
  let last = await tableStats(url);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const next = await tableStats(url);
    if (JSON.stringify(next) === JSON.stringify(last)) return next;
    last = next;
  }
  return last;
}

/** "people.connections.list 25, …" */
export function endpointsLine(byEndpoint: Record<string, number>): string {
  return Object.entries(byEndpoint)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}

export function countWhere(byEndpoint: Record<string, number>, pattern: RegExp): number {
  return Object.entries(byEndpoint).reduce((n, [k, v]) => (pattern.test(k) ? n + v : n), 0);
}

/** Provider calls that change something (create/update/delete, incl. inside a $batch). */
export const providerWrites = (byEndpoint: Record<string, number>) => countWhere(byEndpoint, /create|update|delete|modify|put|patch|post/i);

const compact = (o: Record<string, unknown> | undefined) =>
  o && Object.keys(o).length > 0
    ? Object.entries(o)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(", ")
    : "none";

/** Where a CardDAV run's time goes: waiting on the server (the adapter makes its requests one
 * at a time) and the rest, of which this process's CPU. */
export function davRunLine(run: RunFigures): string {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  return `waiting on the server ${s(run.http.waitMs)} s over ${run.http.requests} requests, the rest ${s(run.ms - run.http.waitMs)} s (CPU ${s(run.cpuMs)} s)`;
}

/** The figures every sync benchmark prints. */
export function runLine(run: RunFigures): string {
  return (
    `${run.ms} ms; provider calls ${run.calls} (${endpointsLine(run.byEndpoint)}); ` +
    `db ${run.db.statements} statements + ${run.db.transactions} transactions = ${run.db.roundTrips} round trips` +
    (run.rowsWritten ? `; rows written ${compact(run.rowsWritten)}; rows read ${compact(run.rowsRead)}` : `; statements writing ${compact(run.db.writes)}`) +
    `; peak RSS ${run.peakRssMb} MB` +
    (run.loop ? `; event loop: longest stall ${run.loop.maxMs} ms, p99 ${run.loop.p99Ms} ms` : "")
  );
}
