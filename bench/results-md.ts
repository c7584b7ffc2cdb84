// Turns bench/out/results.jsonl into the tables of bench/RESULTS.md: one table per benchmark,
// Postgres and PGlite side by side (the latest record of each), each target beside its figure.
//   tsx bench/results-md.ts [--since 2026-11-24T21:50] [--until …] [--engine lib/sync] > bench/out/tables.md
import fs from "node:fs";
import { parseArgs } from "node:util";
import type { DavFloorResult } from "./lib/dav-floor";
import { medianRun } from "./lib/dav-requests";
import type { TargetResult } from "./lib/report";

type Run = {
  ms: number;
  calls: number;
  byEndpoint: Record<string, number>;
  db: { statements: number; transactions: number; roundTrips: number };
  peakRssMb: number;
  rowsWritten?: Record<string, string>;
  rowsRead?: Record<string, number>;
  cpuMs?: number;
  http?: { requests: number; waitMs: number };
};
type Rec = {
  bench: string;
  db: string;
  date: string;
  cores: number;
  memoryGiB: number;
  commit: string;
  node: string;
  targets: TargetResult[];
  run?: Run;
  floor?: Run;
  /** After the run, what the worker does next: the photos the run noted. */
  photos?: Run & { photos?: { checked: number; fetched: number } };
  ratioToFloor?: number;
  /** CardDAV: Radicale alone answering the run's requests, and the run's ratio to it. */
  davFloor?: DavFloorResult;
  ratioToRadicale?: number;
  busy?: Record<string, { n: number; p50: number; p95: number; p99: number; errors: number; non2xx: number }>;
  idle?: Record<string, { n: number; p50: number; p95: number; p99: number; errors: number; non2xx: number }>;
  after?: Record<string, { n: number; p50: number; p95: number; p99: number; errors: number; non2xx: number }>;
  alone?: Record<string, { p50: number; p95: number }>;
  aloneAfter?: Record<string, { p50: number; p95: number }>;
  laterRuns?: Run[];
  results?: Record<string, { n: number; p50: number; p95: number; p99: number; total: number }>;
};

const { values } = parseArgs({
  options: { since: { type: "string" }, until: { type: "string" }, engine: { type: "string" }, file: { type: "string", default: "bench/out/results.jsonl" } },
});
const records = fs
  .readFileSync(values.file!, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Rec)
  .filter((r) => (!values.since || r.date >= values.since) && (!values.until || r.date < values.until))
  .filter((r) => !values.engine || (r as { engine?: string }).engine === values.engine);

const latest = new Map<string, Rec>();
for (const r of records) latest.set(`${r.bench}\u0000${r.db}`, r);
const benches = [...new Set(records.map((r) => r.bench))];
const DBS = ["postgres", "pglite"];

const endpoints = (e: Record<string, number>) =>
  Object.entries(e)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
const rows = (o: Record<string, unknown> | undefined) =>
  o
    ? Object.entries(o)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(", ") || "none"
    : "–";

function figures(r: Rec): [string, string][] {
  const out: [string, string][] = [];
  const run = r.run;
  if (run) {
    out.push(["wall time", `${run.ms} ms`]);
    out.push(["provider calls (HTTP requests)", String(run.calls)]);
    out.push(["… by endpoint ($batch sub-requests by their own name)", endpoints(run.byEndpoint)]);
    out.push(["db statements / transactions / round trips", `${run.db.statements} / ${run.db.transactions} / ${run.db.roundTrips}`]);
    out.push(["rows written (+ins ~upd -del)", rows(run.rowsWritten)]);
    out.push(["rows read", rows(run.rowsRead)]);
    out.push(["peak RSS of the sync process", `${run.peakRssMb} MB`]);
  }
  if (run?.http && r.davFloor) {
    out.push(["waiting on the server / the rest (of which CPU)", `${run.http.waitMs} ms over ${run.http.requests} requests / ${run.ms - run.http.waitMs} ms (${run.cpuMs} ms)`]);
  }
  for (const [target, runs] of Object.entries(r.davFloor?.byTarget ?? {})) {
    const m = medianRun(runs);
    out.push([
      `${target === "radicale" ? "Radicale alone" : `Radicale through the ${target}`}: wall, median of ${runs.length} (sync-collection + multigets)`,
      `${m.ms} ms (${m.syncMs} + ${m.multigetMs} ms, ${m.requests} requests)`,
    ]);
  }
  if (r.ratioToRadicale !== undefined) out.push(["ratio to Radicale alone", `${r.ratioToRadicale}×`]);
  if (r.floor) out.push(["floor: wall / round trips / peak RSS", `${r.floor.ms} ms / ${r.floor.db.roundTrips} / ${r.floor.peakRssMb} MB`]);
  if (r.ratioToFloor !== undefined && r.ratioToFloor !== null) out.push(["ratio to floor", `${r.ratioToFloor}×`]);
  if (r.photos) {
    const p = r.photos;
    out.push([
      "then, after the run: photos (checked / fetched, wall, calls)",
      `${p.photos?.checked ?? 0} / ${p.photos?.fetched ?? 0}, ${p.ms} ms, ${p.calls ?? 0} calls`,
    ]);
  }
  if (r.laterRuns?.length) out.push(["later runs (steady state)", r.laterRuns.map((x) => `${x.ms} ms`).join(", ")]);
  for (const [label, load] of [
    ["during the sync", r.busy],
    ["before the sync", r.idle],
    ["after the sync", r.after],
  ] as const) {
    for (const [page, s] of Object.entries(load ?? {})) out.push([`${page} ${label}: requests, p50 / p95 / p99, errors`, `${s.n}, ${s.p50} / ${s.p95} / ${s.p99} ms, ${s.errors + s.non2xx}`]);
  }
  for (const [page, s] of Object.entries(r.alone ?? {})) out.push([`${page}, one client alone, before / after the sync: p50 (p95)`, `${s.p50} (${s.p95}) / ${r.aloneAfter?.[page]?.p50} (${r.aloneAfter?.[page]?.p95}) ms`]);
  for (const [name, s] of Object.entries(r.results ?? {})) out.push([`${name}: p50 / p95 / p99 (visible persons)`, `${s.p50} / ${s.p95} / ${s.p99} ms (${s.total})`]);
  return out;
}

for (const bench of benches) {
  const recs = DBS.map((db) => latest.get(`${bench}\u0000${db}`));
  const present = recs.filter((r): r is Rec => !!r);
  const first = present[0]!;
  console.log(`\n### ${bench}\n`);
  const extra = (r: Rec & { engine?: string; extraSql?: string; loadAvg?: number }) =>
    `${r.engine && r.engine !== "lib/sync" ? ` · engine ${r.engine}` : ""}${r.extraSql ? ` · extra SQL: ${r.extraSql}` : ""}`;
  console.log(
    `${first.date.slice(0, 16).replace("T", " ")} UTC · ${first.cores} cores, ${first.memoryGiB} GiB · Node ${first.node} · commit ${first.commit}` +
      `${extra(first)} · load average ${present.map((r) => (r as { loadAvg?: number }).loadAvg ?? "?").join(" / ")}\n`,
  );
  console.log(`| | ${DBS.filter((_, i) => recs[i]).join(" | ")} | target |`);
  console.log(`|---|${DBS.filter((_, i) => recs[i]).map(() => "---|").join("")}---|`);
  for (const t of first.targets) {
    const cells = present.map((r) => {
      const x = r.targets.find((y) => y.name === t.name);
      return x ? `${x.value}${x.unit ?? ""} ${x.met ? "✓" : "✗"}` : "–";
    });
    console.log(`| **${t.name}** | ${cells.join(" | ")} | ≤ ${t.limit}${t.unit ?? ""} |`);
  }
  const labels = [...new Set(present.flatMap((r) => figures(r).map(([k]) => k)))];
  for (const label of labels) {
    const cells = present.map((r) => figures(r).find(([k]) => k === label)?.[1] ?? "–");
    console.log(`| ${label} | ${cells.join(" | ")} | |`);
  }
}
