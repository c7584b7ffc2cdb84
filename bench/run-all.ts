// `npm run bench`: every benchmark, each in its own process, on the Postgres server and on PGlite,
// then a table of the figures against their targets (Markdown, ready for bench/RESULTS.md).
//   tsx bench/run-all.ts [--smoke] [--db postgres|pglite] [--only initial,noop,…] [--provider google|microsoft|carddav]
// --smoke: CI size (500 contacts, 5,000 persons; CardDAV 200 contacts), under two minutes;
// targets are reported but a miss does not fail it; a crash does.
// --provider: only the jobs of that provider.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { radicaleAvailable } from "@/emulators/carddav";
import { postgresServer } from "./lib/db";
import { ensureBenchProcess } from "./lib/proc";
import type { TargetResult } from "./lib/report";

/** smokeDbs: where the smoke run (npm test) runs it, when not everywhere. */
/** smokeArgs: the smoke run's arguments, when not `args`. */
type Job = { script: string; args: string[]; dbs: ("postgres" | "pglite")[]; smokeDbs?: ("postgres" | "pglite")[]; smokeArgs?: string[]; needs?: () => string | null };

const needsApp = () =>
  !fs.existsSync(".next/BUILD_ID") ? "no production build (.next)" : !fs.existsSync("node_modules/autocannon") ? "autocannon not installed" : null;

const providerOf = (job: Job) => (job.args.includes("--provider") ? job.args[job.args.indexOf("--provider") + 1] : null);

const needsRadicale = () => (radicaleAvailable() ? null : "radicale not installed");

const JOBS: Job[] = [
  ...(["google", "microsoft"] as const).flatMap((provider): Job[] => [
    { script: "initial", args: ["--provider", provider], dbs: ["postgres", "pglite"] },
    { script: "incremental", args: ["--provider", provider], dbs: ["postgres", "pglite"] },
    { script: "push", args: ["--provider", provider], dbs: ["postgres", "pglite"] },
    { script: "noop", args: ["--provider", provider], dbs: ["postgres", "pglite"] },
    // (On the server it waits out a 20 s lease: not worth it at smoke size.)
    { script: "interrupt", args: ["--provider", provider], dbs: ["postgres", "pglite"], smokeDbs: ["pglite"] },
    { script: "match", args: ["--provider", provider], dbs: ["postgres", "pglite"], smokeDbs: ["pglite"] },
  ]),
  // CardDAV: a real Radicale, 5,000 contacts (smoke: 200), initial and noop.
  ...["initial", "noop"].map((script): Job => ({ script, args: ["--provider", "carddav"], dbs: ["postgres", "pglite"], smokeDbs: ["pglite"], needs: needsRadicale })),
  // Postgres: the sync in its own process; PGlite: the default `npm start`, whose own worker syncs.
  { script: "dashboard-load", args: [], dbs: ["postgres", "pglite"], needs: needsApp },
  // Provider data at its worst (200 kB inputs): no database; run once.
  { script: "hostile", args: [], dbs: ["pglite"] },
  // Worker processes against a Postgres server: 2,000 idle connections (smoke: 50), 8 minutes.
  { script: "many", args: [], dbs: ["postgres"] },
  { script: "persons-100k", args: [], dbs: ["postgres", "pglite"] },
  // Live sync: change → other side, every provider and direction (15 minutes a database); the
  // smoke run, Outlook both ways (notifications and an edit's debounced run), under a minute.
  { script: "latency", args: [], dbs: ["postgres", "pglite"], smokeDbs: ["pglite"], smokeArgs: ["--provider", "microsoft"], needs: needsRadicale },
];

function main(): void {
  if (!ensureBenchProcess()) return;
  const { values } = parseArgs({ options: { smoke: { type: "boolean", default: false }, db: { type: "string" }, only: { type: "string" }, provider: { type: "string" } } });
  const only = values.only?.split(",");
  const results = path.join("bench", "out", "results.jsonl");
  const seen = fs.existsSync(results) ? fs.readFileSync(results, "utf8").split("\n").filter(Boolean).length : 0;
  const pg = postgresServer();
  const failed: string[] = [];
  for (const job of JOBS) {
    if (only && !only.includes(job.script)) continue;
    if (values.provider && providerOf(job) !== values.provider) continue;
    const missing = job.needs?.();
    for (const db of values.smoke && job.smokeDbs ? job.smokeDbs : job.dbs) {
      if (values.db && values.db !== db) continue;
      const jobArgs = values.smoke && job.smokeArgs ? job.smokeArgs : job.args;
      const name = `${job.script} ${jobArgs.join(" ")} --db ${db}`;
      if (missing) {
        console.log(`\n== ${name}: skipped (${missing})`);
        continue;
      }
      console.log(`\n== ${name}`);
      const args = [...process.execArgv, path.join("bench", `${job.script}.ts`), ...jobArgs, "--db", db, ...(values.smoke ? ["--smoke"] : [])];
      const r = spawnSync(process.execPath, args, { stdio: "inherit", env: { ...process.env, BENCH_PG_URL: pg.url } });
      if (r.status !== 0) failed.push(name);
    }
  }
  pg.stop();
  const records = fs.existsSync(results) ? fs.readFileSync(results, "utf8").split("\n").filter(Boolean).slice(seen) : [];
  console.log("\n| benchmark | db | figure | measured | target | |\n|---|---|---|---|---|---|");
  for (const line of records) {
    const r = JSON.parse(line) as { bench: string; db: string; targets: TargetResult[] };
    for (const t of r.targets) console.log(`| ${r.bench} | ${r.db} | ${t.name} | ${t.value}${t.unit ?? ""} | ≤ ${t.limit}${t.unit ?? ""} | ${t.met ? "met" : "MISSED"} |`);
  }
  if (failed.length > 0) {
    console.error(`\nfailed: ${failed.join("; ")}`);
    process.exitCode = 1;
  }
}

main();
