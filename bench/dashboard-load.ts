// Benchmark 6: 20 concurrent clients (autocannon; 10 on the Contact Sync dashboard, 10 on the
// persons list, signed in as the connection's user) during an initial Google sync of 25,000
// contacts.
// - Postgres: the sync (benchmark 1) runs in its own process against the same server; for
//   comparison, the same load with no sync running, before and after it, and one client alone.
//   The app runs as `npm start` would with WEB_CONCURRENCY=--processes (default: one per core).
// - PGlite (--db pglite): the default `npm start` — one app process on the embedded database,
//   which runs the sync itself on the thread that serves the pages (its in-process worker starts
//   the new connection's first sync as it starts). Besides the pages' latencies, the longest
//   event-loop stall of that process during the sync (bench/lib/loop-monitor.cjs).
// Needs a production build (.next) and autocannon.
//   tsx bench/dashboard-load.ts [--db postgres|pglite] [--contacts N] [--idle-seconds 10] [--processes N]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { benchMain } from "./lib/cli";
import { eq, sql } from "drizzle-orm";
import { syncConnections } from "@/db/schema";
import { signIn, startApp } from "./lib/app";
import { openPlain } from "./lib/db";
import { latencySummary, report, scale, seconds } from "./lib/report";
import { runLine, SyncBench } from "./lib/scenario";

const PAGES = { dashboard: "/settings/personal/contact-sync", persons: "/persons" } as const;
type Load = Record<keyof typeof PAGES, ReturnType<typeof latencySummary> & { errors: number; non2xx: number }>;

/** `connections` per page (10 unless told) until `until` resolves; exact percentiles from every
 * response. */
function load(appUrl: string, cookie: string, until: Promise<unknown>, connections = 10): Promise<Load> {
  const runs = (Object.keys(PAGES) as (keyof typeof PAGES)[]).map(
    (page) =>
      new Promise<[string, Load[keyof Load]]>((resolve, reject) => {
        const samples: number[] = [];
        const instance = autocannon({ url: `${appUrl}${PAGES[page]}`, connections, duration: 3600, timeout: 30, headers: { cookie } }, (error, result) =>
          error ? reject(error) : resolve([page, { ...latencySummary(samples), errors: result.errors + result.timeouts, non2xx: result.non2xx }]),
        );
        instance.on("response", (_client, _status, _bytes, ms) => samples.push(ms));
        void until.finally(() => instance.stop());
      }),
  );
  return Promise.all(runs).then((entries) => Object.fromEntries(entries) as Load);
}

/** 20 requests per page from one client, one after the other: what a page costs on its own. */
async function sequential(appUrl: string, cookie: string): Promise<Record<string, ReturnType<typeof latencySummary>>> {
  const out: Record<string, ReturnType<typeof latencySummary>> = {};
  for (const [page, path] of Object.entries(PAGES)) {
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await (await fetch(`${appUrl}${path}`, { headers: { cookie } })).arrayBuffer();
      samples.push(performance.now() - t);
    }
    out[page] = latencySummary(samples);
  }
  return out;
}

const aloneLine = (before: Record<string, { p50: number }>, after: Record<string, { p50: number }>) =>
  Object.keys(before)
    .map((page) => `${page} p50 ${before[page]!.p50} / ${after[page]?.p50} ms`)
    .join("; ");

const loadLine = (l: Load) =>
  Object.entries(l)
    .map(([page, r]) => `${page} ${r.n} req p50 ${r.p50} / p95 ${r.p95} / p99 ${r.p99} ms, ${r.errors + r.non2xx} errors`)
    .join("; ");

/** The connection's live status, as the dashboard polls it. */
async function liveStatus(appUrl: string, cookie: string, connectionId: string): Promise<{ running: unknown; lastSuccessAt: string | null; status: string }> {
  const res = await fetch(`${appUrl}/api/sync/connections/${connectionId}`, { headers: { cookie } });
  if (!res.ok) throw new Error(`live status: HTTP ${res.status}`);
  return (await res.json()) as { running: unknown; lastSuccessAt: string | null; status: string };
}

/** Resolves when the app's own worker has finished the connection's sync (its status says so). */
async function syncFinished(appUrl: string, cookie: string, connectionId: string): Promise<{ ms: number }> {
  const start = performance.now();
  for (;;) {
    const live = await liveStatus(appUrl, cookie, connectionId);
    if (live.lastSuccessAt && !live.running) return { ms: Math.round(performance.now() - start) };
    if (live.status === "error") throw new Error("the sync failed");
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The longest stall and the worst p99 the app's event loop logged between two moments, and its
 * longest garbage-collection pause. */
function loopStalls(file: string, from: number, to: number): { maxMs: number; p99Ms: number; gcMs: number; samples: number } {
  const rows = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { at: number; maxMs: number; p99Ms: number; gcMs: number })
    .filter((r) => r.at >= from && r.at <= to + 250);
  const most = (pick: (r: (typeof rows)[number]) => number) => Math.max(0, ...rows.map(pick));
  return { maxMs: most((r) => r.maxMs), p99Ms: most((r) => r.p99Ms), gcMs: most((r) => r.gcMs), samples: rows.length };
}

/** Sets when the connection is next due, in the embedded database (the app must be stopped). */
async function dueAt(dataDir: string, connectionId: string, when: "now" | "tomorrow"): Promise<void> {
  const handle = await openPlain({ kind: "pglite", dataDir });
  try {
    await handle.db.update(syncConnections).set({ nextRunAt: sql`now() + ${when === "now" ? "0 seconds" : "1 day"}::interval` }).where(eq(syncConnections.id, connectionId));
  } finally {
    await handle.close();
  }
}

/** The default `npm start` on the embedded database: the app's own worker runs the sync. First
 * the app with the sync not due yet (the pages' cost without it), then again with it due: the
 * worker starts it as the app starts, and the pages are loaded until it has finished. */
async function embeddedRun(contacts: number, values: Record<string, string | boolean | undefined>): Promise<boolean> {
  const bench = await SyncBench.start({ provider: "google", contacts, db: "pglite", pgUrl: undefined, direction: "one_way" });
  try {
    if (bench.world.target.kind !== "pglite") throw new Error("PGlite only");
    const { dataDir } = bench.world.target;
    const { connectionId } = bench.world;
    const loopLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tandem-loop-")), "loop.jsonl");
    const idleFor = () => new Promise((r) => setTimeout(r, Number(values["idle-seconds"]) * 1000));
    const worst = (l: Load) => Math.max(...Object.values(l).map((r) => r.p95));
    const open = async () => {
      const app = await startApp({ database: { pgliteDir: dataDir }, googleEmulatorPort: bench.emu.port, syncWorker: true, loopLog });
      const cookie = await signIn(app.url, "east@acme.test");
      // Each page rendered once first (a route's first render loads its code).
      for (const page of Object.values(PAGES)) await (await fetch(`${app.url}${page}`, { headers: { cookie } })).arrayBuffer();
      return { app, cookie };
    };

    await dueAt(dataDir, connectionId, "tomorrow");
    let { app, cookie } = await open();
    let alone, idleFew, idle, idleStalls;
    try {
      alone = await sequential(app.url, cookie);
      const idleFrom = Date.now();
      idleFew = await load(app.url, cookie, idleFor(), 1);
      idle = await load(app.url, cookie, idleFor());
      idleStalls = loopStalls(loopLog, idleFrom, Date.now());
    } finally {
      await app.close();
    }

    await dueAt(dataDir, connectionId, "now");
    ({ app, cookie } = await open());
    try {
      // 20 clients for the first half of the sync, 2 for the rest (a team of a few on the
      // embedded database), until the worker has finished it.
      const from = Date.now();
      const sync = syncFinished(app.url, cookie, connectionId);
      const half = Promise.race([sync, new Promise((r) => setTimeout(r, Number(values["sync-seconds"]) * 500))]);
      const busy = await load(app.url, cookie, half);
      const fewFrom = Date.now();
      const busyFew = await load(app.url, cookie, sync, 1);
      const run = await sync;
      const stalls = loopStalls(loopLog, from, Date.now());
      const fewStalls = loopStalls(loopLog, fewFrom, Date.now());
      const afterFrom = Date.now();
      const after = await load(app.url, cookie, idleFor());
      const afterStalls = loopStalls(loopLog, afterFrom, Date.now());
      const errors = [busy, busyFew].flatMap((l) => Object.values(l)).reduce((n, r) => n + r.errors + r.non2xx, 0);
      return report(
        `dashboard-under-load-${scale(contacts)}`,
        "pglite",
        `npm start (1 process, the sync on its own worker, ${seconds(run.ms)} s from sign-in): 20 clients during the sync: ${loadLine(busy)}; 2 clients: ${loadLine(busyFew)} | ` +
          `no sync: 20 clients ${loadLine(idle)}; 2 clients ${loadLine(idleFew)}; one alone ${aloneLine(alone, alone)} | after it (20 clients): ${loadLine(after)} | ` +
          `the app's event loop during the sync: longest stall ${stalls.maxMs} ms, worst p99 ${stalls.p99Ms} ms, longest GC pause ${stalls.gcMs} ms (${stalls.samples} samples of 250 ms; ` +
          `with 2 clients ${fewStalls.maxMs} ms); with no sync, the same loads: ${idleStalls.maxMs} ms before it (GC ${idleStalls.gcMs} ms), ${afterStalls.maxMs} ms after it (GC ${afterStalls.gcMs} ms)`,
        [
          { name: "p95 (worst page, 20 clients)", value: worst(busy), limit: 250, unit: " ms" },
          { name: "p95 (worst page, 2 clients)", value: worst(busyFew), limit: 250, unit: " ms" },
          { name: "errors", value: errors, limit: 0 },
          { name: "longest event-loop stall", value: stalls.maxMs, limit: 100, unit: " ms" },
        ],
        { contacts, busy, busyFew, idle, idleFew, alone, after, run, loop: stalls, loopFew: fewStalls, loopIdle: idleStalls, loopAfter: afterStalls },
      );
    } finally {
      await app.close();
    }
  } finally {
    await bench.close();
  }
}

benchMain(
  "dashboard-load",
  async ({ db, contacts, pgUrl, values, smoke }) => {
    if (db === "pglite") return embeddedRun(contacts, smoke ? { ...values, "idle-seconds": "3" } : values);
    const bench = await SyncBench.start({ provider: "google", contacts, db: "postgres", pgUrl, direction: "one_way" });
    try {
      if (bench.world.target.kind !== "postgres") throw new Error("Postgres only");
      const processes = Number(values.processes ?? os.cpus().length);
      const app = await startApp({ database: { url: bench.world.target.url }, googleEmulatorPort: bench.emu.port, processes });
      try {
        const cookie = await signIn(app.url, "east@acme.test");
        for (const path of Object.values(PAGES)) {
          const res = await fetch(`${app.url}${path}`, { headers: { cookie }, redirect: "manual" });
          if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} (not signed in?)`);
        }
        const idleFor = () => new Promise((r) => setTimeout(r, Number(values["idle-seconds"]) * 1000));
        // For the diagnosis: one client alone (the pages' own cost), and the same 20 clients with
        // no sync running, before the sync (demo data only) and after it (25,000 more persons).
        const alone = await sequential(app.url, cookie);
        const idle = await load(app.url, cookie, idleFor());
        const sync = bench.run();
        const busy = await load(app.url, cookie, sync);
        const run = await sync;
        const after = await load(app.url, cookie, idleFor());
        const aloneAfter = await sequential(app.url, cookie);
        const worst = (l: Load) => Math.max(...Object.values(l).map((r) => r.p95));
        const errors = Object.values(busy).reduce((n, r) => n + r.errors + r.non2xx, 0);
        return report(
          `dashboard-under-load-${scale(contacts)}`,
          "postgres",
          `${processes} app process${processes === 1 ? "" : "es"}; during the sync (${seconds(run.ms)} s): ${loadLine(busy)} | before the sync: ${loadLine(idle)} | after it: ${loadLine(after)} | ` +
            `one client alone, before / after: ${aloneLine(alone, aloneAfter)} | sync under load: ${runLine(run)}`,
          [
            { name: "p95 (worst page)", value: worst(busy), limit: 250, unit: " ms" },
            { name: "errors", value: errors, limit: 0 },
          ],
          { contacts, appProcesses: processes, busy, idle, after, alone, aloneAfter, run },
        );
      } finally {
        await app.close();
      }
    } finally {
      await bench.close();
    }
  },
  { "idle-seconds": { type: "string", default: "10" }, "sync-seconds": { type: "string", default: "20" }, processes: { type: "string" } },
);
