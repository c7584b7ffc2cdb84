// Benchmark 6: 20 concurrent clients (autocannon; 10 on the Contact Sync dashboard, 10 on the
// persons list, signed in as the connection's user) while benchmark 1 (initial Google sync of
// 25,000 contacts) runs in its own process against the same Postgres server. For comparison:
// the same load with no sync running, before and after it, and one client alone.
// Postgres only: PGlite cannot be shared by two processes.
// Needs a production build (.next) and autocannon.
// The app runs as `npm start` would with WEB_CONCURRENCY=--processes (default: one per core).
//   tsx bench/dashboard-load.ts [--contacts N] [--idle-seconds 10] [--processes N]
import os from "node:os";
import autocannon from "autocannon";
import { benchMain } from "./lib/cli";
import { signIn, startApp } from "./lib/app";
import { latencySummary, report, scale, seconds } from "./lib/report";
import { runLine, SyncBench } from "./lib/scenario";

const PAGES = { dashboard: "/settings/personal/contact-sync", persons: "/persons" } as const;
type Load = Record<keyof typeof PAGES, ReturnType<typeof latencySummary> & { errors: number; non2xx: number }>;

/** 10 connections per page until stop() resolves; exact percentiles from every response. */
function load(appUrl: string, cookie: string, until: Promise<unknown>): Promise<Load> {
  const runs = (Object.keys(PAGES) as (keyof typeof PAGES)[]).map(
    (page) =>
      new Promise<[string, Load[keyof Load]]>((resolve, reject) => {
        const samples: number[] = [];
        const instance = autocannon({ url: `${appUrl}${PAGES[page]}`, connections: 10, duration: 3600, timeout: 30, headers: { cookie } }, (error, result) =>
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

benchMain(
  "dashboard-load",
  async ({ contacts, pgUrl, values }) => {
    const bench = await SyncBench.start({ provider: "google", contacts, db: "postgres", pgUrl, direction: "one_way" });
    try {
      if (bench.world.target.kind !== "postgres") throw new Error("Postgres only");
      const processes = Number(values.processes ?? os.cpus().length);
      const app = await startApp(bench.world.target.url, bench.emu.port, processes);
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
  { "idle-seconds": { type: "string", default: "10" }, processes: { type: "string" } },
);
