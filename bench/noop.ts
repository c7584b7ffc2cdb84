// Benchmark 5: a run when nothing changed on either side, after the initial sync of a
// 25,000-contact group. Two-way by default (the push phase looks for CRM changes too).
//   tsx bench/noop.ts [--provider google|microsoft] [--direction two_way|one_way] [--db postgres|pglite] [--contacts N] [--runs 3]
import { benchMain } from "./lib/cli";
import { report, scale, seconds } from "./lib/report";
import { providerWrites, runLine, SyncBench, type RunFigures } from "./lib/scenario";

/** Tables that hold contacts; sync_runs / sync_connections rows are the run's bookkeeping. */
const CONTACT_TABLES = /^(?:(?:insert|update|delete) )?(persons|sync_links|sync_events|organizations|person_pictures)$/;

/** Rows written to contact tables (pg_stat_user_tables); else statements that would write
 * them, even when they match no row. */
function contactWrites(run: RunFigures): number {
  if (run.rowsWritten) {
    return Object.entries(run.rowsWritten)
      .filter(([table]) => CONTACT_TABLES.test(table))
      .reduce((n, [, v]) => n + [...v.matchAll(/\d+/g)].reduce((m, d) => m + Number(d[0]), 0), 0);
  }
  return Object.entries(run.db.writes).reduce((n, [k, v]) => (CONTACT_TABLES.test(k) ? n + v : n), 0);
}

benchMain(
  "noop",
  async ({ db, contacts, pgUrl, values }) => {
    const provider = values.provider === "microsoft" ? "microsoft" : "google";
    const direction = values.direction === "one_way" ? "one_way" : "two_way";
    const bench = await SyncBench.start({ provider, contacts, db, pgUrl, direction });
    try {
      const initial = await bench.run();
      await bench.settle();
      // The first run after the initial one is the benchmark; later ones (--runs) show the steady
      // state (the first still examines the persons the initial run created after its start).
      const runs: RunFigures[] = [];
      for (let i = 0; i < Number(values.runs); i++) runs.push(await bench.run());
      const run = runs[0]!;
      const later = runs.slice(1).map((r) => r.ms);
      return report(
        `noop-${scale(contacts)}-${provider}`,
        db,
        `${direction}; ${runLine(run)}${later.length > 0 ? `; later runs ${later.join(", ")} ms` : ""}`,
        [
          { name: "wall", value: seconds(run.ms), limit: 0.2, unit: " s" },
          ...(later.length > 0 ? [{ name: "wall, later runs (max)", value: seconds(Math.max(...later)), limit: 0.2, unit: " s" }] : []),
          { name: "provider writes", value: Math.max(...runs.map((r) => providerWrites(r.byEndpoint))), limit: 0 },
          { name: "CRM contact writes", value: Math.max(...runs.map(contactWrites)), limit: 0 },
        ],
        { contacts, provider, direction, initialMs: initial.ms, run, laterRuns: runs.slice(1) },
      );
    } finally {
      await bench.close();
    }
  },
  { provider: { type: "string", default: "google" }, direction: { type: "string", default: "two_way" }, runs: { type: "string", default: "3" } },
);
