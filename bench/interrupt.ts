// Benchmark: the first sync of a 25,000-contact group, its worker killed (SIGKILL) after 8
// committed pages, then a worker started again: the time from the kill to the finished sync, and
// the provider pages listed after the restart (the rest only, not all again).
// Postgres: a separate worker process, taken over when its lease lapses. PGlite: the app's own
// worker on the embedded database, restarted on the same directory (leases lapse at start).
//   tsx bench/interrupt.ts [--provider google|microsoft] [--db postgres|pglite] [--contacts N] [--after-pages 8]
import { spawn, type ChildProcess } from "node:child_process";
import readline from "node:readline";
import { eq } from "drizzle-orm";
import { getStats, resetStats } from "@/emulators";
import { syncConnections, syncRuns } from "@/db/schema";
import { requestSync } from "@/lib/sync/jobs/scheduler";
import { LEASE_MS } from "@/lib/sync/jobs/lease";
import { benchMain } from "./lib/cli";
import { report, scale, seconds } from "./lib/report";
import { SyncBench } from "./lib/scenario";

const PAGE = 1000;

/** The test kit's worker process, its stdout lines, and a wait for one of them. */
function worker(env: Record<string, string>) {
  const proc: ChildProcess = spawn(process.execPath, ["--import", "tsx", "tests/sync/fixtures/worker-process.ts"], {
    env: { ...process.env, ...env, PAGE_SIZE: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  const waiters: { match: RegExp; resolve: (line: string) => void }[] = [];
  readline.createInterface({ input: proc.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const w of waiters.splice(0)) {
      if (w.match.test(line)) w.resolve(line);
      else waiters.push(w);
    }
  });
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  return {
    proc,
    exited,
    line: (match: RegExp) =>
      new Promise<string>((resolve, reject) => {
        const found = lines.find((l) => match.test(l));
        if (found) return resolve(found);
        waiters.push({ match, resolve });
        void exited.then(() => reject(new Error(`worker exited before printing ${match}`)));
      }),
  };
}

benchMain(
  "interrupt",
  async ({ db, contacts, pgUrl, values }) => {
    const provider = values.provider === "microsoft" ? "microsoft" : "google";
    const afterPages = Math.min(Number(values["after-pages"] ?? 8), Math.max(1, Math.ceil(contacts / PAGE) - 1));
    const bench = await SyncBench.start({ provider, contacts, db, pgUrl, direction: "one_way" });
    try {
      const target = bench.world.target;
      // Not due for an hour, but requested: only the interruption can bring a second run early.
      await bench.withDb(async (d) => {
        await d.update(syncConnections).set({ nextRunAt: new Date(Date.now() + 3_600_000) }).where(eq(syncConnections.id, bench.world.connectionId));
        await requestSync(d, bench.world.connectionId);
      });
      const env: Record<string, string> = {
        API_BASE_URL: `${bench.emu.url}/`,
        ...(target.kind === "postgres" ? { WORKER_DATABASE_URL: target.url } : { WORKER_PGLITE_DIR: target.dataDir }),
      };
      const first = worker({ ...env, STALL: String(afterPages) });
      await first.line(/^page-committed$/);
      first.proc.kill("SIGKILL");
      await first.exited;
      const killedAt = performance.now();
      await resetStats(bench.emu.url, bench.book.email);

      const second = worker(env);
      const done = await second.line(/"msg":"sync run"/);
      const finishedMs = Math.round(performance.now() - killedAt);
      second.proc.kill("SIGKILL");
      await second.exited;
      const outcome = (JSON.parse(done) as { outcome?: string }).outcome;
      if (outcome !== "succeeded") throw new Error(`the resumed run ended ${outcome}`);

      const stats = await getStats(bench.emu.url, bench.book.email);
      const listed = provider === "google" ? (stats.byEndpoint["people.connections.list"] ?? 0) : (stats.byEndpoint["contacts.delta"] ?? 0);
      const pages = Math.ceil(contacts / PAGE);
      const runs = await bench.withDb((d) => d.select().from(syncRuns).where(eq(syncRuns.connectionId, bench.world.connectionId)));
      const resumed = runs.find((r) => r.trigger === "resume");
      const remainingMs = resumed?.finishedAt ? resumed.finishedAt.getTime() - resumed.startedAt.getTime() : NaN;
      return report(
        `interrupt-${scale(contacts)}-${provider}`,
        db,
        `killed after ${afterPages} of ${pages} pages; from the kill to the finished sync ${seconds(finishedMs)} s ` +
          `(of which the resumed run ${seconds(remainingMs)} s; lease ${LEASE_MS / 1000} s); pages listed after the restart ${listed}; ` +
          `runs ${runs.map((r) => `${r.trigger}:${r.outcome}`).join(", ")}`,
        [
          { name: "pages listed after the restart", value: listed, limit: pages - afterPages + 1 },
          { name: "wait before resuming", value: seconds(finishedMs - remainingMs), limit: (db === "pglite" ? 10_000 : LEASE_MS + 10_000) / 1000, unit: " s" },
        ],
        { contacts, provider, afterPages, pages, finishedMs, remainingMs, listed, runs: runs.map((r) => ({ trigger: r.trigger, outcome: r.outcome, processed: r.processed })) },
      );
    } finally {
      await bench.close();
    }
  },
  { provider: { type: "string", default: "google" }, "after-pages": { type: "string" } },
);
